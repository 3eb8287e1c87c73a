"""The temporal order task (Hochreiter & Schmidhuber 1997, task 6a; used by Pascanu et al. 2013).

The paper: a sequence starts with E, ends with the trigger B, and is otherwise random symbols from
{a, b, c, d}, except at two positions t1 and t2 that hold X or Y. Length 100-110, t1 in 10-20,
t2 in 50-60. The class is the order of the two marked symbols: X,X -> Q; X,Y -> R; Y,X -> S;
Y,Y -> U. The error signal comes only at the end, and a sequence is classified correctly when the
final error of every output unit is below 0.3.

Here, and how it differs from the paper:
- Loss only at the last step: every target is -1 (no loss, DESIGN.md section 6) except y_{T-1},
  the class. The input at the last step is the trigger B.
- Output. rnnviz's models predict over their whole vocabulary: the 8 input symbols and the 4 class
  symbols Q, R, S, U (the paper had 4 logistic output units). The per-sequence rule keeps its form:
  final output error max_k |o_{T-1}[k] - onehot(y_{T-1})[k]| below 0.3, which for a softmax means
  o_{T-1}[class] > 0.7.
- Length parameter L (`length`): the length is drawn from [L, L + L//10], t1 from
  [max(1, L//10), max(1, 2L//10)] and t2 from [L//2, L//2 + L//10]; L = 100 is the paper's setting
  exactly. Pascanu et al.'s version (their released code) has a fixed length, no E/B markers and
  six symbols, with t1 in [L/10, 2L/10) and t2 in [L/2, 6L/10), close to this one.
- Success, stated here because the papers use different bars: the task is solved when at least
  `min_accuracy` = 99% of `n_sequences` = 2,000 fresh sequences are classified correctly by the rule
  above (both are parameters; the training script released with Pascanu et al. stops only at zero
  argmax errors on 10,000 sequences: pass min_accuracy=1.0 for a bar that strict).
- Every sequence starts from a zero state (s_{-1} = 0).
"""

from __future__ import annotations

import numpy as np

from rnnviz.core.data import Vocabulary
from rnnviz.core.task_eval import Predict, Verdict, check_cap, check_outputs, distinct, max_output_error
from rnnviz.core.validate import check_positive_int, check_sequences

# ids 0-3 distractors, 4-5 the marked symbols, 6 start, 7 trigger, 8-11 the classes
TOKENS = ("a", "b", "c", "d", "X", "Y", "E", "B", "Q", "R", "S", "U")
X_ID, E_ID, B_ID, Q_ID = 4, 6, 7, 8
N_INPUTS = 8  # Q, R, S, U are outputs only
ERROR_BOUND = 0.3  # the paper's bound on the final output error
MIN_LENGTH, MAX_LENGTH = 4, 100_000
SEEN = ("none yet", "X", "Y", "X X", "X Y", "Y X", "Y Y")  # the marked symbols read so far


class TemporalOrderTask:
    """Classify the order of X/Y at two far-apart positions of a noisy sequence (see module docstring)."""

    state_kinds = ("seen",)

    def __init__(self, length: int = 100):
        self.length = check_positive_int("length", length)
        if not MIN_LENGTH <= self.length <= MAX_LENGTH:
            raise ValueError(f"length must be between {MIN_LENGTH} and {MAX_LENGTH:,}, got {length}")
        L = self.length
        self.name = f"temporal-order-{L}"
        self.vocab = Vocabulary(TOKENS)
        self.lengths = (L, L + L // 10)  # inclusive ranges
        self.first_at = (max(1, L // 10), max(1, 2 * L // 10))
        self.second_at = (L // 2, L // 2 + L // 10)

    def describe(self) -> str:
        return (
            f"temporal order (Hochreiter & Schmidhuber 1997, task 6a), length {self.length}: two X/Y marks"
            " far apart in noise; at the trigger B say their order (XX Q, XY R, YX S, YY U); loss at the end"
        )

    def sample(self, rng: np.random.Generator, seq_len=None):
        """One sequence of `self.lengths` steps; `seq_len`, if given, is the longest the caller accepts
        and must be at least the longest this task draws (L + L//10)."""
        check_cap(seq_len, self.lengths[0], self.lengths[1], self.name)
        T = int(rng.integers(self.lengths[0], self.lengths[1] + 1))
        t1 = int(rng.integers(self.first_at[0], self.first_at[1] + 1))
        t2 = int(rng.integers(self.second_at[0], self.second_at[1] + 1))
        marks = rng.integers(0, 2, size=2)  # 0 = X, 1 = Y
        x = rng.integers(0, 4, size=T)  # (T,) distractors a..d
        x[0], x[-1] = E_ID, B_ID
        x[[t1, t2]] = X_ID + marks
        y = np.full(T, -1, dtype=np.int64)  # (T,) no loss ...
        y[-1] = Q_ID + 2 * marks[0] + marks[1]  # ... but at the trigger
        return x.astype(np.int64), y

    def state_labels(self, x, kind: str = "seen"):
        """Per-step labels for colouring hidden states, and their names: the marked symbols read so
        far, x_0..x_t included (see SEEN)."""
        if kind not in self.state_kinds:
            raise ValueError(f"kind must be one of {', '.join(self.state_kinds)}, got {kind!r}")
        x = check_sequences(x, None, N_INPUTS)  # class symbols are never inputs
        marked = np.isin(x, (X_ID, X_ID + 1))
        if marked.sum() > 2:
            raise ValueError("x holds more than two X/Y marks: it is not a temporal order sequence")
        labels, code = np.zeros(len(x), dtype=np.int64), 0  # (T,)
        for t in range(len(x)):
            if marked[t]:  # none -> X (1) / Y (2); X -> XX (3) / XY (4); Y -> YX (5) / YY (6)
                code = 1 + int(x[t] - X_ID) if code == 0 else 3 + 2 * (code - 1) + int(x[t] - X_ID)
            labels[t] = code
        return labels, SEEN

    def classified_right(self, o, y) -> bool:
        """The paper's rule for one sequence: final output error below 0.3 (o[class] > 0.7)."""
        return max_output_error(o, y) < ERROR_BOUND

    def evaluate(
        self, predict: Predict, rng: np.random.Generator, n_sequences: int = 2000, min_accuracy: float = 0.99
    ) -> Verdict:
        """Solved iff at least `min_accuracy` of `n_sequences` fresh sequences are classified right.
        `worst` is the largest final output error met."""
        n = check_positive_int("n_sequences", n_sequences)
        if not 0.0 < min_accuracy <= 1.0:
            raise ValueError(f"min_accuracy must be in (0, 1], got {min_accuracy!r}")
        worst, right = 0.0, 0
        for count, x, y in distinct(self.sample(rng) for _ in range(n)):
            err = max_output_error(check_outputs(predict(x), len(x), len(self.vocab)), y)
            worst = max(worst, err)
            right += count * (err < ERROR_BOUND)
        rule = f"at least {min_accuracy:.0%} of {n} sequences with final output error below {ERROR_BOUND}"
        return Verdict(
            passed=right >= min_accuracy * n - 1e-9,
            n_sequences=n,
            n_right=int(right),
            worst=worst,
            criterion=rule,
        )
