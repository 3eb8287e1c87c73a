"""The embedded Reber grammar (Hochreiter & Schmidhuber 1997, experiment 1; Cleeremans et al. 1989).

A Reber string: B, a walk through the grammar's six nodes, E. An embedded Reber string:
B, then T or P (the branch), then a Reber string, then the same T or P again, then E. Every choice
between two symbols is a coin flip. The net reads one symbol at a time and predicts the next one; all
predictions but one need only the last few symbols, but the one after the inner E (T or P) needs the
branch chosen at the start, an arbitrary number of steps back.

The paper: 256 training strings and 256 other test strings; activations reset to zero after each
string; a trial succeeds when every symbol of every training and test string is predicted right,
i.e. "the output unit(s) corresponding to the possible next symbol(s) is(are) always the most active".

Here, and how it differs from the paper:
- Steps. A string of n symbols gives n - 1 steps: x = all but the last symbol, y = all but the first.
  Every step has a target (no -1): the symbol that actually comes next, so where two symbols are legal
  the cross-entropy is smallest when the model gives each probability 1/2.
- Output. A softmax over the 7 symbols trained with cross-entropy (the paper: 7 logistic units).
- Correct prediction at step t, made precise: with L_t the set of legal next symbols after x_0..x_t
  (`legal_next`), the |L_t| largest outputs are exactly L_t, i.e. min over L_t of o_t > max over the
  other symbols of o_t (a tie counts as wrong). This is the paper's "most active" rule, not a threshold.
- Test sets. `paper_sets` builds the paper's 256 + 256 strings (the test strings are never training
  strings); `sample` draws fresh strings from the grammar, an unlimited training set, and `evaluate`
  judges fresh strings: use `evaluate_on(predict, train + test)` for the paper's check.
- Length. Fixed by the grammar: 8 steps at least, no upper bound (loops). `sample(rng, seq_len)` with
  seq_len given redraws strings longer than seq_len steps (so it samples the grammar conditioned on
  fitting); seq_len < 8 raises ValueError.
- State. Every string starts from a zero state (s_{-1} = 0), as in the paper.
"""

from __future__ import annotations

import numpy as np

from rnnviz.core.data import Vocabulary
from rnnviz.core.task_eval import Predict, Verdict, check_cap, check_outputs
from rnnviz.core.validate import check_positive_int, check_sequences

SYMBOLS = ("B", "T", "P", "S", "X", "V", "E")
SHORTEST_STEPS = 8  # B T B T X S E T E (or with P V V): 9 symbols

# The inner Reber grammar (H&S 1997 fig. 3): node -> {symbol: next node}; node 1 follows the inner B.
INNER = {
    "1": {"T": "2", "P": "3"},
    "2": {"S": "2", "X": "4"},
    "3": {"T": "3", "V": "5"},
    "4": {"X": "3", "S": "6"},
    "5": {"P": "4", "V": "6"},
    "6": {"E": "after inner E"},
}
# Where the embedded grammar is after reading a symbol: the labels `state_labels(x, "node")` gives.
NODES = (
    "after B",
    "after T/P",
    "node 1",
    "node 2",
    "node 3",
    "node 4",
    "node 5",
    "node 6",
    "after inner E",
    "after last T/P",
)
BRANCHES = ("no branch yet", "T branch", "P branch")
START, FINISHED = "start", "finished"


def _moves(node: str, branch: str | None) -> dict[str, str]:
    """The legal next symbols from `node` and the node each one leads to."""
    if node == START:
        return {"B": "after B"}
    if node == "after B":
        return {"T": "after T/P", "P": "after T/P"}
    if node == "after T/P":
        return {"B": "1"}
    if node in INNER:
        return INNER[node]
    if node == "after inner E":
        return {branch: "after last T/P"}  # the long-range prediction: the branch comes back
    if node == "after last T/P":
        return {"E": FINISHED}
    return {}


def _inner_name(node: str) -> str:
    return f"node {node}" if node in INNER else node


class EmbeddedReberTask:
    """Embedded Reber strings; predict every next symbol (see the module docstring)."""

    name = "embedded-reber"
    state_kinds = ("node", "branch")

    def __init__(self):
        self.vocab = Vocabulary(SYMBOLS)

    def describe(self) -> str:
        return (
            "embedded Reber grammar (Hochreiter & Schmidhuber 1997): B, T or P, a Reber string, the same"
            " T or P, E; predict each next symbol, including the T or P that only the start can tell"
        )

    def string(self, rng: np.random.Generator) -> np.ndarray:
        """One embedded Reber string (symbol ids), every choice a fair coin."""
        node, branch, out = START, None, []
        while moves := _moves(node, branch):
            symbol = tuple(moves)[int(rng.integers(len(moves)))]
            if node == "after B":
                branch = symbol
            out.append(symbol)
            node = moves[symbol]
        return self.vocab.encode(out)

    def sample(self, rng: np.random.Generator, seq_len=None):
        cap = check_cap(seq_len, SHORTEST_STEPS, None, self.name)
        while True:
            s = self.string(rng)
            if cap is None or len(s) - 1 <= cap:
                return s[:-1].copy(), s[1:].copy()

    def walk(self, x) -> tuple[list[str], list[str | None]]:
        """The grammar node and the branch (T, P or None) after each symbol of x; ValueError if x
        is not the beginning of an embedded Reber string."""
        x = check_sequences(x, None, len(self.vocab))
        node, branch, nodes, branches = START, None, [], []
        for t, symbol in enumerate(self.vocab.decode(x)):
            moves = _moves(node, branch)
            if symbol not in moves:
                legal = " or ".join(moves) or "nothing (the string is over)"
                raise ValueError(
                    f"x[{t}] = {symbol!r} breaks the embedded Reber grammar: {legal} must come next"
                )
            if node == "after B":
                branch = symbol
            node = moves[symbol]
            nodes.append(node)
            branches.append(branch)
        return nodes, branches

    def legal_next(self, x) -> np.ndarray:
        """(T, K) bool: [t, k] is True where symbol k may follow x_0..x_t."""
        nodes, branches = self.walk(x)
        legal = np.zeros((len(nodes), len(self.vocab)), dtype=bool)  # (T, K)
        for t, (node, branch) in enumerate(zip(nodes, branches, strict=True)):
            legal[t, self.vocab.encode(_moves(node, branch))] = True
        return legal

    def state_labels(self, x, kind: str = "node"):
        """Per-step labels for colouring hidden states, and their names: the grammar node reached
        after x_t ('node', see NODES), or the branch chosen at the start ('branch', see BRANCHES)."""
        if kind not in self.state_kinds:
            raise ValueError(f"kind must be one of {', '.join(self.state_kinds)}, got {kind!r}")
        nodes, branches = self.walk(x)
        if kind == "node":
            return np.array([NODES.index(_inner_name(n)) for n in nodes], dtype=np.int64), NODES
        return np.array([(None, "T", "P").index(b) for b in branches], dtype=np.int64), BRANCHES

    def margins(self, o, x) -> np.ndarray:
        """(T,): min over legal symbols of o_t minus max over the others; step t is right iff > 0."""
        legal = self.legal_next(x)
        o = check_outputs(o, len(legal), len(self.vocab))
        lowest_legal = np.where(legal, o, np.inf).min(axis=1)
        highest_other = np.where(legal, -np.inf, o).max(axis=1)
        return lowest_legal - highest_other

    def predictions_right(self, o, x) -> np.ndarray:
        """(T,) bool: the legal next symbols are exactly the |L_t| most probable ones."""
        return self.margins(o, x) > 0

    def evaluate_on(self, predict: Predict, sequences) -> Verdict:
        """Passed iff every step of every (x, y) in `sequences` is predicted right. `worst` is the
        smallest margin (negative: some prediction is wrong); `n_right` counts all-right strings."""
        worst, right, n = np.inf, 0, 0
        for x, _y in sequences:
            m = self.margins(predict(x), x)
            worst = min(worst, float(m.min()))
            right += bool(np.all(m > 0))
            n += 1
        if n == 0:
            raise ValueError("no sequences to evaluate")
        rule = (
            "every next-symbol prediction right: the legal symbols are the most probable ones at every step"
        )
        return Verdict(passed=right == n, n_sequences=n, n_right=right, worst=worst, criterion=rule)

    def evaluate(self, predict: Predict, rng: np.random.Generator, n_sequences: int = 512) -> Verdict:
        """The criterion on `n_sequences` fresh strings (the paper's 256 + 256 by default count)."""
        n = check_positive_int("n_sequences", n_sequences)
        return self.evaluate_on(predict, [self.sample(rng) for _ in range(n)])

    def paper_sets(self, rng: np.random.Generator, n_train: int = 256, n_test: int = 256):
        """The paper's data: `n_train` random training strings and `n_test` random test strings,
        none of which is a training string. Lists of (x, y)."""
        n_train, n_test = check_positive_int("n_train", n_train), check_positive_int("n_test", n_test)
        train = [self.sample(rng) for _ in range(n_train)]
        seen = {x.tobytes() for x, _ in train}
        test = []
        while len(test) < n_test:
            x, y = self.sample(rng)
            if x.tobytes() not in seen:
                test.append((x, y))
        return train, test
