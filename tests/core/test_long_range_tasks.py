"""What the three long-range tasks share: the data-source interface, masks, reproducibility,
the seq_len cap, state labels and the registry (kept apart from the control panel's TASK_NAMES)."""

import numpy as np
import pytest

from rnnviz.core import RNN
from rnnviz.core.data import TASK_NAMES
from rnnviz.core.long_range import LONG_RANGE_LABELS, LONG_RANGE_TASKS, make_long_range_task
from rnnviz.core.task_eval import Verdict

TASKS = [("long-lag", {"p": 6}), ("embedded-reber", {}), ("temporal-order", {"length": 30})]
IDS = [name for name, _ in TASKS]


@pytest.fixture(params=TASKS, ids=IDS)
def task(request):
    name, params = request.param
    return make_long_range_task(name, **params)


def draws(task, seed, n=50):
    rng = np.random.default_rng(seed)
    return [task.sample(rng) for _ in range(n)]


def test_interface_and_valid_ids(task):
    K = len(task.vocab)
    assert task.name and task.describe() and task.state_kinds
    for x, y in draws(task, 0):
        assert x.dtype == np.int64 and y.dtype == np.int64 and x.ndim == 1 and len(x) == len(y) >= 1
        assert 0 <= x.min() and x.max() < K
        assert y.min() >= -1 and y.max() < K
        assert np.any(y >= 0), "every sequence has at least one target"


def test_same_seed_same_sequences_other_seed_other_sequences(task):
    a, b, c = draws(task, 7), draws(task, 7), draws(task, 8)
    assert all(
        np.array_equal(xa, xb) and np.array_equal(ya, yb) for (xa, ya), (xb, yb) in zip(a, b, strict=True)
    )
    assert any(not np.array_equal(xa, xc) for (xa, _), (xc, _) in zip(a, c, strict=True))


def test_state_labels_one_per_step_and_named(task):
    for kind in task.state_kinds:
        for x, _ in draws(task, 1, n=20):
            labels, names = task.state_labels(x, kind)
            assert labels.shape == x.shape and labels.dtype == np.int64
            assert 0 <= labels.min() and labels.max() < len(names)
            prefix_labels, _ = task.state_labels(x[: len(x) // 2 + 1], kind)  # a prefix labels the same
            assert np.array_equal(prefix_labels, labels[: len(x) // 2 + 1])
    with pytest.raises(ValueError, match="kind"):
        task.state_labels(draws(task, 1, n=1)[0][0], "colour")


def test_seq_len_is_a_cap_never_exceeded(task):
    lengths = [len(x) for x, _ in draws(task, 2, n=200)]
    cap = max(lengths)
    rng = np.random.default_rng(3)
    assert all(len(task.sample(rng, cap)[0]) <= cap for _ in range(200))
    with pytest.raises(ValueError, match="seq_len"):
        task.sample(rng, min(lengths) - 1 if min(lengths) > 1 else 0)


def test_an_untrained_rnn_runs_through_the_criterion_and_fails(task):
    rnn = RNN(vocab_size=len(task.vocab), hidden_size=5, seed=0)
    verdict = task.evaluate(lambda x: rnn.forward(x).o, np.random.default_rng(0), n_sequences=40)
    assert isinstance(verdict, Verdict) and verdict.n_sequences == 40
    assert not verdict.passed and verdict.criterion


def test_outputs_of_the_wrong_shape_or_not_finite_are_refused(task):
    K = len(task.vocab)
    with pytest.raises(ValueError, match="shape"):
        task.evaluate(lambda x: np.zeros((len(x), K + 1)), np.random.default_rng(0), n_sequences=3)
    with pytest.raises(ValueError, match="NaN"):
        task.evaluate(lambda x: np.full((len(x), K), np.nan), np.random.default_rng(0), n_sequences=3)


def test_registry_names_labels_and_errors():
    assert set(LONG_RANGE_TASKS) == set(LONG_RANGE_LABELS) == {"long-lag", "embedded-reber", "temporal-order"}
    assert not set(LONG_RANGE_TASKS) & set(TASK_NAMES), "the toy tasks (any length); the app adds these"
    assert make_long_range_task("long-lag", p=12).p == 12
    with pytest.raises(ValueError, match="unknown long-range task"):
        make_long_range_task("adding")
    with pytest.raises(ValueError, match="no parameter"):
        make_long_range_task("embedded-reber", p=3)
    with pytest.raises(ValueError, match="p must be"):
        make_long_range_task("long-lag", p=0)
