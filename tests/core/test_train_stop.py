"""A training iteration asked to stop (Esc) gives up between its stages and changes nothing: the
parameters, the optimizer's memory, the histories, the counters and the sampler stay bit for bit."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, TrainConfig, Trainer, make_model
from tests.core.helpers import RandomWords

CONFIGS = [
    dict(),  # Adagrad, clipping by norm
    dict(optimizer="sgd", lr=0.5, clip=None),
    dict(clip=0.01, clip_kind="element", truncate=3),
    dict(clip=0.001),  # the norm is clipped at every step
]


def _trainer(cell, K, cfg) -> Trainer:
    return Trainer(make_model(cell, K, 6, seed=4), RandomWords(K), TrainConfig(seq_len=12, **cfg), seed=1)


class StopAt:
    """should_stop: False until its `at`-th call (0-based), True from then on; counts its calls."""

    def __init__(self, at: int | None):
        self.at, self.calls = at, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.at is not None and self.calls > self.at


def _state(tr: Trainer) -> dict:
    return {
        "params": {k: v.copy() for k, v in tr.rnn.params().items()},
        "memory": {k: v.copy() for k, v in tr._optimizer.memory.items()},
        "history": tr.history.data(),
        "grad_norms": tr.grad_norms.data(),
        "counters": (tr.iteration, tr.last_grad_norm, tr.history.count, tr.stopped_reason),
        "rng": tr.rng.bit_generator.state,
    }


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    return a == b


def test_a_trainer_that_is_never_asked_to_stop_asks_at_several_stages():
    count = StopAt(None)
    tr = _trainer("rnn", 50, {})
    assert tr.step(count)
    assert count.calls >= 5  # after the forward pass, the outputs, dV, ds and the backward pass at least


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K", [9, 300])  # 300 tokens: the sparse step on the sequence's columns of U
@pytest.mark.parametrize("cfg", CONFIGS)
def test_an_iteration_that_gives_up_at_any_stage_changes_nothing(cell, K, cfg):
    count = StopAt(None)
    assert _trainer(cell, K, cfg).step(count)  # how many times an iteration asks
    for at in range(count.calls):
        tr, twin = _trainer(cell, K, cfg), _trainer(cell, K, cfg)
        for _ in range(2):  # the optimizer's memory and the histories hold something
            assert tr.step() and twin.step()
        before = _state(tr)
        stop = StopAt(at)
        assert tr.step(stop) is False and stop.calls == at + 1
        assert tr.stopped_reason is None  # gave up: not a failure
        assert _same(_state(tr), before), at
        for _ in range(2):  # and training goes on as if the request had never come
            assert tr.step() and twin.step()
        assert _same(_state(tr), _state(twin)), at
