"""Hochreiter & Schmidhuber's task 2a: the two sequences, and the 0.25 output-error criterion."""

import numpy as np
import pytest

from rnnviz.core.long_lag import ERROR_BOUND, LongLagTask
from rnnviz.core.task_eval import max_output_error


def oracle(task, right=0.8, last_right=None):
    """A predictor that knows the task: probability `right` on the true next symbol (`last_right` at
    the last step), the rest spread evenly over the other symbols."""
    K = len(task.vocab)

    def predict(x):
        y = task.string(int(x[0]))[1:]
        o = np.empty((len(x), K))
        for t, target in enumerate(y):
            p = last_right if (last_right is not None and t == len(y) - 1) else right
            o[t] = (1 - p) / (K - 1)
            o[t, target] = p
        return o

    return predict


@pytest.mark.parametrize("p", [1, 2, 4, 10, 100])
def test_the_two_sequences_over_p_plus_one_symbols(p):
    task = LongLagTask(p)
    assert len(task.vocab) == p + 1
    assert task.vocab.tokens[-2:] == ("x", "y")
    seen = {}
    rng = np.random.default_rng(p)
    for _ in range(40):
        x, y = task.sample(rng)
        assert len(x) == len(y) == p  # p + 1 symbols, p next-symbol steps
        assert np.array_equal(x[1:], y[:-1]) and np.all(y >= 0)
        symbols = task.vocab.decode(np.concatenate([x, y[-1:]]))
        assert symbols == [symbols[0]] + [f"a{i}" for i in range(1, p)] + [symbols[0]]
        seen[symbols[0]] = seen.get(symbols[0], 0) + 1
    assert set(seen) == {"x", "y"}


def test_both_sequences_are_equally_likely():
    rng = np.random.default_rng(0)
    task = LongLagTask(5)
    firsts = np.array([task.sample(rng)[0][0] for _ in range(4000)])
    assert abs(np.mean(firsts == task.y_id) - 0.5) < 0.03  # 4000 fair coins: sd 0.008


def test_output_error_is_one_minus_the_target_probability_for_softmax_rows():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(9, 6)) * 3
    o = np.exp(a) / np.exp(a).sum(1, keepdims=True)
    y = rng.integers(0, 6, 9)
    assert max_output_error(o, y) == pytest.approx(np.max(1 - o[np.arange(9), y]), abs=1e-15)
    y_masked = y.copy()
    y_masked[[0, 4]] = -1  # steps without a target do not count
    keep = np.flatnonzero(y_masked >= 0)
    assert max_output_error(o, y_masked) == pytest.approx(np.max(1 - o[keep, y[keep]]), abs=1e-15)
    with pytest.raises(ValueError, match="no step has a target"):
        max_output_error(o, np.full(9, -1))


def test_a_good_enough_predictor_passes_and_its_worst_error_is_reported():
    task = LongLagTask(10)
    v = task.evaluate(oracle(task, right=0.8), np.random.default_rng(0))
    assert v.passed and v.n_sequences == 10_000 and v.n_right == 10_000
    assert v.worst == pytest.approx(0.2)


def test_the_bound_is_strict_and_the_last_step_counts():
    task = LongLagTask(10)
    at_bound = task.evaluate(oracle(task, right=1 - ERROR_BOUND), np.random.default_rng(0), 50)
    assert not at_bound.passed and at_bound.worst == pytest.approx(ERROR_BOUND)
    coin_flip_at_the_end = task.evaluate(
        oracle(task, right=0.95, last_right=0.5), np.random.default_rng(0), 50
    )
    assert not coin_flip_at_the_end.passed and coin_flip_at_the_end.n_right == 0
    assert coin_flip_at_the_end.worst == pytest.approx(0.5)


def test_a_predictor_wrong_on_one_of_the_two_sequences_fails_on_about_half():
    task = LongLagTask(4)
    good, bad = oracle(task, 0.9), oracle(task, 0.9, last_right=0.1)
    v = task.evaluate(lambda x: good(x) if x[0] == task.x_id else bad(x), np.random.default_rng(5), 1000)
    assert not v.passed and 400 < v.n_right < 600 and v.worst == pytest.approx(0.9)


def test_each_distinct_sequence_is_run_once():
    task, calls = LongLagTask(3), []
    predict = oracle(task)
    task.evaluate(lambda x: calls.append(x) or predict(x), np.random.default_rng(0), 10_000)
    assert len(calls) == 2


def test_state_labels_say_which_symbol_began_the_sequence():
    task = LongLagTask(4)
    x = task.string(task.y_id)[:-1]
    labels, names = task.state_labels(x)
    assert names[labels[0]] == "began with y" and np.all(labels == labels[0])
    with pytest.raises(ValueError, match="not a long-lag-4 sequence"):
        task.state_labels(np.array([task.y_id, 0, 2, 1]))
    with pytest.raises(ValueError, match="begins with x or y"):
        task.state_labels(np.array([0, 1, 2]))
