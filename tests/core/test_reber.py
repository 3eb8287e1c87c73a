"""The embedded Reber grammar: generation checked against an independent regular expression,
legal next-symbol sets, and the 'every prediction right' criterion."""

import re

import numpy as np
import pytest

from rnnviz.core.reber import BRANCHES, NODES, SHORTEST_STEPS, EmbeddedReberTask

# The Reber language written as a regular expression by hand from the grammar's graph (node 3's
# loop T*VPX returns to node 3; nodes 4 and 5 end with S and V): an independent witness.
FROM_3 = "(?:T*VPX)*T*V(?:V|PS)"
REBER = f"B(?:TS*X(?:S|X{FROM_3})|P{FROM_3})E"
EMBEDDED = re.compile(f"^B([TP]){REBER}\\1E$")

TASK = EmbeddedReberTask()


def text(x, y):
    return "".join(TASK.vocab.decode(np.concatenate([x, y[-1:]])))


def uniform_over_legal(x):
    legal = TASK.legal_next(x)
    return legal / legal.sum(axis=1, keepdims=True)


def test_every_generated_string_is_an_embedded_reber_string():
    rng = np.random.default_rng(0)
    strings = [TASK.sample(rng) for _ in range(3000)]
    for x, y in strings:
        assert EMBEDDED.match(text(x, y)), text(x, y)
        assert np.array_equal(x[1:], y[:-1]) and np.all(y >= 0) and len(x) >= SHORTEST_STEPS
    branches = np.array([text(x, y)[1] == "T" for x, y in strings])
    assert abs(branches.mean() - 0.5) < 0.04  # a fair coin picks the branch
    assert min(len(x) for x, _ in strings) == SHORTEST_STEPS


def test_the_regex_rejects_strings_the_grammar_forbids():
    assert EMBEDDED.match("BTBTXSETE") and EMBEDDED.match("BPBPVVEPE") and EMBEDDED.match("BTBPTVPXTTVVETE")
    for bad in ("BTBTXSEPE", "BTBTSSETE", "BPBPVVEP", "BTBTXSETEX", "BTBTXXVETE"):
        assert not EMBEDDED.match(bad)


def test_legal_next_sets_on_hand_worked_strings():
    x = TASK.vocab.encode("BTBTXSET")  # BTBTXSETE without its last symbol
    legal = [
        "".join(s for s, ok in zip(TASK.vocab.tokens, row, strict=True) if ok) for row in TASK.legal_next(x)
    ]
    assert legal == ["TP", "B", "TP", "SX", "SX", "E", "T", "E"]
    x = TASK.vocab.encode("BPBPVVEP")
    legal = [
        "".join(s for s, ok in zip(TASK.vocab.tokens, row, strict=True) if ok) for row in TASK.legal_next(x)
    ]
    assert legal == ["TP", "B", "TP", "TV", "PV", "E", "P", "E"]


def test_the_next_symbol_is_always_legal_and_the_long_range_step_has_one_answer():
    rng = np.random.default_rng(1)
    for _ in range(500):
        x, y = TASK.sample(rng)
        legal = TASK.legal_next(x)
        assert np.all(legal[np.arange(len(y)), y])
        assert set(legal.sum(axis=1)) <= {1, 2}
        branch = x[1]
        assert np.flatnonzero(legal[-2]).tolist() == [branch]  # after the inner E: the branch again


def test_strings_outside_the_grammar_are_refused_with_the_legal_symbols():
    with pytest.raises(ValueError, match=r"x\[3\] = 'S' breaks .*T or P must come next"):
        TASK.legal_next(TASK.vocab.encode("BTBS"))
    with pytest.raises(ValueError, match=r"x\[0\] = 'T'.*B must come next"):
        TASK.legal_next(TASK.vocab.encode("T"))
    with pytest.raises(ValueError, match="nothing"):
        TASK.legal_next(TASK.vocab.encode("BTBTXSETEB"))


def test_uniform_over_the_legal_set_is_all_right():
    rng = np.random.default_rng(2)
    train, test = TASK.paper_sets(rng, n_train=60, n_test=40)
    v = TASK.evaluate_on(uniform_over_legal, train + test)
    assert v.passed and v.n_sequences == 100 and v.n_right == 100 and v.worst == pytest.approx(0.5)
    assert TASK.evaluate(uniform_over_legal, rng, n_sequences=50).passed


def test_forgetting_the_branch_makes_the_long_range_prediction_wrong():
    def forgetful(x):  # knows the inner grammar, but after the inner E says T or P at random-ish
        o = uniform_over_legal(x)
        o[-2] = 0.0
        o[-2, TASK.vocab.encode("TP")] = 0.5  # a tie between the legal and an illegal symbol
        return o

    rng = np.random.default_rng(3)
    strings = [TASK.sample(rng) for _ in range(30)]
    v = TASK.evaluate_on(forgetful, strings)
    assert not v.passed and v.n_right == 0 and v.worst == 0.0
    right = TASK.predictions_right(forgetful(strings[0][0]), strings[0][0])
    assert not right[-2] and right[:-2].all() and right[-1]


def test_ranking_not_size_decides_right():
    x, _ = TASK.sample(np.random.default_rng(4))
    legal = TASK.legal_next(x)
    o = np.where(legal, 0.2, 0.1)  # low probabilities, but the legal ones on top: right
    assert TASK.predictions_right(o, x).all()
    o[0, TASK.vocab.encode("S")] = 0.25  # an illegal symbol above a legal one at step 0: wrong
    assert TASK.predictions_right(o, x).tolist() == [False] + [True] * (len(x) - 1)


def test_paper_sets_keep_test_strings_out_of_the_training_set():
    train, test = TASK.paper_sets(np.random.default_rng(5))
    assert len(train) == 256 and len(test) == 256
    seen = {x.tobytes() for x, _ in train}
    assert not any(x.tobytes() in seen for x, _ in test)


def test_state_labels_follow_the_grammar():
    x = TASK.vocab.encode("BPBTSXXVPSEP")  # B P [B T S X X V P S E] P
    nodes, names = TASK.state_labels(x, "node")
    assert names == NODES
    assert [names[i] for i in nodes] == [
        "after B", "after T/P", "node 1", "node 2", "node 2", "node 4", "node 3", "node 5", "node 4",
        "node 6", "after inner E", "after last T/P",
    ]  # fmt: skip
    branch, names = TASK.state_labels(x, "branch")
    assert names == BRANCHES and [names[i] for i in branch] == ["no branch yet"] + ["P branch"] * 11
