"""Horizontal bars, one per row, each in its own brush: the hidden view's current column.

Drawn as pyqtgraph's BarGraphItem draws bars with a brush each and no pen (the same rectangles
recorded into a QPicture the same way, so the same pixels), without what made it dear at every
step: its Python loops over the brushes (and a fresh pen) on each update.
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
        self._picture: QtGui.QPicture | None = None

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
        self._picture = None
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
        if self._picture is None:  # recorded once per set of bars, then played (as BarGraphItem)
            self._picture = QtGui.QPicture()
            recorder = QtGui.QPainter(self._picture)
            x, y, w, h = (a.tolist() for a in self._corners)
            for brush, *rect in zip(self.brushes, x, y, w, h, strict=True):
                recorder.fillRect(QtCore.QRectF(*rect), brush)
            recorder.end()
        self._picture.play(p)
