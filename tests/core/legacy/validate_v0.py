# Frozen copy of rnnviz/core/validate.py at commit ecfe3bc (before the cell protocol), kept
# verbatim (imports aside) so tests can show the vanilla RNN's numbers are unchanged to the last bit.
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


def _as_ids(name: str, seq, vocab_size: int) -> np.ndarray:
    arr = np.asarray(seq)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of token ids, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a sequence needs at least one token")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating) or not np.all(np.mod(arr, 1) == 0):
            raise ValueError(f"{name} must hold integer token ids, got {arr.dtype} values")
    ids = arr.astype(np.int64)
    bad = (ids < 0) | (ids >= vocab_size)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name}[{i}] = {ids[i]} is not a token id: ids must be between 0 and {vocab_size - 1}"
            f" (the vocabulary has {vocab_size} tokens)"
        )
    return ids


def check_sequences(x, y, vocab_size: int):
    """Validate inputs x (and targets y, unless None); return them as int64 arrays."""
    xs = _as_ids("x", x, vocab_size)
    if y is None:
        return xs
    ys = _as_ids("y", y, vocab_size)
    if len(xs) != len(ys):
        raise ValueError(f"x and y must have the same length, got {len(xs)} inputs and {len(ys)} targets")
    return xs, ys
