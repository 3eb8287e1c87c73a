"""What the app's background threads (worker, training, experiment) must do, and must not do.

They run at the UI thread's priority, on purpose: a background thread that holds the GIL while it
waits for a core keeps the UI thread waiting too. At nice 10 beside two busy processes that made
event-loop gaps of 270-300 ms while a reset's numbers came (benchmarks/jacobian_row.py; 50-64 ms
at the UI thread's priority). And they never free Qt objects:
CPython runs its cyclic garbage collector in whichever thread allocates past the threshold, so a
background thread could free a closed window's Session, its timers and views there, and Qt then
crashes (seen: a segfault in about 1 test run in 5). `collect_garbage_in_ui_thread` makes the UI
thread the only one that collects; whatever starts a background thread calls it first.
"""

from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QCoreApplication, QThread

_collector = None  # pyqtgraph's GarbageCollector once installed (kept: its timer must live)


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
