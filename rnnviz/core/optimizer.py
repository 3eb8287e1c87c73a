"""One optimizer step (Adagrad as min-char-rnn, or SGD) written into a model's parameters in place.

    c = the gradient, times `factor` (norm clipping) or clipped to [-bound, bound] (element clipping)
    Adagrad:  mem += c * c;   p -= lr * c / sqrt(mem + 1e-8)
    SGD:      p -= lr * c

A step is taken only if every new value is finite; otherwise nothing changes but Adagrad's memory.
A sequence's gradient of an input matrix U_* is zero outside the columns of its own tokens, and so
is the step there (Adagrad included), so with a large vocabulary only those columns are read and
written. Every entry goes through the same operations in the same order on every path, so the
numbers are the same to the last bit whichever path runs.
"""

from __future__ import annotations

import numpy as np

from rnnviz.core.results import Gradients

BLOCK = 131072  # entries per block of the in-place step (1 MB per array): the fastest measured at
#                 K = 8000 (V's step 2.6 ms; 16384: 2.9 ms, more calls; whole arrays 3.5 ms, each pass
#                 going to main memory); the five arrays' blocks stay in the last-level cache


class Optimizer:
    """Adagrad's memory (sums of squared steps' gradients) and the work arrays of the step."""

    def __init__(self, params: dict[str, np.ndarray]):
        self.memory = {k: np.zeros_like(v) for k, v in params.items()}
        self._blocks: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # the in-place step's
        self._whole: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # the checked step's

    def _memory(self, name: str, p: np.ndarray) -> np.ndarray:
        mem = self.memory.get(name)
        if mem is None or mem.shape != p.shape:  # the parameter was replaced by one of a new shape
            mem = self.memory[name] = np.zeros_like(p)
        return mem

    def step(self, params: dict, g: Gradients, lr: float, adagrad: bool, factor=None, bound=None) -> bool:
        """One step on every parameter, in place; False (parameters unchanged) if some new value
        would not be finite."""
        with np.errstate(all="ignore"):
            parts = self._changing_parts(params, g)
            if parts is not None:
                self._in_place(params, g, parts, lr, adagrad, factor, bound)
                return True
            # some parameter is huge or not finite: compute the new values aside and check them
            new = self._checked_values(params, g, lr, adagrad, factor, bound)
            if not _all_finite(params, new):
                return False
        for name, (cols, value) in new.items():
            if cols is None:
                params[name] -= value  # p - lr * c / sqrt(mem + 1e-8)
            else:
                params[name][:, cols] = value
        return True

    def _changing_parts(self, params: dict, g: Gradients) -> dict | None:
        """name -> (columns, p[:, columns]) or (None, p), if every new value is sure to be finite;
        else None. The gradients are finite (the trainer checked their norm), so the clipped
        gradient c is, with |c| < 1.4e154; Adagrad's memory is >= 0 or +inf, so the step
        |lr c / sqrt(mem + 1e-8)| <= 1e4 lr |c| < 1e163 (SGD's |lr c| too), far below half the
        spacing of floats near the largest one: p - step is finite wherever p is. And p is finite
        where it changes if the sum of its squares there is (one fast pass)."""
        parts = {}
        for name in g.as_dict():
            p = params[name]
            cols = _columns(g, name, p)
            part = p if cols is None else p[:, cols]  # (H, n) a copy: the columns that change
            flat = part.ravel()  # a view when contiguous, else a copy in the same (C) order
            if not np.isfinite(np.dot(flat, flat)):
                return None
            parts[name] = (cols, part)
        return parts

    def _in_place(self, params, g, parts, lr, adagrad, factor, bound) -> None:
        """The step written straight into the parameters; a large one block by block, so that each
        block's gradient, memory, step and parameter stay in the cache."""
        for name, d in g.as_dict().items():
            p, mem = params[name], self._memory(name, params[name])
            cols, part = parts[name]
            if cols is not None:  # (H, n): the only columns that change
                p[:, cols] = _sparse_values(part, d[:, cols], mem, cols, lr, adagrad, factor, bound)
                continue
            if p.size <= BLOCK:  # one block: the whole arrays
                a, b = self._buffers(self._blocks, name, p.shape)
                _dense_step(d, mem, a, b, lr, adagrad, factor, bound)
                p -= a
                continue
            rows = max(1, BLOCK // p[0].size)  # rows per block
            a_buf, b_buf = self._buffers(self._blocks, name, (rows,) + p.shape[1:])
            for i in range(0, len(p), rows):
                p_i = p[i : i + rows]
                a, b = a_buf[: len(p_i)], b_buf[: len(p_i)]
                _dense_step(d[i : i + rows], mem[i : i + rows], a, b, lr, adagrad, factor, bound)
                p_i -= a

    def _checked_values(self, params, g, lr, adagrad, factor, bound) -> dict[str, tuple]:
        """name -> (columns, new values there) or (None, the step to subtract from all of it),
        computed aside (Adagrad's memory is updated)."""
        new = {}
        for name, d in g.as_dict().items():
            p, mem = params[name], self._memory(name, params[name])
            cols = _columns(g, name, p)
            if cols is not None:
                new[name] = (
                    cols,
                    _sparse_values(p[:, cols], d[:, cols], mem, cols, lr, adagrad, factor, bound),
                )
                continue
            a, b = self._buffers(self._whole, name, p.shape)
            _dense_step(d, mem, a, b, lr, adagrad, factor, bound)
            new[name] = (None, a)
        return new

    @staticmethod
    def _buffers(store: dict, name: str, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
        bufs = store.get(name)
        if bufs is None or bufs[0].shape != shape:
            bufs = store[name] = (np.empty(shape), np.empty(shape))
        return bufs


def _columns(g: Gradients, name: str, p: np.ndarray) -> np.ndarray | None:
    """The only columns of `name` that change (a sequence's tokens), or None: all of it."""
    cols = g.nonzero_columns.get(name)
    return None if cols is not None and len(cols) * 8 > p.shape[1] else cols  # most touched: dense


def _sparse_values(p_cols, d_cols, mem, cols, lr, adagrad, factor, bound) -> np.ndarray:
    """(H, n) the new values of the columns `cols` (Adagrad's memory there is updated)."""
    c = d_cols if factor is None else d_cols * factor
    if bound is not None:
        c = np.clip(c, -bound, bound)
    if not adagrad:
        return p_cols - lr * c
    m = mem[:, cols] + c * c
    mem[:, cols] = m
    return p_cols - lr * c / np.sqrt(m + 1e-8)


def _dense_step(d, mem, a, b, lr, adagrad, factor, bound) -> None:
    """a = the step to subtract (lr * c / sqrt(mem + 1e-8), or lr * c), in reused buffers a and b
    (a fresh temporary per operation costs more than the maths at K = 8000); mem is updated."""
    c = d if factor is None else np.multiply(d, factor, out=a)  # clipped gradient
    if bound is not None:
        c = np.clip(d, -bound, bound, out=a)
    if adagrad:
        mem += np.multiply(c, c, out=b)  # mem += c * c
        np.sqrt(np.add(mem, 1e-8, out=b), out=b)  # sqrt(mem + 1e-8)
        np.divide(np.multiply(c, lr, out=a), b, out=a)  # lr * c / sqrt(mem + 1e-8)
    else:
        np.multiply(c, lr, out=a)


def _all_finite(params: dict, new: dict[str, tuple]) -> bool:
    """Whether every parameter stays finite. For p - step: if sum(p^2) and sum(step^2) are finite,
    every |entry| of both is below sqrt(max float) ~ 1e154, so p - step cannot overflow (two fast
    dot products instead of a pass that builds p - step); otherwise p - step is checked entry by entry."""
    for name, (cols, value) in new.items():
        if cols is not None:
            if not np.isfinite(value).all():
                return False
            continue
        p, step = params[name].ravel(), value.ravel()
        if not (np.isfinite(np.dot(p, p)) and np.isfinite(np.dot(step, step))):
            if not np.isfinite(p - step).all():
                return False
    return True
