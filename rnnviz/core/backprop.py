"""BPTT for any cell: the loops over time, written once; each cell supplies `backward_step`.

Notation: da_k^(t) = dE_t/da_k, the gradient of the loss at step t with respect to the
pre-activations of step k (all blocks stacked). Every parameter gradient is built from these:
dU_b[:, x_k] += da_k[b], dW_b += outer(da_k[b], r_k[b]), db_b += da_k[b] (see cells/base.py).

- full_backward: one sweep t = T-1..0 carrying the summed error of all later losses (O(T) steps).
- diagonals: every origin t at once, distance d = t - k = 0, 1, ..., so that the terms of each E_t
  can be cut at distance `depth` (truncated BPTT) or measured one by one (contributions) while
  holding O(T H) numbers, never the (T, T, H) array of all da_k^(t).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnviz.core.cells.base import Cell, param_name
from rnnviz.core.results import Gradients
from rnnviz.core.two_norm import NormsBeside


class Workspace:
    """Arrays reused by repeated bptt calls (the Trainer's), so that a large vocabulary does not cost
    fresh multi-MB arrays, and their page faults, on every call. Gradients computed with a workspace
    live in it: they are valid until the next call that uses the same workspace."""

    def __init__(self):
        self._arrays: dict[str, np.ndarray] = {}
        self._rows_used: dict[str, np.ndarray] = {}

    def empty(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        a = self._arrays.get(name)
        if a is None or a.shape != shape:
            a = self._arrays[name] = np.empty(shape)
        return a

    def zeros(self, name: str, shape: tuple[int, ...], rows_used: np.ndarray) -> np.ndarray:
        """An all-zero array; only the rows the previous call used are cleared (rows_used: this call's)."""
        a, before = self._arrays.get(name), self._rows_used.get(name)
        if a is None or a.shape != shape or before is None:
            a = self._arrays[name] = np.zeros(shape)
        else:
            a[before] = 0.0
        self._rows_used[name] = rows_used
        return a


def output_errors(o: np.ndarray, y: np.ndarray, scale: int | None) -> np.ndarray:
    """dE_t/d(V s_t) = o_t - onehot(y_t), computed in place in `o` (which it returns); rows with no
    target (y_t = -1) are 0. With `scale` = |M| every row is divided by it (L is a mean)."""
    mask = y >= 0
    rows = np.arange(len(y))
    o[rows[mask], y[mask]] -= 1.0
    if not mask.all():
        o[~mask] = 0.0
    if scale is not None:
        o /= scale
    return o


def full_backward(cell: Cell, prep, cache: dict, ds_direct: np.ndarray) -> np.ndarray:
    """(T, nB*H) dL/da_t for every t, where ds_direct[t] is the error at s_t through o_t:
    dL/ds_t = direct_t + what step t+1 sends back (and dL/dc_t from c_{t+1} for the LSTM)."""
    fast = cell.backward_sequence(prep, cache, ds_direct)
    if fast is not None:
        return fast
    T = len(ds_direct)
    da_all = np.empty((T, len(cell.stack) * cell.H))
    carry = cell.zero_state()
    for t in range(T - 1, -1, -1):
        errors = (np.add(ds_direct[t], carry[0]),) + carry[1:]
        da_all[t], carry, _ = cell.backward_step(prep, cache, t, errors, slice(None) if t else None)
    return da_all


def diagonals(
    cell: Cell, prep, cache: dict, ds_direct: np.ndarray, depth: int, visit: Callable, should_stop=None
) -> bool:
    """Call visit(d, da) for d = 0..min(depth, T-1), where da (T-d, nB*H) row k is da_k^(k+d):
    the gradient of E_{k+d} (direct error ds_direct[k+d]) with respect to step k's pre-activations.
    `should_stop()`, asked before each diagonal, ends the work early: False is returned."""
    T, H = ds_direct.shape
    errors = (ds_direct,) + tuple(np.zeros((T, H)) for _ in cell.states[1:])
    for d in range(min(depth, T - 1) + 1):
        if should_stop is not None and should_stop():
            return False
        n = T - d
        last = d == depth or n == 1
        da, carry, _ = cell.backward_step(prep, cache, slice(0, n), errors, None if last else slice(1, None))
        visit(d, da)
        if last:
            break
        errors = carry  # row k (k >= 1) of distance d becomes row k-1 of distance d+1: same origin
    return True


def truncated_sums(cell: Cell, prep, cache: dict, ds_direct: np.ndarray, depth: int, should_stop=None):
    """Truncated BPTT: (da_sum (T, nB*H), weight-group gradients), keeping for each E_t the terms
    of steps t-depth..t only. da_sum[k] = sum_t da_k^(t) over the kept t. None if should_stop()
    (asked before each of the depth + 1 diagonals) ended it early."""
    T = len(ds_direct)
    da_sum = np.zeros((T, len(cell.stack) * cell.H))  # (T, nB*H)
    groups = cell.weight_groups(cache)
    dW = [np.zeros((c.stop - c.start, cell.H)) for c, _ in groups]

    def visit(d, da):
        n = len(da)
        da_sum[:n] += da
        if n > 1:  # step 0 reads s_{-1} = 0: it adds nothing to any W
            for acc, (cols, r) in zip(dW, groups, strict=True):
                acc += da[1:, cols].T @ r[1:n]

    if not diagonals(cell, prep, cache, ds_direct, depth, visit, should_stop):
        return None
    return da_sum, dW


def full_weight_grads(cell: Cell, cache: dict, da_all: np.ndarray) -> list[np.ndarray]:
    """Per weight group, sum_k outer(da_k, r_k): one matrix product over all steps."""
    return [da_all[1:, cols].T @ r[1:] for cols, r in cell.weight_groups(cache)]


def assemble(cell: Cell, x, da_sum, dW_groups, dV, loss: float, workspace: Workspace | None = None):
    """Gradients (keys as params()) from da_sum (T, nB*H) and the weight-group gradients."""
    shape = (cell.K, da_sum.shape[1])  # (K, nB*H): column x_t of dU_b is row x_t here
    dUt = np.zeros(shape) if workspace is None else workspace.zeros("dUt", shape, x)
    np.add.at(dUt, x, da_sum)  # touches T rows only, not every page of the array
    by_block = {}
    for cols, dW in zip(cell.group_columns(), dW_groups, strict=True):
        for b in cell.stack:
            c = cell.cols[b]
            if cols.start <= c.start < cols.stop:
                by_block[b] = dW[c.start - cols.start : c.stop - cols.start]
    arrays = {}
    for b in cell.blocks:
        c = cell.cols[b]
        arrays["d" + param_name("U", b)] = dUt[:, c].T  # (H, K) view; no copy
        arrays["d" + param_name("W", b)] = by_block[b]
        if cell.has_bias:
            arrays["d" + param_name("b", b)] = da_sum[:, c].sum(axis=0)
    arrays["dV"] = dV
    columns = {}
    if cell.K >= 8 * len(x):  # worth knowing only when most columns are untouched
        touched = np.unique(x)
        columns = {param_name("U", b): touched for b in cell.blocks}
    return Gradients(loss=loss, nonzero_columns=columns, **arrays)


def contribution_norms(cell: Cell, prep, cache: dict, ds_direct: np.ndarray) -> np.ndarray:
    """(T, T) C[t, k] = sqrt(sum_b ||outer(da_k^(t)[b], r_k[b])||_F^2) = the Frobenius norm of step
    k's term of dE_t/d(every W_b); ||outer(a, r)||_F = |a| |r|. ds_direct: unscaled direct errors."""
    T = len(ds_direct)
    C = np.zeros((T, T))
    groups = [(cols, np.linalg.norm(r, axis=1)) for cols, r in cell.weight_groups(cache)]  # |r_k|

    def visit(d, da):
        n = len(da)
        parts = [np.linalg.norm(da[:, cols], axis=1) * r_norm[:n] for cols, r_norm in groups]
        total = parts[0]
        for p in parts[1:]:
            total = np.hypot(total, p)  # sqrt(a^2 + b^2) without underflow when gradients vanish
        C[np.arange(d, T), np.arange(n)] = total

    diagonals(cell, prep, cache, ds_direct, T - 1, visit)
    return C


def jacobian_norm_row(
    cell: Cell,
    prep,
    cache: dict,
    t: int,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[np.ndarray], None] | None = None,
) -> np.ndarray | None:
    """(t+1,) ||d state_t / d state_k||_2 for k = 0..t, extending the product one step at a time:
    P_k = P_{k+1} (d state_{k+1} / d state_k). Multiplying a row vector by a step's Jacobian is
    backpropagating it through that step, so each row of P goes through cell.backward_step.
    Every norm is an exact SVD (two_norm: np.linalg.norm(P, 2)'s bits), computed in other threads
    while the next products are made (NormsBeside): a few (S, S) matrices are held at a time.
    `should_stop()`, asked before each step back, ends the work early (None is returned): a row
    can take seconds. `progress(out)`, called before each step back, sees the row so far: each norm
    once it is computed, NaN where it is not yet (the live array: copy what is kept)."""
    H, n_states = cell.H, len(cell.states)
    P = np.eye(n_states * H)  # (S, S) d state_t / d state_t
    out = np.full(t + 1, np.nan)  # each entry written once, when its norm is done
    with NormsBeside(out) as norms:
        norms.put(t, P)
        for k in range(t - 1, -1, -1):
            if should_stop is not None and should_stop():
                return None
            if progress is not None:
                progress(out)
            errors = tuple(P[:, i * H : (i + 1) * H] for i in range(n_states))
            _, carry, _ = cell.backward_step(prep, cache, k + 1, errors, slice(None))
            P = carry[0] if n_states == 1 else np.hstack(carry)  # a new array: the one put stays
            norms.put(k, P)
        norms.wait()
    return out


def step_term_arrays(spec: Cell, x, cache, da, d_out) -> dict[str, np.ndarray]:
    """Per-step terms of every parameter's gradient from da (t+1, nB*H) and the output error at t."""
    n, H, K = len(da), spec.H, spec.K
    r_by_block = {}
    for cols, r in spec.weight_groups(cache):
        for b in spec.stack:
            if cols.start <= spec.cols[b].start < cols.stop:
                r_by_block[b] = r[:n]
    out = {}
    for b in spec.blocks:
        d = da[:, spec.cols[b]]  # (n, H)
        U = np.zeros((n, H, K))
        U[np.arange(n), :, x] = d
        out[param_name("U", b)] = U
        out[param_name("W", b)] = d[:, :, None] * r_by_block[b][:, None, :]
        if spec.has_bias:
            out[param_name("b", b)] = d.copy()
    V = np.zeros((n, K, H))
    V[n - 1] = np.outer(d_out, cache["s"][n - 1])
    out["V"] = V
    return out
