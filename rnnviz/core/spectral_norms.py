"""Exact spectral norms of matrices made one after another, shared between the maker and helpers.

A Jacobian row makes its products P_t, P_{t-1}, ..., P_0 in sequence (each from the one before), but
their norms, one exact SVD each and most of the row's work, are independent of one another. With
`threads` = n > 1, n - 1 helper threads (LAPACK releases the GIL) take a copy of a product whenever
fewer than WAITING_PER_HELPER wait for them, and the maker computes the others itself between its
products: it never sleeps waiting for a helper, which on a busy machine would cost a scheduler
wake-up per product, and n threads in all do the work. At the end the maker takes back the copies no
helper has begun. Each norm is the same call on an equal matrix as in one thread, so the numbers are
the same, bit for bit. At most WAITING_PER_HELPER copies per helper wait at any time: O(n S^2)
memory, never one matrix per step. The helpers live as long as the `with` block: no thread outlives
it. Threads inherit the nice value of the thread that starts them (Linux): a worker's row stays niced.
"""

from __future__ import annotations

import collections
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

WAITING_PER_HELPER = 2  # enough that a helper finds work after each norm, few enough to hold little


def spectral_norm_of(P: np.ndarray) -> float:
    """||P||_2, the largest singular value: an exact SVD (LAPACK gesdd, no vectors)."""
    return np.linalg.norm(P, 2)


class SpectralNorms:
    """out[k] = ||P||_2 for each put(k, P):

        with SpectralNorms(out, threads) as norms:
            for k, P in ...:
                norms.put(k, P)   # computed here now, or a copy handed to a helper
            norms.finish()        # the helpers' norms (one that failed raises here)

    Leaving the block without finish() (the row was stopped, or an error) cancels the copies no
    helper has begun and waits for the running ones (one SVD per helper at most) before going on."""

    def __init__(self, out: np.ndarray, threads: int = 1):
        self.out = out
        helpers = threads - 1
        self._pool = ThreadPoolExecutor(helpers, thread_name_prefix="rnnviz-norms") if helpers else None
        self._handed: collections.deque[tuple[int, np.ndarray, Future]] = collections.deque()
        self._most_waiting = WAITING_PER_HELPER * helpers

    def put(self, k: int, P: np.ndarray) -> None:
        self._collect_done()
        if self._pool is not None and len(self._handed) < self._most_waiting:
            copy = P.copy()  # the maker may reuse P's memory for the next product
            self._handed.append((k, copy, self._pool.submit(spectral_norm_of, copy)))
        else:
            self.out[k] = spectral_norm_of(P)

    def finish(self) -> np.ndarray:
        """Every norm put so far, in `out` (returned): the copies no helper has begun are computed
        here (newest first: the oldest are the ones a helper is likely on), then the rest awaited."""
        for k, P, future in reversed(self._handed):
            if future.cancel():
                self.out[k] = spectral_norm_of(P)
        for k, _, future in self._handed:
            if not future.cancelled():
                self.out[k] = future.result()
        self._handed.clear()
        return self.out

    def _collect_done(self) -> None:
        while self._handed and self._handed[0][2].done():
            k, _, future = self._handed.popleft()
            self.out[k] = future.result()

    def __enter__(self) -> SpectralNorms:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._handed.clear()
