"""Input checks shared by the core's public entry points: clear messages for a learner."""

from __future__ import annotations

import numpy as np


def check_positive_int(name: str, value, allow_zero: bool = False) -> int:
    """Return value as int, or raise ValueError if it is not a positive whole number."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    low = 0 if allow_zero else 1
    if not ok or value < low:
        kind = "a whole number >= 0" if allow_zero else "a positive whole number"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def _as_ids(name: str, seq, vocab_size: int, masked_ok: bool = False) -> np.ndarray:
    arr = np.asarray(seq)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of token ids, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a sequence needs at least one token")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating) or not np.all(np.mod(arr, 1) == 0):
            raise ValueError(f"{name} must hold integer token ids, got {arr.dtype} values")
    ids = arr.astype(np.int64)
    low = -1 if masked_ok else 0
    if ids.min() < low or ids.max() >= vocab_size:
        bad = (ids < low) | (ids >= vocab_size)
        i = int(np.argmax(bad))
        if masked_ok:
            raise ValueError(
                f"{name}[{i}] = {ids[i]} is not a target: a target is a token id between 0 and"
                f" {vocab_size - 1}, or -1 for 'no loss at this step'"
            )
        raise ValueError(
            f"{name}[{i}] = {ids[i]} is not a token id: ids must be between 0 and {vocab_size - 1}"
            f" (the vocabulary has {vocab_size} tokens)"
        )
    return ids


def check_sequences(x, y, vocab_size: int, masked_ok: bool = False):
    """Validate inputs x (and targets y, unless None); return them as int64 arrays.

    With masked_ok, a target y_t = -1 means "no loss at step t" (DESIGN.md section 6)."""
    xs = _as_ids("x", x, vocab_size)
    if y is None:
        return xs
    ys = _as_ids("y", y, vocab_size, masked_ok)
    if len(xs) != len(ys):
        raise ValueError(f"x and y must have the same length, got {len(xs)} inputs and {len(ys)} targets")
    return xs, ys


def loss_steps(y: np.ndarray) -> int:
    """|M|, the number of steps with a target (the loss's normaliser); ValueError if there are none."""
    n = int(np.count_nonzero(y >= 0))
    if n == 0:
        raise ValueError(
            "every target is -1 (masked), so there is no loss to compute: give at least one step a target"
        )
    return n


def check_time_index(t: int, T: int) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 0 <= t < T:
        raise ValueError(f"t must be a timestep between 0 and {T - 1}, got {t!r}")
    return int(t)
