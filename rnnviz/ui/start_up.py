"""Started as the app (`rnnviz`, `python -m rnnviz`): what is done before the heavy imports, and what
once the window is shown. Elsewhere (tests, an embedding program: NumPy is loaded already) nothing.

BLAS's thread count goes in the environment, read when NumPy loads BLAS (blas.py).

Python's cyclic garbage collector runs every ~700 new objects. Start-up makes about 100,000 (NumPy,
Qt, pyqtgraph, the core, the window), nearly all for good (modules, classes, widgets), and the
collector went over them again and again: about 50 ms of the start-up, to find a few hundred
objects of garbage. It is off until the window is shown. Then the start-up's objects are moved to
the oldest generation (gc.freeze, then gc.unfreeze: where surviving two collections takes them), and
collection goes on as the app runs it anyway once a worker thread exists: in the UI thread, on a
timer (background.py). Its first tick so does not go over them all again: its next full
collection looks at them, as it would have.
"""

from __future__ import annotations

import gc
import sys

from rnnviz.ui.blas import limit_blas_threads_before_numpy

_collector_paused = False  # before_imports turned the collector off; after_first_show hands it over


def before_imports() -> bool:
    """The first thing __main__ does; True if this is a fresh start (NumPy not loaded yet)."""
    global _collector_paused
    if "numpy" in sys.modules:
        return False
    limit_blas_threads_before_numpy()
    if gc.isenabled():
        gc.disable()
        _collector_paused = True
    return True


def after_first_show() -> None:
    """(UI thread, with the QApplication) The window is on screen: the start-up's objects count as
    old, and garbage is collected in the UI thread from now on."""
    global _collector_paused
    if not _collector_paused:
        return
    _collector_paused = False
    gc.freeze()
    gc.unfreeze()  # (the frozen objects go to the oldest generation)
    from rnnviz.ui.background import collect_garbage_in_ui_thread

    if not collect_garbage_in_ui_thread():  # (cannot happen here: the UI thread, a QApplication)
        gc.enable()
