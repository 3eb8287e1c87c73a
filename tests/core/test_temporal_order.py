"""The temporal order task: layout of a sequence, the loss at the last step only, the classes,
the length parameter, and the accuracy criterion."""

import numpy as np
import pytest

from rnnviz.core.temporal_order import SEEN, TemporalOrderTask

CLASS_OF = {("X", "X"): "Q", ("X", "Y"): "R", ("Y", "X"): "S", ("Y", "Y"): "U"}


def read(task, x, y):
    """(symbols, marked positions, class symbol) of a sequence."""
    symbols = task.vocab.decode(x)
    marks = [t for t, s in enumerate(symbols) if s in "XY"]
    return symbols, marks, task.vocab.tokens[y[-1]]


def test_the_papers_layout_at_length_100():
    task, rng = TemporalOrderTask(100), np.random.default_rng(0)
    lengths, firsts, seconds = set(), set(), set()
    for _ in range(3000):
        x, y = task.sample(rng)
        symbols, marks, label = read(task, x, y)
        assert symbols[0] == "E" and symbols[-1] == "B" and len(marks) == 2
        assert set(symbols[1:-1]) <= set("abcdXY")
        assert label == CLASS_OF[(symbols[marks[0]], symbols[marks[1]])]
        assert np.all(y[:-1] == -1), "no loss before the last step"
        lengths.add(len(x))
        firsts.add(marks[0])
        seconds.add(marks[1])
    assert lengths == set(range(100, 111)) and firsts == set(range(10, 21)) and seconds == set(range(50, 61))


@pytest.mark.parametrize("L", [4, 5, 7, 10, 23, 50, 101, 300])
def test_every_length_keeps_the_layout(L):
    task, rng = TemporalOrderTask(L), np.random.default_rng(L)
    classes = set()
    for _ in range(300):
        x, y = task.sample(rng)
        symbols, marks, label = read(task, x, y)
        assert task.lengths[0] <= len(x) <= task.lengths[1] == L + L // 10
        assert (
            symbols[0] == "E"
            and symbols[-1] == "B"
            and len(marks) == 2
            and 0 < marks[0] < marks[1] < len(x) - 1
        )
        classes.add(label)
    assert classes == set("QRSU")


def test_lengths_out_of_range_are_refused():
    for bad in (3, 0, 100_001):
        with pytest.raises(ValueError, match="length"):
            TemporalOrderTask(bad)


def test_all_four_classes_are_about_equally_likely():
    task, rng = TemporalOrderTask(20), np.random.default_rng(1)
    labels = np.array([task.sample(rng)[1][-1] for _ in range(4000)])
    shares = np.bincount(labels - 8, minlength=4) / 4000
    assert np.all(np.abs(shares - 0.25) < 0.03)


def predictor(task, p_right, wrong_on=()):
    """Probability p_right on the true class at the last step (on the wrong class for classes in
    wrong_on); the outputs before the last step do not matter and are uniform."""
    K = len(task.vocab)

    def predict(x):
        symbols = task.vocab.decode(x)
        first, second = (s for s in symbols if s in "XY")
        label = task.vocab.encode([CLASS_OF[(first, second)]])[0]
        if task.vocab.tokens[label] in wrong_on:
            label = 8 + (label - 8 + 1) % 4
        o = np.full((len(x), K), 1 / K)
        o[-1] = (1 - p_right) / (K - 1)
        o[-1, label] = p_right
        return o

    return predict


def test_the_per_sequence_rule_is_the_papers_final_error_below_0_3():
    task = TemporalOrderTask(30)
    x, y = task.sample(np.random.default_rng(2))
    assert task.classified_right(predictor(task, 0.71)(x), y)
    assert not task.classified_right(predictor(task, 0.70)(x), y)
    assert not task.classified_right(predictor(task, 0.99, wrong_on="QRSU")(x), y)


def test_accuracy_threshold_decides_success():
    task = TemporalOrderTask(30)
    perfect = task.evaluate(predictor(task, 0.9), np.random.default_rng(3), n_sequences=400)
    assert perfect.passed and perfect.n_right == 400 and perfect.worst == pytest.approx(0.1)
    three_quarters = task.evaluate(
        predictor(task, 0.9, wrong_on="U"), np.random.default_rng(3), n_sequences=400
    )
    assert not three_quarters.passed and 0.68 < three_quarters.accuracy < 0.82
    lenient = task.evaluate(
        predictor(task, 0.9, wrong_on="U"), np.random.default_rng(3), n_sequences=400, min_accuracy=0.6
    )
    assert lenient.passed and lenient.n_right == three_quarters.n_right
    with pytest.raises(ValueError, match="min_accuracy"):
        task.evaluate(predictor(task, 0.9), np.random.default_rng(3), min_accuracy=1.5)


def test_exactly_at_the_accuracy_threshold_passes():
    task = TemporalOrderTask(10)
    rng = np.random.default_rng(4)
    labels = [task.sample(rng)[1][-1] for _ in range(200)]
    n_u = sum(task.vocab.tokens[i] == "U" for i in labels)
    v = task.evaluate(predictor(task, 0.9, wrong_on="U"), np.random.default_rng(4), 200, (200 - n_u) / 200)
    assert v.passed and v.n_right == 200 - n_u


def test_state_labels_count_the_marks_seen_so_far():
    task = TemporalOrderTask(10)
    x = task.vocab.encode("EaXbcYdB")
    labels, names = task.state_labels(x)
    assert names == SEEN
    assert [names[i] for i in labels] == ["none yet"] * 2 + ["X"] * 3 + ["X Y"] * 3
    labels, _ = task.state_labels(task.vocab.encode("EYaYB"))
    assert [SEEN[i] for i in labels] == ["none yet", "Y", "Y", "Y Y", "Y Y"]
    with pytest.raises(ValueError, match="more than two"):
        task.state_labels(task.vocab.encode("EXXXB"))
    with pytest.raises(ValueError, match="not a token id"):
        task.state_labels(task.vocab.encode("EQB"))  # class symbols are never inputs
