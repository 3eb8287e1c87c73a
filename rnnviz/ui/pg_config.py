"""pyqtgraph's global options, set once at start-up (never inside a widget)."""

import pyqtgraph as pg

from rnnviz.ui.style import NORMAL


def configure_pyqtgraph() -> None:
    pg.setConfigOptions(
        imageAxisOrder="row-major", antialias=True, background=NORMAL.background, foreground=NORMAL.foreground
    )
