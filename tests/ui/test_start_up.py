"""Start-up mechanisms (what runs before the window shows, not how long it takes)."""

import os
import subprocess
import sys

import pytest

# the app started as `python -m rnnviz` starts it (NumPy and the core before Qt), closed as soon as its
# window is shown; then which modules it had loaded, and BLAS's thread count
STARTED_AS_THE_APP = """
import sys
from rnnviz.__main__ import main
from PySide6 import QtWidgets
from PySide6.QtCore import QTimer
app = QtWidgets.QApplication(["rnnviz"])  # main() uses it
QTimer.singleShot(0, app.quit)  # the first turn of the event loop: the window is shown
assert main([]) == 0
later = ("threadpoolctl", "rnnviz.core.session_file", "rnnviz.core.safe_read")
print([m for m in later if m in sys.modules], end=" ")
from threadpoolctl import threadpool_info
print(sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}))
"""


def _run(code: str, tmp_path, threads: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    if threads is not None:
        env["OPENBLAS_NUM_THREADS"] = threads
    r = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "shot.png")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("user_setting", [None, "3"])
def test_the_app_sets_one_blas_thread_through_the_environment(tmp_path, user_setting):
    """Started as the app, NumPy is not loaded yet when __main__ runs: BLAS takes one thread from
    the environment (whatever the user's said), and threadpoolctl is never imported. Nor is what
    only saving or opening a file needs."""
    assert _run(STARTED_AS_THE_APP, tmp_path, user_setting) == "[] [1]"


# the same start, counting the garbage collector's runs from importing the app to its shown window
COLLECTIONS_TO_SHOWN = """
import gc, sys
runs = []  # from the core's import on (compiling a changed source before that collects too)
gc.callbacks.append(
    lambda phase, info: phase == "start" and "rnnviz.core" in sys.modules and runs.append(info["generation"])
)
from rnnviz.__main__ import main
from PySide6 import QtWidgets
from PySide6.QtCore import QTimer
app = QtWidgets.QApplication(["rnnviz"])
def shown():
    print(len(runs), gc.get_count()[0] < 1000, gc.isenabled())
    app.quit()
QTimer.singleShot(0, shown)
assert main([]) == 0
"""


def test_no_garbage_collection_while_the_app_starts(tmp_path):
    """Start-up makes ~100,000 objects that live; the collector (150 runs before) is off until the
    window is shown. Then they are out of the young generation (the UI thread's collector does not
    go over them at its first tick), and collection is the UI thread's timer's, as always."""
    assert _run(COLLECTIONS_TO_SHOWN, tmp_path, None) == "0 True False"


def test_where_numpy_was_loaded_first_threadpoolctl_sets_one_thread(tmp_path):
    """NumPy loaded before the app's code (an embedding program, the tests): the environment is too
    late for BLAS, so the limit is set in the loaded library."""
    code = """
import numpy
from rnnviz.ui.blas import limit_blas_threads, limit_blas_threads_before_numpy
assert not limit_blas_threads_before_numpy()
limit_blas_threads()
from threadpoolctl import threadpool_info
print(sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}))
"""
    assert _run(code, tmp_path, "2") == "[1]"


def _drawn(page) -> str:
    """What the equations page holds, without bringing it up to date (as its own getters do)."""
    from PySide6.QtWidgets import QTextBrowser

    return QTextBrowser.toPlainText(page)


def test_the_equations_page_waits_behind_its_tab_until_its_dock_shows(make_window, qtbot):
    """At start-up the Equations dock is behind the Controls tab: its page is not drawn for nobody;
    it is drawn when the tab comes to the front (and then follows every step)."""
    w, s = make_window()
    page = w.equations_view.browser
    assert _drawn(page) == ""
    s.step()
    assert _drawn(page) == ""  # a step behind the tab draws nothing either
    w.equations_dock.raise_()
    qtbot.waitUntil(lambda: "forward" in _drawn(page).lower())
    before = _drawn(page)
    s.step()
    assert _drawn(page) != before


def test_colour_bars_are_built_without_the_menu_they_turn_off(session, qtbot, monkeypatch):
    """ColorBarItem disables its ViewBox's context menu at once: the colour bars (hidden view,
    gradient view) do not build one first."""
    from rnnviz.ui.widgets.gradient_view import GradientView
    from rnnviz.ui.widgets.hidden_view import HiddenView

    view_box = sys.modules["pyqtgraph.graphicsItems.ViewBox.ViewBox"]  # (the package's name is the class)

    real, menus_for = view_box.ViewBoxMenu, []
    monkeypatch.setattr(view_box, "ViewBoxMenu", lambda vb: menus_for.append(vb) or real(vb))
    hidden = HiddenView(session)
    qtbot.addWidget(hidden)
    gradients = GradientView(session)
    qtbot.addWidget(gradients)
    for bar in (hidden.colorbar, gradients.colorbar):
        assert bar.vb not in menus_for and bar.vb.menu is None and not bar.menuEnabled()
    assert menus_for  # (the gradient view's own plots keep their menus: the count works)
