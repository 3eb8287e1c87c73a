"""Shared pieces of the long-range tasks: the verdict of a success criterion, the evaluation loop
and the checks on what a caller passes in. NumPy only.

A model is judged through `predict(x) -> o`, a function from a token sequence x (T,) to the
model's output distributions o (T, K), e.g. `lambda x: model.forward(x).o`; the hidden state
starts from zero for every sequence (s_{-1} = 0), as everywhere in rnnviz.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from rnnviz.core.validate import check_positive_int

Predict = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Verdict:
    """The outcome of a task's success criterion on a test set."""

    passed: bool  # the task's criterion holds
    n_sequences: int  # sequences evaluated
    n_right: int  # sequences that meet the per-sequence rule
    worst: float  # the task's worst-case figure (its `criterion` says which)
    criterion: str  # the rule, in words

    @property
    def accuracy(self) -> float:
        return self.n_right / self.n_sequences


def check_cap(seq_len, shortest: int, longest: int | None, task: str) -> int | None:
    """Validate `seq_len`, the longest sequence (in steps) a caller accepts; None = no limit.

    Raises ValueError when no sequence of the task fits: a task never returns more steps than asked.
    """
    if seq_len is None:
        return None
    cap = check_positive_int("seq_len", seq_len)
    need = shortest if longest is None else longest
    if cap < need:
        what = "the shortest sequence" if longest is None else "its longest sequence"
        raise ValueError(f"{task}: {what} has {need} steps, more than seq_len = {cap}; raise seq_len")
    return cap


def check_outputs(o, T: int, K: int) -> np.ndarray:
    """The model's outputs as a (T, K) float array of finite numbers, or a clear ValueError."""
    o = np.asarray(o, dtype=np.float64)
    if o.shape != (T, K):
        raise ValueError(f"outputs must have shape (T, K) = ({T}, {K}), got {o.shape}")
    if not np.all(np.isfinite(o)):
        raise ValueError("outputs hold NaN or infinity: the model has diverged")
    return o


def max_output_error(o: np.ndarray, y: np.ndarray) -> float:
    """Hochreiter & Schmidhuber's (1997) output error, for outputs o (T, K) and targets y (T,):
    max over steps t with a target (y_t >= 0) and over units k of |o_t[k] - onehot(y_t)[k]|.
    For softmax rows this is max_t (1 - o_t[y_t]): the target unit misses by the mass on the others."""
    y = np.asarray(y)
    steps = np.flatnonzero(y >= 0)
    if steps.size == 0:
        raise ValueError("no step has a target (every y_t is -1): there is no output error to measure")
    target = np.zeros((steps.size, o.shape[1]))  # (M, K) one-hot targets
    target[np.arange(steps.size), y[steps]] = 1.0
    return float(np.max(np.abs(o[steps] - target)))


def distinct(sequences: Iterable[tuple[np.ndarray, np.ndarray]]) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(count, x, y) for each distinct (x, y): the forward pass is deterministic, so a sequence
    drawn many times (task 2a has only two) is run once and counted as often as it was drawn."""
    seen: dict[bytes, list] = {}
    for x, y in sequences:
        key = x.tobytes() + b"|" + y.tobytes()
        if key in seen:
            seen[key][0] += 1
        else:
            seen[key] = [1, x, y]
    return [(n, x, y) for n, x, y in seen.values()]
