"""Shared by the UI benchmarks: the app's window at a chosen size, built as rnnviz.ui.app builds it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LARGE = (2000, 256, 200)  # vocabulary K, hidden H, length T: the app's largest before issue 8
MEDIUM = (2000, 128, 100)
WORDS = (8000, 100, 50)  # the seed's word-level model (Britz's tutorial)


def settings_for(K: int | None, H: int | None = None, T: int | None = None, cell="rnn", compare=""):
    """Settings of that size: the default session for K=None; the generated word text for K=8000;
    else a text of K different characters. `cell` and `compare` as the Controls choose them."""
    from rnnviz.core.settings import Settings

    if K is None:
        return Settings(cell=cell, compare=compare)
    if K == 8000:
        return Settings(task="words", level="word", hidden=H, seq_len=T, cell=cell, compare=compare)
    text = "".join(chr(0x4E00 + i) for i in range(K)) * 3
    return Settings(
        task="file", text=text, text_name="bench.txt", hidden=H, seq_len=T, cell=cell, compare=compare
    )


def app_window(K=None, H=None, T=None, size=(1920, 1080), cell="rnn", compare=""):
    """(QApplication, Session, MainWindow) shown and painted once, as `rnnviz` starts."""
    from PySide6 import QtWidgets

    from rnnviz.ui.blas import limit_blas_threads
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.pg_config import configure_pyqtgraph
    from rnnviz.ui.session import Session

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    configure_pyqtgraph()
    limit_blas_threads()
    session = Session(settings_for(K, H, T, cell, compare))
    window = MainWindow(session, restore=False)
    window.resize(*size)
    window.show()
    app.processEvents()
    settle(app, session)
    return app, session, window


def run_until(done, timeout_s: float = 120.0) -> None:
    """Run the event loop, sleeping when idle as app.exec() does, until done() is true. (A loop of
    processEvents() would spin and hold the GIL, starving the worker and training threads.)"""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    check = QTimer(interval=2)
    check.timeout.connect(lambda: done() and loop.quit())
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    check.start()
    if not done():
        loop.exec()
    check.stop()


def settle(app, session) -> None:
    """Let the worker deliver every number asked for (the views draw them)."""
    run_until(lambda: not session.computing)


def close(app, session, window) -> None:
    window.close()
    session.shutdown()
    window.deleteLater()
    session.deleteLater()
    app.processEvents()


def label(K, H, T) -> str:
    return "default size" if K is None else f"K={K}, H={H}, T={T}"
