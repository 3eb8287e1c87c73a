"""The Jacobian row as computed before two_norm (rnnviz/core/backprop.py's jacobian_norm_row then):
np.linalg.norm after each product, in turn. tests/core/test_two_norm.py compares rows with it to
the bit; benchmarks/jacobian_row.py --pairs times it beside the new row."""

import numpy as np


def serial_row(rows, t: int) -> np.ndarray:
    """Row t of a JacobianRows: (t+1,) ||d state_t / d state_k||_2 for k = 0..t."""
    cell, prep, cache = rows.spec, rows._prep, rows._cache
    H, n = cell.H, len(cell.states)
    P, out = np.eye(n * H), np.empty(t + 1)
    out[t] = np.linalg.norm(P, 2)
    for k in range(t - 1, -1, -1):
        errors = tuple(P[:, i * H : (i + 1) * H] for i in range(n))
        _, carry, _ = cell.backward_step(prep, cache, k + 1, errors, slice(None))
        P = carry[0] if n == 1 else np.hstack(carry)
        out[k] = np.linalg.norm(P, 2)
    return out
