"""What the app's background threads (worker, training, experiment) must do, and must not do.

They step back for the UI thread (`lower_this_threads_priority`), and they never free Qt objects:
CPython runs its cyclic garbage collector in whichever thread allocates past the threshold, so a
background thread could free a closed window's Session, its timers and views there, and Qt then
crashes (seen: a segfault in about 1 test run in 5). `collect_garbage_in_ui_thread` makes the UI
thread the only one that collects; whatever starts a background thread calls it first.
"""

from __future__ import annotations

import os
import threading

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QCoreApplication, QThread

BACKGROUND_NICE = 10  # on a busy machine the UI thread gets the CPU first (0 = as the UI thread)

_collector = None  # pyqtgraph's GarbageCollector once installed (kept: its timer must live)


def lower_this_threads_priority() -> bool:
    """Raise the calling thread's nice value (Linux: each thread has its own), so the worker and
    training threads never take a core the UI thread is waiting for. False where not possible."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), BACKGROUND_NICE))
    except (AttributeError, OSError):  # no setpriority (Windows), or not allowed
        return False
    return True


def collect_garbage_in_ui_thread() -> bool:
    """(UI thread) Turn automatic garbage collection off for good and collect on a timer of the UI
    thread instead: pyqtgraph's GarbageCollector, which keeps the generation thresholds and checks
    them every second. Once is enough; False if it cannot be done here (not the UI thread, or no
    QApplication yet: its timer would never fire), and collection stays as it was."""
    global _collector
    if _collector is None:
        app = QCoreApplication.instance()
        if app is None or QThread.currentThread() is not app.thread():
            return False
        _collector = GarbageCollector(interval=1.0)
    return True
