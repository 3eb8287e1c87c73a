"""What every background thread of the app does first: step back for the UI thread."""

from __future__ import annotations

import os
import threading

BACKGROUND_NICE = 10  # on a busy machine the UI thread gets the CPU first (0 = as the UI thread)


def lower_this_threads_priority() -> bool:
    """Raise the calling thread's nice value (Linux: each thread has its own), so the worker and
    training threads never take a core the UI thread is waiting for. False where not possible."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), BACKGROUND_NICE))
    except (AttributeError, OSError):  # no setpriority (Windows), or not allowed
        return False
    return True
