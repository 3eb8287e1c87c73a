"""Drawing options, set once at start-up (never inside a widget): pyqtgraph's, and Qt's paint threads."""

import os

import pyqtgraph as pg

from rnnviz.ui.style import NORMAL


def configure_pyqtgraph() -> None:
    pg.setConfigOptions(
        imageAxisOrder="row-major", antialias=True, background=NORMAL.background, foreground=NORMAL.foreground
    )
    paint_in_the_ui_thread()


def paint_in_the_ui_thread() -> None:
    """Qt's raster engine splits each large fill (a window's background, a panel's gradient) over a
    pool of threads and waits for them; a full repaint makes dozens of such hand-offs, which cost
    more than the fills on a small machine (one step + redraw measured about a third slower).
    Read by Qt when it first paints, so this must run before the first window is shown; a value
    the user set is kept."""
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
