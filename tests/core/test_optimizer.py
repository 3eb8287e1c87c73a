"""The optimizer step: written in place (block by block) or computed aside and checked, the same
numbers to the last bit; the in-place path runs only when every new value is sure to be finite."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, TrainConfig, Trainer, make_model, optimizer
from tests.core.helpers import RandomWords

CONFIGS = [
    dict(clip=None),
    dict(clip=0.01),  # norm clipping: every step scaled
    dict(optimizer="sgd", lr=0.5, clip=None),
    dict(optimizer="sgd", lr=0.5, clip=0.01),
    dict(clip_kind="element", clip=0.001),
]


def trainer(cell, K, cfg, seed=0):
    return Trainer(make_model(cell, K, 5, seed=seed), RandomWords(K), TrainConfig(seq_len=12, **cfg), seed=0)


def assert_same_state(a, b):
    for name, p in a.rnn.params().items():
        assert np.array_equal(p, b.rnn.params()[name]), name
        assert a._optimizer.memory[name].tobytes() == b._optimizer.memory[name].tobytes(), name


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K", [7, 400])  # 400 > 8 T: only the sequence's columns of U_* change
@pytest.mark.parametrize("cfg", CONFIGS)
def test_the_in_place_step_equals_the_checked_step_bit_for_bit(cell, K, cfg):
    fast, checked = trainer(cell, K, cfg), trainer(cell, K, cfg)
    checked._optimizer._changing_parts = lambda params, g: None  # always compute aside, then check
    for _ in range(4):
        assert fast.step() and checked.step()
    assert_same_state(fast, checked)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_blocks_of_any_size_give_the_same_numbers(cell, monkeypatch):
    """Blocks of 11 entries: two rows of V (61, 5) or W_* (5, 5) per block, a ragged last block, one
    row of U_* (5, 61); biases in one block."""
    whole = trainer(cell, 61, dict(clip=0.01))
    whole.run(3)
    monkeypatch.setattr(optimizer, "BLOCK", 11)
    blocks = trainer(cell, 61, dict(clip=0.01))
    blocks.run(3)
    assert_same_state(blocks, whole)


def test_a_huge_parameter_is_stepped_aside_and_checked():
    """sum(W^2) overflows: the step is computed aside and checked entry by entry; it stays finite here."""
    tr = trainer("rnn", 30, dict(optimizer="sgd", lr=0.1, clip=None))
    tr.rnn.W[0, 0] = 1.7e308
    seen = []
    real = tr._optimizer._changing_parts
    tr._optimizer._changing_parts = lambda params, g: seen.append(real(params, g)) or seen[-1]
    assert tr.step()
    assert seen == [None] and np.isfinite(tr.rnn.W).all() and tr.rnn.W[0, 0] == 1.7e308
