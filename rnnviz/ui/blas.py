"""How many threads BLAS (OpenBLAS, MKL, ...) may use: set once, deliberately, at start-up.

The app's matrices are small (H <= 256) and it already runs up to three threads of its own: the UI
thread, the worker (trace_jobs) and training. OpenBLAS's default, one thread per core, makes those
fight each other and anything else on the machine: on a busy 2-core machine an SVD batch measured
10x slower with 2 BLAS threads than with 1. One BLAS thread per calling thread is fastest here.

Started as `rnnviz` or `python -m rnnviz`, NumPy is not loaded yet when __main__ runs: the thread
count then goes in the environment, which BLAS reads when NumPy loads it (free). Where NumPy was
loaded earlier (tests, benchmarks, an embedding program), threadpoolctl sets it in the loaded
libraries (it scans and loads them: about 7-9 ms of the start-up, and its import).
"""

from __future__ import annotations

import os
import sys

BLAS_THREADS = 1
# what OpenBLAS (NumPy's wheels), MKL and BLIS read when they load; threadpoolctl's "blas" covers these
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")

_limits = None  # threadpoolctl's handle, kept so the limit stays in force
_threads_from_environment: int | None = None  # set before NumPy loaded BLAS: its thread count


def limit_blas_threads_before_numpy(n: int = BLAS_THREADS) -> bool:
    """Put the thread count in the environment if NumPy (and so BLAS) is not loaded yet; True then.
    Whatever the user's environment said, the app's count wins, as with threadpoolctl."""
    global _threads_from_environment
    if "numpy" in sys.modules:
        return False
    for name in THREAD_VARIABLES:
        os.environ[name] = str(n)
    _threads_from_environment = n
    return True


def limit_blas_threads(n: int = BLAS_THREADS) -> None:
    """Limit every BLAS library NumPy loaded to n threads: nothing to do if the environment already
    said n before NumPy loaded; else threadpoolctl (a few ms)."""
    global _limits
    if _threads_from_environment == n:
        return
    import numpy  # noqa: F401  (loads NumPy's BLAS, so threadpoolctl finds it)
    from threadpoolctl import threadpool_limits

    _limits = threadpool_limits(limits=n, user_api="blas")
