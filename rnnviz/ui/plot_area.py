"""PlotArea: a pyqtgraph GraphicsLayoutWidget that asks for the room its plots need.

pyqtgraph lays plots out inside the widget but never tells Qt how small they can get, so a narrow
widget squeezed them to nothing (or they overflowed it and were clipped). Here the widget's minimum
size is its layout's, and `place` moves items between cells so a view can reflow.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

MARGINS = (4, 4, 4, 4)  # around the plots (pyqtgraph's 9 px cost a tab's worth of height)
SPACING = 4  # between them


class PlotArea(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.ci.layout.setContentsMargins(*MARGINS)
        self.ci.layout.setHorizontalSpacing(SPACING)
        self.ci.layout.setVerticalSpacing(SPACING)
        self.addPlot = self.add_plot  # (pyqtgraph's constructor made addPlot an attribute: ci.addPlot)

    def add_plot(self, *args, **kwargs) -> pg.PlotItem:
        """ci.addPlot, its left and bottom axes drawn from a pixmap of themselves (CachedAxis); the
        top and right ones stay pyqtgraph's (an axis given here is shown)."""
        axes = {side: CachedAxis(side) for side in ("left", "bottom")}
        return self.ci.addPlot(*args, axisItems={**axes, **kwargs.pop("axisItems", {})}, **kwargs)

    def minimumSizeHint(self) -> QtCore.QSize:
        need = self.ci.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        return QtCore.QSize(math.ceil(need.width()), math.ceil(need.height()))

    def place(self, cells: dict, out: tuple = ()) -> None:
        """Put items in cells: {item: (row, col, rowspan, colspan)}; the items `out` are taken out of
        the grid (the caller hides them: e.g. the second cell's plots when one cell is shown)."""
        grid = self.ci.layout
        for item in (*cells, *out):
            for i in range(grid.count()):
                if grid.itemAt(i) is item:
                    grid.removeAt(i)
                    break
        for r in range(grid.rowCount()):
            grid.setRowStretchFactor(r, 0)
        for item, (row, col, rowspan, colspan) in cells.items():
            grid.addItem(item, row, col, rowspan, colspan)
        grid.activate()  # in place now, not at the next layout pass (a picture may be taken first)
        self.updateGeometry()
        self.refit()

    def refit(self) -> None:
        """Lay the plots out in the widget's room again: pyqtgraph sized them when the widget was
        resized, with the least sizes of that moment (a legend reflowed since may need less)."""
        self.ci.setGeometry(QtCore.QRectF(self.rect()))


class _PlotWithoutMenu(pg.PlotItem):
    """A PlotItem whose ViewBox is built without a context menu (enableMenu=False)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("enableMenu", False)
        super().__init__(*args, **kwargs)


class ColourBar(pg.ColorBarItem, _PlotWithoutMenu):
    """pg.ColorBarItem, built without the ViewBox menu it turns off at once: ColorBarItem's own
    PlotItem is made with pyqtgraph's default, a menu (about 2 ms of widgets, polished at the next
    turn of the event loop, then deleted). This class puts _PlotWithoutMenu between ColorBarItem
    and PlotItem, so ColorBarItem's super().__init__() builds its PlotItem without one."""


class CachedAxis(pg.AxisItem):
    """An axis drawn once into a pixmap (DeviceCoordinateCache) and copied from it when exposed. The
    axes touch the data area (their ticks point into it), so every cursor, bar or image that changed
    at a step exposed them and their lines, ticks and labels were drawn again; now they are drawn
    again only when their range, ticks, labels or size change (pyqtgraph calls update() then)."""

    def __init__(self, orientation: str, **kwargs):
        self._drawing = False
        super().__init__(orientation, **kwargs)
        self.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QtCore.QRectF:
        # the pixmap holds the bounding rect only, and pyqtgraph draws the axis line's end pixel just
        # outside it (a direct paint is not clipped): one pixel more all round keeps it. Not while
        # pyqtgraph draws: it drops the tick labels outside the bounding rect and clips text to it
        rect = super().boundingRect()
        return rect if self._drawing else rect.adjusted(-1, -1, 1, 1)

    def paint(self, *args) -> None:
        self._drawing = True
        try:
            super().paint(*args)
        finally:
            self._drawing = False


def legend_size(legend: pg.LegendItem, columns: int) -> QtCore.QSizeF:
    """How much room `legend` needs in `columns` columns (laid out that way to measure it). Measuring
    lays the legend out twice, and views ask for their least size several times a step: the sizes
    are kept until the legend's entries or their type size change."""
    key = (tuple(label.text for _, label in legend.items), legend.opts.get("labelTextSize"), columns)
    known = legend.__dict__.setdefault("_rnnviz_sizes", {})
    if key not in known:
        if len(known) > 64:  # entries whose text changes (e.g. a training count): keep a few
            known.clear()
        before, where = legend.columnCount, legend.geometry()
        _columns(legend, columns)
        known[key] = QtCore.QSizeF(min_size(legend))
        _columns(legend, before)
        legend.setGeometry(where)  # measuring must not move it (setColumnCount puts it at 0, 0)
    return QtCore.QSizeF(known[key])


def _columns(legend: pg.LegendItem, columns: int) -> None:
    if columns != legend.columnCount:
        legend.setColumnCount(columns)
        legend.layout.invalidate()  # its size hints are cached: measure the new arrangement
        legend.updateGeometry()


def fit_legend(legend: pg.LegendItem, width: float, most: int) -> None:
    """As many columns (up to `most`) as fit `width`; one if even that is too wide."""
    columns = next((n for n in range(most, 0, -1) if legend_size(legend, n).width() <= width), 1)
    if columns != legend.columnCount:
        _columns(legend, columns)  # (pyqtgraph then moves it to 0, 0: put it back in its cell)
        grid = legend.parentLayoutItem()
        if grid is not None and grid.isLayout():
            grid.invalidate()
            grid.activate()


def min_size(item) -> QtCore.QSizeF:
    return item.effectiveSizeHint(Qt.SizeHint.MinimumSize)


class FittedNote(pg.TextItem):
    """A note drawn inside a plot (e.g. "fills in during BPTT") that always fits the plot's data
    area: it wraps between words and, where the plot is small, takes a smaller type."""

    SCALES = (1.2, 1.0, 0.8, 0.6)  # of the base font, largest first
    ROOM = (0.95, 0.8)  # of the data area's width and height

    def __init__(self, text: str, vb: pg.ViewBox):
        self._vb, self._base = vb, QtGui.QFont()  # (TextItem's constructor calls setText)
        super().__init__(text, anchor=(0.5, 0.5))
        option = self.textItem.document().defaultTextOption()
        option.setWrapMode(QtGui.QTextOption.WrapMode.WordWrap)  # never inside a word
        option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.textItem.document().setDefaultTextOption(option)
        vb.sigResized.connect(self.fit)

    def set_base_font(self, font: QtGui.QFont) -> None:
        self._base = QtGui.QFont(font)
        self.fit()

    def setText(self, text, color=None) -> None:
        if color is None and text == getattr(self, "_shown", None):  # views set it at every step
            return
        self._shown = text
        super().setText(text, color)
        self.fit()

    def fit(self, *_) -> None:
        width, height = self.ROOM[0] * self._vb.width(), self.ROOM[1] * self._vb.height()
        if width <= 0 or height <= 0:
            return
        doc = self.textItem.document()
        for scale in self.SCALES:
            font = QtGui.QFont(self._base)
            font.setPointSizeF(self._base.pointSizeF() * scale)
            self.textItem.setFont(font)
            self.textItem.setTextWidth(-1)
            self.textItem.setTextWidth(min(width, doc.idealWidth()))
            if doc.idealWidth() <= width + 0.5 and doc.size().height() <= height:
                break
        self.updateTextPos()
