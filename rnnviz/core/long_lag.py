"""Hochreiter & Schmidhuber (1997), task 2a: noise-free sequences with long time lags.

The paper: p + 1 symbols a_1, ..., a_{p-1}, a_p = x, a_{p+1} = y; the training set holds only two
sequences, (y, a_1, ..., a_{p-1}, y) and (x, a_1, ..., a_{p-1}, x), each drawn with probability 0.5;
the net sees one symbol at a time and predicts the next one, with an error signal at every step.
Only the last prediction is hard: to know whether x or y comes back, the net must carry the first
symbol across p steps. Success: over 10,000 randomly drawn test sequences, the largest absolute
error of any output unit stays below 0.25.

Here, and how it differs from the paper:
- Steps. The p + 1 symbols give p steps: x = the first p symbols, y = the last p (the next symbol
  at every step). Every step has a target; the first symbol is never predicted (nothing precedes it).
- Output. rnnviz's models end in a softmax over the p + 1 symbols trained with cross-entropy; the
  paper used p + 1 logistic output units trained on squared error. The criterion keeps its form:
  output error at step t = max over units k of |o_t[k] - onehot(y_t)[k]|, taken over every step with
  a target. For a softmax this equals 1 - o_t[y_t] (the target unit misses by the mass on the others,
  which is at least any single other unit), so "below 0.25" means o_t[y_t] > 0.75 at every step.
- Test set. N sequences (10,000 in the paper; a parameter) drawn with the caller's Generator. There
  are only two distinct sequences and the forward pass is deterministic, so each distinct sequence is
  run once and counted as often as it was drawn; with N = 10,000 both are drawn (a miss has
  probability 2^-9999), so the verdict is the same as checking both.
- State. Every sequence starts from a zero state (s_{-1} = 0).
- Network, initialisation ([-0.2, 0.2] in the paper), learning rate and the 5-million-sequence
  training budget belong to the trainer, not to this task.
"""

from __future__ import annotations

import numpy as np

from rnnviz.core.data import MAX_VOCAB, Vocabulary
from rnnviz.core.task_eval import Predict, Verdict, check_cap, check_outputs, distinct, max_output_error
from rnnviz.core.validate import check_positive_int, check_sequences

ERROR_BOUND = 0.25  # the paper's bound on the largest output error
PAPER_TEST_SIZE = 10_000  # sequences in the paper's test


class LongLagTask:
    """Task 2a: (x, a_1, ..., a_{p-1}, x) or (y, a_1, ..., a_{p-1}, y); predict every next symbol.

    `sample(rng, seq_len=None)` returns p steps; `seq_len`, if given, is the longest sequence the
    caller accepts, so a value below p raises ValueError (the length is the task's, not the caller's).
    """

    state_kinds = ("first",)

    def __init__(self, p: int = 4):
        self.p = check_positive_int("p", p)
        if self.p > MAX_VOCAB - 1:
            raise ValueError(f"p must be at most {MAX_VOCAB - 1} (p + 1 symbols), got {p}")
        self.name = f"long-lag-{self.p}"
        tokens = tuple(f"a{i}" for i in range(1, self.p)) + ("x", "y")
        self.vocab = Vocabulary(tokens, level="word")
        self.x_id, self.y_id = self.p - 1, self.p  # a_p = x and a_{p+1} = y, as the paper numbers them

    def describe(self) -> str:
        middle = {1: "", 2: "a1 "}.get(self.p, f"a1 .. a{self.p - 1} ")
        return (
            f"long time lag (Hochreiter & Schmidhuber 1997, task 2a), p = {self.p}: read x {middle}x"
            f" or y {middle}y and predict each next symbol; the last one needs the first, {self.p} steps back"
        )

    def string(self, first: int) -> np.ndarray:
        """The p + 1 symbols that begin (and end) with `first`, which must be x or y."""
        if first not in (self.x_id, self.y_id):
            raise ValueError(
                f"a task 2a sequence begins with x or y (ids {self.x_id}, {self.y_id}), got {first}"
            )
        return np.concatenate([[first], np.arange(self.p - 1), [first]]).astype(np.int64)  # (p+1,)

    def sample(self, rng: np.random.Generator, seq_len=None):
        check_cap(seq_len, self.p, self.p, self.name)
        first = (self.x_id, self.y_id)[int(rng.integers(2))]
        s = self.string(first)
        return s[:-1].copy(), s[1:].copy()

    def state_labels(self, x, kind: str = "first"):
        """Per-step labels for colouring hidden states, and their names: which symbol the sequence
        began with (what the net must remember). x is a task 2a sequence or a prefix of one."""
        if kind not in self.state_kinds:
            raise ValueError(f"kind must be one of {', '.join(self.state_kinds)}, got {kind!r}")
        x = check_sequences(x, None, len(self.vocab))
        expected = self.string(int(x[0]))[: len(x)]
        if len(x) > self.p or not np.array_equal(x, expected):
            raise ValueError(f"x is not a {self.name} sequence (or a prefix of one)")
        labels = np.full(len(x), int(x[0] == self.y_id), dtype=np.int64)  # (T,)
        return labels, ("began with x", "began with y")

    def evaluate(
        self, predict: Predict, rng: np.random.Generator, n_sequences: int = PAPER_TEST_SIZE
    ) -> Verdict:
        """The paper's criterion: the largest output error over `n_sequences` drawn sequences is
        below 0.25. `worst` is that largest error; `n_right` counts sequences whose own is below."""
        n = check_positive_int("n_sequences", n_sequences)
        K = len(self.vocab)
        worst, right = 0.0, 0
        for count, x, y in distinct(self.sample(rng) for _ in range(n)):
            err = max_output_error(check_outputs(predict(x), len(x), K), y)
            worst = max(worst, err)
            right += count * (err < ERROR_BOUND)
        rule = f"largest output error max_t,k |o_t[k] - onehot(y_t)[k]| below {ERROR_BOUND} on {n} sequences"
        return Verdict(passed=right == n, n_sequences=n, n_right=int(right), worst=worst, criterion=rule)
