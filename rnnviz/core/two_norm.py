"""||A||_2, bit for bit what np.linalg.norm(A, 2) gives, but without holding the GIL.

NumPy's linalg holds the GIL while LAPACK runs (numpy/numpy#7179): a worker's SVD stops every
other Python thread, the UI thread too (an LSTM row's 512 x 512 SVD: ~40 ms), and two threads
doing SVDs take as long as one. So `two_norm` makes the very call NumPy makes, to the very routine
of the library NumPy ships, through ctypes, which releases the GIL while a foreign function runs.
What NumPy passes (numpy/linalg/umath_linalg.cpp, svd_wrapper and init_gesdd, NumPy 2.x):
dgesdd with jobz 'N'; M, N the matrix's shape; A copied column by column (lda = max(M, 1)); S of
min(M, N); U and VT unused (ldu = max(M, 1), ldvt = 1); iwork of 8 min(M, N); lwork from a
workspace query (lwork = -1; a 0 there means 1). The norm is then amax(S, initial=0), as
np.linalg.norm takes it. Same routine, same arguments, same library, same input bits: same result
(tests/core/test_two_norm.py compares them with array_equal over many matrices).

Only where numpys_lapack.py finds NumPy's own LAPACK (scipy-openblas, ILP64); with any other build,
or anything but a finite, non-empty 2-D float64 matrix, or if LAPACK reports a problem,
np.linalg.norm(A, 2) itself computes the norm, holding the GIL as before.
"""

from __future__ import annotations

import collections
import ctypes
import os
import threading

import numpy as np

from rnnviz.core.numpys_lapack import INT, P_DOUBLE, P_INT, Routine, plain_matrix, ptr

# helper threads computing a row's norms beside the thread making its products (which takes some
# too): with it, one per core, at most 3 (a 2-core machine: one helper)
NORM_THREADS = max(1, min(2, (os.cpu_count() or 1) - 1))
BESIDE_FROM = 32  # matrices smaller than this (either side) are quicker to do inline than to hand over


GESDD = Routine(
    "scipy_dgesdd_64_",  # scipy-openblas64 names its ILP64 LAPACK routines so
    [
        ctypes.c_char_p,  # jobz
        P_INT,  # m
        P_INT,  # n
        P_DOUBLE,  # a
        P_INT,  # lda
        P_DOUBLE,  # s
        P_DOUBLE,  # u
        P_INT,  # ldu
        P_DOUBLE,  # vt
        P_INT,  # ldvt
        P_DOUBLE,  # work
        P_INT,  # lwork
        P_INT,  # iwork
        P_INT,  # info
        ctypes.c_size_t,  # the hidden length of jobz (gfortran's convention; NumPy omits it)
    ],
)
_lwork: dict[tuple[int, int], int] = {}  # (M, N) -> what the workspace query answered


def gesdd():
    """The ctypes dgesdd `two_norm` calls, or None (then it uses np.linalg.norm)."""
    return GESDD.get()


def releases_gil() -> bool:
    """Whether `two_norm` lets other threads run while it computes (else it is np.linalg.norm)."""
    return gesdd() is not None


def two_norm(a: np.ndarray) -> np.floating:
    """np.linalg.norm(a, 2) for a 2-D float64 matrix, the same bits, computed without the GIL."""
    fn = gesdd()
    if fn is None or not plain_matrix(a):
        return np.linalg.norm(a, 2)
    s = _singular_values(fn, np.array(a, order="F"))  # a column-major copy, as NumPy linearizes it
    if s is None:  # LAPACK said no: NumPy gives its own answer (or error) for this matrix
        return np.linalg.norm(a, 2)
    return np.amax(s, axis=-1, initial=0)


def _singular_values(fn, A: np.ndarray) -> np.ndarray | None:
    """The singular values of A (column-major float64, overwritten), or None if LAPACK says no."""
    M, N = A.shape
    m, n, ld, one = INT(M), INT(N), INT(max(M, 1)), INT(1)
    info = INT(0)
    s = np.empty(min(M, N))
    iwork = np.empty(8 * min(M, N), dtype=np.int64)
    unused = np.empty(1)  # U and VT: never touched with jobz 'N'
    lwork = _lwork.get((M, N))
    if lwork is None:
        query = np.empty(1)
        _call(fn, m, n, A, ld, s, unused, one, query, INT(-1), iwork, info)
        if info.value != 0:
            return None
        lwork = max(int(query[0]), 1)  # NumPy: (fortran_int) of the answer, 0 read as 1
        _lwork[(M, N)] = lwork
    work = np.empty(lwork)
    _call(fn, m, n, A, ld, s, unused, one, work, INT(lwork), iwork, info)
    return s if info.value == 0 else None


def _call(fn, m, n, A, ld, s, unused, one, work, lwork, iwork, info) -> None:
    """dgesdd('N', ...): the arrays stay referenced by the caller while it runs."""
    fn(
        b"N",
        ctypes.byref(m),
        ctypes.byref(n),
        ptr(A),
        ctypes.byref(ld),
        ptr(s),
        ptr(unused),
        ctypes.byref(ld),
        ptr(unused),
        ctypes.byref(one),
        ptr(work),
        ctypes.byref(lwork),
        iwork.ctypes.data_as(P_INT),
        ctypes.byref(info),
        1,
    )


class NormsBeside:
    """two_norm of matrices made one after another, computed beside the caller making the next
    ones: out[k] = two_norm(P) for each put(k, P). `threads` helper threads take the norms in
    order; once more than `threads` are waiting or under way, the caller takes the newest waiting
    one itself: the caller and the helpers stay busy, and at most `threads` + 3 matrices are held
    (`threads` + 1 waiting or under way, the caller's norm and its next product). A P that was
    put must not be changed afterwards. Used as a context manager: leaving the block drops the
    norms not started and waits for those under way (an SVD cannot be interrupted). Inline, in the
    caller's thread, where two_norm would hold the GIL anyway, where P is too small to be worth
    handing over, or where no thread can be started. The helpers are made by the caller's thread,
    so they share its priority.
    """

    def __init__(self, out: np.ndarray, threads: int = NORM_THREADS):
        self._out, self._threads = out, threads
        self._todo: collections.deque[tuple[int, np.ndarray]] = collections.deque()  # not started
        self._busy = 0  # norms the helpers are computing
        self._error: BaseException | None = None  # the first a helper met, raised in the caller
        self._closing = False
        self._changed = threading.Condition()
        self._helpers: list[threading.Thread] = []

    def put(self, k: int, P: np.ndarray) -> None:
        if not self._helpers and (min(P.shape) < BESIDE_FROM or not releases_gil() or not self._start()):
            self._out[k] = two_norm(P)
            return
        with self._changed:
            self._raise_error()
            behind = self._todo and len(self._todo) + self._busy > self._threads
            mine = self._todo.pop() if behind else None
            self._todo.append((k, P))
            self._changed.notify()
        if mine is not None:
            self._out[mine[0]] = two_norm(mine[1])

    def wait(self) -> None:
        """Until every norm put is in `out` (an error in one is raised here)."""
        while True:
            with self._changed:
                self._raise_error()
                if not self._todo:
                    while self._busy:
                        self._changed.wait()
                    self._raise_error()
                    return
                k, P = self._todo.pop()
            self._out[k] = two_norm(P)

    def __enter__(self) -> NormsBeside:
        return self

    def __exit__(self, *exc) -> None:
        with self._changed:
            self._closing = True
            self._todo.clear()
            self._changed.notify_all()
        for helper in self._helpers:
            helper.join()

    def _start(self) -> bool:
        """Start the helpers; False if none could be started (then the caller does every norm)."""
        for i in range(self._threads):
            helper = threading.Thread(target=self._help, name=f"rnnviz-norm-{i}", daemon=True)
            try:
                helper.start()
            except RuntimeError:  # no thread to be had: the ones started (if any) do
                break
            self._helpers.append(helper)
        self._threads = len(self._helpers)
        return self._threads > 0

    def _help(self) -> None:
        while True:
            with self._changed:
                while not self._todo and not self._closing:
                    self._changed.wait()
                if self._closing:
                    return
                k, P = self._todo.popleft()
                self._busy += 1
            try:
                self._out[k] = two_norm(P)
            except BaseException as e:  # noqa: BLE001 - raised in the caller's thread
                self._error = self._error or e
            finally:
                del P
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error
