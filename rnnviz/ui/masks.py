"""Steps with no target (y_t = -1: no loss there, DESIGN.md section 6), said the same way in every view.

L is the mean of E_t over the set M of steps that have a target, L = (1/|M|) sum_{t in M} E_t; with
no masked step, M is every step and this is the seed's (1/T) sum_t E_t. No Qt here.
"""

from __future__ import annotations

import numpy as np

NO_TARGET = "no target at this step"


def has_target(y_t) -> bool:
    return int(y_t) >= 0


def masked(y) -> bool:
    """Whether any step of the sequence has no target."""
    return bool(np.any(np.asarray(y) < 0))


def normaliser(y) -> str:
    """What L divides by, as the equations write it: T, or |M| once some step has no target."""
    return "|M|" if masked(y) else "T"


def mean_loss(losses, y) -> float | None:
    """The mean of E_t over the steps of `losses` (the first len(losses) steps) that have a target:
    L once every step is in, "L so far" before. None while none of them has a target."""
    losses = np.asarray(losses, dtype=np.float64)
    keep = np.asarray(y)[: len(losses)] >= 0
    return float(losses[keep].mean()) if keep.any() else None


def steps_with_target(y) -> str:
    """'the 1 step with a target' / 'all 12 steps': what the mean is over, in words."""
    y = np.asarray(y)
    n = int(np.count_nonzero(y >= 0))
    if n == len(y):
        return f"all {n} steps"
    return f"the {n} step{'' if n == 1 else 's'} with a target (|M| = {n} of T = {len(y)})"


def traced_step(y, wanted: int) -> int:
    """The loss E_t one-loss mode can trace: `wanted` if step `wanted` has a target, else the nearest
    step that has one (the later on a tie), so a task with masked steps never makes the trace fail."""
    y = np.asarray(y)
    if y[wanted] >= 0:
        return int(wanted)
    have = np.flatnonzero(y >= 0)
    return int(have[np.argmin(np.abs(have - wanted) - 0.5 * (have > wanted))])
