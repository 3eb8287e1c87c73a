"""How many threads BLAS (OpenBLAS, MKL, ...) may use: set once, deliberately, at start-up.

The app's matrices are small (H <= 256) and it already runs up to three threads of its own: the UI
thread, the worker (trace_jobs) and training. OpenBLAS's default, one thread per core, makes those
fight each other and anything else on the machine: on a busy 2-core machine an SVD batch measured
10x slower with 2 BLAS threads than with 1. One BLAS thread per calling thread is fastest here.
"""

from __future__ import annotations

BLAS_THREADS = 1

_limits = None  # threadpoolctl's handle, kept so the limit stays in force


def limit_blas_threads(n: int = BLAS_THREADS) -> None:
    """Limit every BLAS library NumPy loaded to n threads (threadpoolctl; a few ms)."""
    global _limits
    import numpy  # noqa: F401  (loads NumPy's BLAS, so threadpoolctl finds it)
    from threadpoolctl import threadpool_limits

    _limits = threadpool_limits(limits=n, user_api="blas")
