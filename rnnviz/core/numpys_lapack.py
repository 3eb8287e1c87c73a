"""NumPy's own LAPACK routines as ctypes functions: the very routines NumPy's linalg calls, called
without holding the GIL (ctypes releases it while a foreign function runs). two_norm.py (dgesdd)
and eigenvalues.py (dgeev) make NumPy's own calls through them, for NumPy's bits.

Only NumPy's scipy-openblas ILP64 build (the PyPI wheels) is recognised: a symbol is looked up
through NumPy's own _umath_linalg module, so it resolves to the library NumPy itself calls. With
any other build a routine is None, and its callers use NumPy itself.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np

INT = ctypes.c_int64  # ILP64: every LAPACK integer is 64 bits
P_INT, P_DOUBLE = ctypes.POINTER(INT), ctypes.POINTER(ctypes.c_double)


def numpys_lapack(symbol: str):
    """The LAPACK routine `symbol` of the library NumPy's linalg calls, as a ctypes function (its
    argtypes not yet set), or None where this NumPy is not the build above or has no such symbol."""
    try:
        from numpy.linalg import _umath_linalg

        lapack = np.__config__.CONFIG["Build Dependencies"]["lapack"]
        if lapack.get("name") != "scipy-openblas" or "USE64BITINT" not in lapack.get(
            "openblas configuration", ""
        ):
            return None
        # dlsym through NumPy's extension searches the libraries it links: NumPy's own OpenBLAS
        return getattr(ctypes.CDLL(_umath_linalg.__file__), symbol)
    except (ImportError, OSError, AttributeError, KeyError, TypeError):
        return None


class Routine:
    """One of NumPy's LAPACK routines, looked up once, when first asked for (thread-safe)."""

    def __init__(self, symbol: str, argtypes: list):
        self.symbol, self.argtypes = symbol, argtypes
        self._lock = threading.Lock()
        self._fn = None
        self._looked_up = False

    def find(self):
        """The routine as a ctypes function, or None where this NumPy is not the build above."""
        fn = numpys_lapack(self.symbol)
        if fn is not None:
            fn.argtypes, fn.restype = self.argtypes, None
        return fn

    def get(self):
        """The ctypes function, or None (then the caller uses NumPy itself)."""
        with self._lock:
            if not self._looked_up:
                self._fn, self._looked_up = self.find(), True
            return self._fn


def plain_matrix(a) -> bool:
    """Whether `a` is what the routines are called for: a finite, non-empty, 2-D float64 ndarray
    (for anything else NumPy itself gives its answer, or its error)."""
    return (
        isinstance(a, np.ndarray)
        and a.ndim == 2
        and a.dtype == np.float64  # before isfinite, which an object array could refuse
        and a.size > 0
        and bool(np.isfinite(a).all())
    )


def ptr(x: np.ndarray):
    return x.ctypes.data_as(P_DOUBLE)
