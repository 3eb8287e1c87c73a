"""Horizontal bars, one per row, each in its own brush: the hidden view's current column.

The pixels pyqtgraph's BarGraphItem draws for bars with a brush each and no pen, without what made
it dear at every step: its Python loops over the brushes (and a fresh pen) on each update, and
recording the bars into a QPicture to play it once (new bars come at every step). Each bar is
filled as a path: a played picture's rectangles are rasterised as paths, and QPainter.fillRect
rounds an unantialiased rectangle's edges its own way (a row of pixels apart; the plots are drawn
without antialiasing). About a fifth of the time of recording and playing at H=256.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui


class ValueBars(pg.GraphicsObject):
    def __init__(self, height: float = 0.8):
        super().__init__()
        self.height = height
        self._corners: tuple = ((), (), (), ())  # x, y, width, height of each bar
        self.brushes: list[QtGui.QBrush] = []
        self._bounds = QtCore.QRectF()

    def set_bars(self, values: np.ndarray, brushes: list[QtGui.QBrush]) -> None:
        """Row i: a bar from 0 to values[i] (centred on y = i), in brushes[i]."""
        values = np.asarray(values, dtype=np.float64)
        # BarGraphItem's arithmetic (x0 = min(v, 0), width |v|; y0 = i - height/2), to the last bit
        left = np.minimum(values, 0)
        x0, x1 = np.minimum(left, left + np.abs(values)), np.maximum(left, left + np.abs(values))
        y0 = np.arange(len(values)) - self.height / 2.0
        y1 = y0 + self.height
        self._corners = (x0, y0, x1 - x0, y1 - y0)  # QRectFs made when drawn, not at every update
        self.brushes = brushes
        self.prepareGeometryChange()
        self._bounds = (
            QtCore.QRectF(QtCore.QPointF(x0.min(), y0.min()), QtCore.QPointF(x1.max(), y1.max()))
            if len(values)
            else QtCore.QRectF()
        )
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        if self._bounds.isNull():
            return QtCore.QRectF()
        px, py = self.pixelVectors()  # half a pixel around, for the antialiased edges (as BarGraphItem)
        dx = 0.5 * (0 if px is None else px.length())
        dy = 0.5 * (0 if py is None else py.length())
        return self._bounds.adjusted(-dx, -dy, dx, dy)

    def paint(self, p, *_) -> None:
        x, y, w, h = (a.tolist() for a in self._corners)
        fill_bars(p, self.brushes, x, y, w, h)


class StepBars(pg.BarGraphItem):
    """pyqtgraph's BarGraphItem, with bars from y = 0 (opts x, width, height) and no pen each filled
    as a path. BarGraphItem records a brush-a-bar set into a QPicture again at every change (all t
    bars for the one new E_t of a step), and draws a one-brush set with drawRects, whose
    unantialiased edges are rounded apart from the picture's; a filled path rounds them as the
    played picture does (tests/ui/test_value_bars.py), so the pixels stay the same. About a
    quarter of the time of recording and playing, at T=200."""

    def paint(self, p, *args) -> None:
        o = self.opts
        if o.get("pens") is not None or pg.mkPen(o.get("pen")).style() != QtCore.Qt.PenStyle.NoPen:
            return super().paint(p, *args)
        x, heights = np.asarray(o["x"], dtype=np.float64), np.asarray(o["height"], dtype=np.float64)
        # BarGraphItem's arithmetic, to the last bit: x0 = x - width/2, y0 = 0, each side sorted
        left = x - o["width"] / 2.0
        x0, x1 = np.minimum(left, left + o["width"]), np.maximum(left, left + o["width"])
        y0, y1 = np.minimum(0, heights), np.maximum(0, heights)
        x0, y0, w, h = np.broadcast_arrays(x0, y0, x1 - x0, y1 - y0)
        brushes = o["brushes"] if o.get("brushes") is not None else [o["brush"]] * len(x0)
        made = {}  # id -> QBrush, made once per brush
        for brush in brushes:
            if id(brush) not in made:
                made[id(brush)] = pg.mkBrush(brush)
        # a path a bar: one path of all the bars fills 30 times slower
        fill_bars(p, [made[id(b)] for b in brushes], x0.tolist(), y0.tolist(), w.tolist(), h.tolist())


def fill_bars(p: QtGui.QPainter, brushes, x, y, w, h) -> None:
    """Fill each rectangle (x[i], y[i], w[i], h[i]) as a path in brushes[i]. One path emptied and
    refilled for each bar: the same pixels as a new path a bar, in about two thirds of the time."""
    bar = QtGui.QPainterPath()
    clear, add, fill = bar.clear, bar.addRect, p.fillPath
    for brush, *rect in zip(brushes, x, y, w, h, strict=True):
        clear()
        add(*rect)
        fill(bar, brush)
