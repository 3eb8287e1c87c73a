"""Exact spectral norms of matrices made one after another, computed in helper threads meanwhile.

A Jacobian row makes its products P_t, P_{t-1}, ..., P_0 in sequence (each from the one before), but
their norms, one exact SVD each and most of the row's work, are independent of one another: with
`threads` > 1 they run in a pool of that many threads (LAPACK releases the GIL) while the caller
makes the next product. Each norm is the same call on an equal matrix as in one thread, so the
numbers are the same, bit for bit. At most 2 * threads matrices wait at any time: O(threads S^2)
memory, never one matrix per step. The pool lives as long as the `with` block: no thread outlives it.
Threads inherit the nice value of the thread that starts them (Linux), so a worker's row stays niced.
"""

from __future__ import annotations

import collections
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np


def spectral_norm_of(P: np.ndarray) -> float:
    """||P||_2, the largest singular value: an exact SVD (LAPACK gesdd, no vectors)."""
    return np.linalg.norm(P, 2)


class SpectralNorms:
    """out[k] = ||P||_2 for each put(k, P):

        with SpectralNorms(out, threads) as norms:
            for k, P in ...:
                norms.put(k, P)   # one thread: computed now; else a copy of P is queued
            norms.finish()        # waits for every queued norm (one that failed raises here)

    Leaving the block without finish() (the row was stopped, or an error) cancels the queued norms
    and waits for the running ones (one SVD per thread at most) before going on."""

    def __init__(self, out: np.ndarray, threads: int = 1):
        self.out = out
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="rnnviz-norms") if threads > 1 else None
        self._waiting: collections.deque[tuple[int, Future]] = collections.deque()
        self._most_waiting = 2 * threads  # enough to keep every thread busy while the caller works

    def put(self, k: int, P: np.ndarray) -> None:
        if self._pool is None:
            self.out[k] = spectral_norm_of(P)
            return
        # a copy: the caller may reuse P's memory for the next product
        self._waiting.append((k, self._pool.submit(spectral_norm_of, P.copy())))
        self._collect(self._most_waiting)

    def finish(self) -> np.ndarray:
        """Every norm put so far, in `out` (returned)."""
        self._collect(0)
        return self.out

    def _collect(self, keep: int) -> None:
        while len(self._waiting) > keep:
            k, future = self._waiting.popleft()
            self.out[k] = future.result()

    def __enter__(self) -> SpectralNorms:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._waiting.clear()
