"""Issue 10, item 1: the first window fits the screen (title bar and status bar included), its size and
panels are remembered between runs, and View > Reset layout puts them back.

The mechanisms, in-process, where the offscreen screen is 800 x 800: narrower than the window's
least width with its side panels (about 950 px), so "fits" itself is checked by screen_probe.py on
screens of every size a class uses, first start and restored (tests/ui/test_screens.py).
"""

import pytest
from PySide6.QtCore import QMargins, QRect, QSettings, QSize, Qt
from PySide6.QtWidgets import QApplication

from rnnviz.core.settings import Settings
from rnnviz.ui import screen_fit
from rnnviz.ui.main_window import MainWindow


@pytest.fixture
def no_saved_layout():
    QSettings("rnnviz", "rnnviz").clear()  # other tests' windows saved theirs when they closed
    yield
    QSettings("rnnviz", "rnnviz").clear()


def new_window(qtbot, restore=True, **settings):
    from rnnviz.ui.session import Session

    w = MainWindow(Session(Settings(**settings)), restore=restore)
    qtbot.addWidget(w)
    return w


def show(qtbot, w) -> None:
    """Show it and let it settle (its first show re-fits it to the screen once the frame is known)."""
    w.show()
    qtbot.waitExposed(w)
    for _ in range(3):
        QApplication.processEvents()


def inside(window) -> bool:
    return window.screen().availableGeometry().contains(window.frameGeometry())


def test_fitted_moves_and_shrinks_a_window_into_the_screen_frame_included():
    screen, frame = QRect(0, 0, 1280, 720), QMargins(2, 30, 2, 2)
    room = screen.marginsRemoved(frame)
    assert screen_fit.fitted(QRect(0, 0, 1920, 1080), screen, frame) == room
    moved = screen_fit.fitted(QRect(2000, 900, 800, 600), screen, frame)
    assert moved.size() == QSize(800, 600) and room.contains(moved)
    assert screen_fit.fitted(QRect(100, 100, 800, 600), screen, frame) == QRect(100, 100, 800, 600)
    # a minimum larger than the screen gives way to the screen
    assert screen_fit.fitted(QRect(0, 0, 300, 300), screen, frame, QSize(2000, 500)).width() == room.width()
    assert screen_fit.first_geometry(screen, frame) == room


def test_the_first_window_asks_for_the_whole_screen_and_opens_maximised(qtbot, no_saved_layout):
    w = new_window(qtbot)
    available = w.screen().availableGeometry()
    assert w.geometry() == screen_fit.first_geometry(available, screen_fit.TITLE_BAR_GUESS)
    w.show_first()
    qtbot.waitUntil(w.isMaximized)
    w.close()


def test_size_and_panels_are_remembered_and_reset_layout_puts_them_back(qtbot, no_saved_layout):
    w = new_window(qtbot)
    show(qtbot, w)
    w.resize(1000, 700)
    qtbot.waitUntil(lambda: w.size() == QSize(1000, 700))
    w.controls_dock.close()
    w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, w.lesson_dock)
    w.close()  # saves size and panels
    again = new_window(qtbot)
    show(qtbot, again)
    assert again.height() == 700  # (its width: as near 1000 as this 800 px screen allows)
    assert again.controls_dock.isHidden()
    assert again.dockWidgetArea(again.lesson_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    again.actions["reset_layout"].trigger()
    qtbot.waitUntil(again.isMaximized)
    assert not again.controls_dock.isHidden()
    assert again.dockWidgetArea(again.lesson_dock) == Qt.DockWidgetArea.TopDockWidgetArea
    assert QSettings("rnnviz", "rnnviz").value("geometry") is None
    again.close()


def test_panels_saved_for_a_bigger_screen_give_way_to_the_default_ones(qtbot, no_saved_layout):
    w = new_window(qtbot)
    show(qtbot, w)
    w.resize(1400, 800)
    w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, w.equations_dock)  # a third column
    qtbot.waitUntil(lambda: w.width() == 1400, timeout=1000)
    w.close()
    small = new_window(qtbot)  # the saved panels need more width than this 800 px screen has
    assert small.dockWidgetArea(small.equations_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    small.close()


def test_presenter_mode_fills_the_screen_and_gives_the_window_back(qtbot, no_saved_layout):
    w = new_window(qtbot)
    show(qtbot, w)
    before = w.geometry()
    w.set_presenter(True)
    qtbot.waitUntil(lambda: w.isFullScreen() and w.frameGeometry() == w.screen().geometry())
    w.set_presenter(False)
    qtbot.waitUntil(lambda: not w.isFullScreen() and w.size() == before.size(), timeout=1000)
    w.close()
