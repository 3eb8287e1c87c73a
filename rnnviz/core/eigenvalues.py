"""np.linalg.eigvals(A), bit for bit, but without holding the GIL (cells.base.spectral_radius uses it).

NumPy holds the GIL while LAPACK runs (numpy/numpy#7179): rho(W) of a gated cell, four 256 x 256
eigenvalue problems (~24 ms each), stopped every other Python thread, the UI thread too, for that
long. So, as two_norm.py does for dgesdd, `eigvals` makes the very call NumPy makes to the very
routine NumPy links, through ctypes, which releases the GIL while it runs. What NumPy passes
(numpy/linalg/umath_linalg.cpp, eig_wrapper and init_geev, NumPy 2.x, real input): dgeev with
jobvl = jobvr = 'N'; N; A copied column by column (lda = max(N, 1)); WR and WI of N; VL and VR
unused (ldvl = ldvr = max(N, 1)); lwork from a workspace query (lwork = -1, its answer truncated to
an integer). The eigenvalues are then WR + i WI, made real (their real parts) when every imaginary
part is 0, as np.linalg.eigvals does. Same routine, same arguments, same input bits: same result
(tests/core/test_eigenvalues.py compares them with array_equal over many matrices).

Only where numpys_lapack.py finds NumPy's own LAPACK (scipy-openblas, ILP64); with any other build, or
anything but a finite, non-empty, square float64 matrix, or if LAPACK reports a problem,
np.linalg.eigvals itself computes them (and raises what it raises), holding the GIL as before.
"""

from __future__ import annotations

import ctypes

import numpy as np

from rnnviz.core.numpys_lapack import INT, P_DOUBLE, P_INT, Routine, plain_matrix, ptr

GEEV = Routine(
    "scipy_dgeev_64_",
    [
        ctypes.c_char_p,  # jobvl
        ctypes.c_char_p,  # jobvr
        P_INT,  # n
        P_DOUBLE,  # a
        P_INT,  # lda
        P_DOUBLE,  # wr
        P_DOUBLE,  # wi
        P_DOUBLE,  # vl
        P_INT,  # ldvl
        P_DOUBLE,  # vr
        P_INT,  # ldvr
        P_DOUBLE,  # work
        P_INT,  # lwork
        P_INT,  # info
        ctypes.c_size_t,  # the hidden lengths of jobvl and jobvr (gfortran; NumPy omits them)
        ctypes.c_size_t,
    ],
)
_lwork: dict[int, int] = {}  # N -> what the workspace query answered


def geev():
    """The ctypes dgeev `eigvals` calls, or None (then it uses np.linalg.eigvals)."""
    return GEEV.get()


def releases_gil() -> bool:
    """Whether `eigvals` lets other threads run while it computes (else it is np.linalg.eigvals)."""
    return geev() is not None


def eigvals(a: np.ndarray) -> np.ndarray:
    """np.linalg.eigvals(a) for a square float64 matrix, the same bits, computed without the GIL."""
    fn = geev()
    if fn is None or not plain_matrix(a) or a.shape[0] != a.shape[1]:
        return np.linalg.eigvals(a)
    parts = _real_and_imaginary(fn, np.array(a, order="F"))  # column-major, as NumPy linearizes it
    if parts is None:  # LAPACK said no: NumPy gives its own answer (or error)
        return np.linalg.eigvals(a)
    wr, wi = parts
    w = np.empty(len(wr), dtype=np.complex128)  # NumPy's mk_complex_array
    w.real, w.imag = wr, wi
    return w.real.copy() if np.all(w.imag == 0) else w  # real when no eigenvalue is complex


def _real_and_imaginary(fn, A: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(WR, WI) of column-major float64 A (overwritten), or None if LAPACK says no."""
    N = A.shape[0]
    n, ld, info = INT(N), INT(max(N, 1)), INT(0)
    wr, wi = np.empty(N), np.empty(N)
    unused = np.empty(1)  # VL and VR: never touched with jobvl = jobvr = 'N'
    lwork = _lwork.get(N)
    if lwork is None:
        query = np.empty(1)
        _call(fn, n, A, ld, wr, wi, unused, query, INT(-1), info)
        if info.value != 0:
            return None
        lwork = int(query[0])  # NumPy: (size_t) of the answer
        _lwork[N] = lwork
    work = np.empty(max(lwork, 1))
    _call(fn, n, A, ld, wr, wi, unused, work, INT(lwork), info)
    return (wr, wi) if info.value == 0 else None


def _call(fn, n, A, ld, wr, wi, unused, work, lwork, info) -> None:
    """dgeev('N', 'N', ...): the arrays stay referenced by the caller while it runs."""
    fn(
        b"N",
        b"N",
        ctypes.byref(n),
        ptr(A),
        ctypes.byref(ld),
        ptr(wr),
        ptr(wi),
        ptr(unused),
        ctypes.byref(ld),
        ptr(unused),
        ctypes.byref(ld),
        ptr(work),
        ctypes.byref(lwork),
        ctypes.byref(info),
        1,
        1,
    )
