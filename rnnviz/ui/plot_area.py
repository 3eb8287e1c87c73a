"""PlotArea: a pyqtgraph GraphicsLayoutWidget that asks for the room its plots need.

pyqtgraph lays plots out inside the widget but never tells Qt how small they can get, so a narrow
widget squeezed them to nothing (or they overflowed it and were clipped). Here the widget's minimum
size is its layout's, and `place` moves items between cells so a view can reflow.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6 import QtCore
from PySide6.QtCore import Qt

MARGINS = (4, 4, 4, 4)  # around the plots (pyqtgraph's 9 px cost a tab's worth of height)
SPACING = 4  # between them


class PlotArea(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.ci.layout.setContentsMargins(*MARGINS)
        self.ci.layout.setHorizontalSpacing(SPACING)
        self.ci.layout.setVerticalSpacing(SPACING)

    def minimumSizeHint(self) -> QtCore.QSize:
        need = self.ci.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        return QtCore.QSize(math.ceil(need.width()), math.ceil(need.height()))

    def place(self, cells: dict) -> None:
        """Put items in cells: {item: (row, col, rowspan, colspan)}; every other cell is emptied."""
        grid = self.ci.layout
        for item in cells:
            grid.removeItem(item)
        for r in range(grid.rowCount()):
            grid.setRowStretchFactor(r, 0)
        for item, (row, col, rowspan, colspan) in cells.items():
            grid.addItem(item, row, col, rowspan, colspan)
        self.updateGeometry()


def legend_size(legend: pg.LegendItem, columns: int) -> QtCore.QSizeF:
    """How much room `legend` needs in `columns` columns (laid out that way to measure it)."""
    before = legend.columnCount
    legend.setColumnCount(columns)
    size = min_size(legend)
    legend.setColumnCount(before)
    return size


def fit_legend(legend: pg.LegendItem, width: float, most: int) -> None:
    """As many columns (up to `most`) as fit `width`; one if even that is too wide."""
    columns = next((n for n in range(most, 0, -1) if legend_size(legend, n).width() <= width), 1)
    if columns != legend.columnCount:
        legend.setColumnCount(columns)


def min_size(item) -> QtCore.QSizeF:
    return item.effectiveSizeHint(Qt.SizeHint.MinimumSize)
