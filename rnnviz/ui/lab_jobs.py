"""The lab views' slow numbers, as pure calls to the core (no Qt): run in a worker thread.

- Pascanu's cliff: the loss surface E(w, b) on a fixed grid, and two SGD paths from one start,
  without and with norm clipping (rnnviz.core.cliff).
- The hidden-state space: a 2-D projection fitted on the hidden states of many training sequences
  (rnnviz.core.projection), with the states and their task labels, so the view can draw the cloud.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core import cliff
from rnnviz.core.projection import Projection, fit_projection

# --- Pascanu's cliff ----------------------------------------------------------------------------------

W_RANGE, B_RANGE = (1.0, 7.0), (-4.5, 0.5)  # the picture: the wall runs from w ≈ 4.3 down to the right
GRID = (241, 201)  # points along w and b (steps of 0.025): the wall is a few cells wide near w = 5


@dataclass(frozen=True)
class Surface:
    w: np.ndarray  # (n_w,) the grid's w values
    b: np.ndarray  # (n_b,) its b values
    E: np.ndarray  # (n_b, n_w) the error, row i is b[i] (a row-major image)


def cliff_surface(w_range=W_RANGE, b_range=B_RANGE, grid=GRID) -> Surface:
    w = np.linspace(*w_range, grid[0])
    b = np.linspace(*b_range, grid[1])
    return Surface(w, b, cliff.loss_surface(w, b))


@dataclass(frozen=True)
class Paths:
    """SGD from one start with the same learning rate and number of steps."""

    free: cliff.SGDPath  # without clipping
    clipped: cliff.SGDPath  # with norm clipping at `clip` (Pascanu et al.'s Algorithm 1)
    clip: float
    n_steps: int  # asked for (a path that stopped being finite is shorter)


def cliff_paths(w0: float, b0: float, lr: float, n_steps: int, clip: float) -> Paths:
    free, clipped = cliff.sgd(w0, b0, lr, n_steps), cliff.sgd(w0, b0, lr, n_steps, clip=clip)
    return Paths(free, clipped, clip, n_steps)


# --- the hidden-state space ---------------------------------------------------------------------------

FIT_SEQUENCES = 64  # training sequences whose states the projection is fitted on ...
FIT_STATES = 4096  # ... fewer for long sequences: about this many states are plenty for two components
# (64 sequences of 200 steps at H = 256 took 1.3 s in the worker; benchmarks/lab_numbers.py)


def sequences_for(seq_len: int) -> int:
    """How many sequences the fit draws: FIT_SEQUENCES, or fewer (at least 8) for long ones."""
    return max(8, min(FIT_SEQUENCES, -(-FIT_STATES // seq_len)))


@dataclass(frozen=True)
class StateCloud:
    projection: Projection
    states: np.ndarray  # (N, H) the states it was fitted on
    points: np.ndarray  # (N, 2) those states projected
    labels: np.ndarray | None  # (N,) their task labels, or None if the task has none
    names: tuple[str, ...]  # what each label means
    n_sequences: int


def label_states(source, x, kind: str | None) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """The task's per-step labels of a sequence (e.g. the grammar's node), or (None, ()) if it has none."""
    if kind is None or not hasattr(source, "state_labels"):
        return None, ()
    labels, names = source.state_labels(x, kind)
    return np.asarray(labels), tuple(names)


def fit_states(
    model,
    source,
    seed: int,
    kind: str | None,
    seq_len: int,
    align_to: Projection | None = None,
    n_sequences: int | None = None,
) -> StateCloud:
    """Draw `n_sequences` sequences (default: sequences_for(seq_len)) from `source` (a generator of their
    own, from `seed`), run `model` on each and fit the projection on all their states; `align_to` keeps
    an earlier fit's signs."""
    n_sequences = sequences_for(seq_len) if n_sequences is None else n_sequences
    rng = np.random.default_rng([seed, 2])  # apart from the model's and the app's sequence draws
    spec = model.spec
    prep = spec.prepare(model.params())
    states, labels, names = [], [], ()
    for _ in range(n_sequences):
        x, _y = source.sample(rng, seq_len)
        states.append(spec.forward_sequence(prep, x)["s"])  # (T_i, H): the states alone, no outputs
        #                                                     over a vocabulary of up to 8,000
        lab, names = label_states(source, x, kind)
        labels.append(lab)
    projection = fit_projection(states, align_to=align_to)
    S = np.concatenate(states)  # (N, H)
    flat = None if labels[0] is None else np.concatenate(labels)
    return StateCloud(projection, S, projection.project(S), flat, names, n_sequences)
