"""How the unrolled graph fits its view: all three rows always in view (scaled to the height), the
whole sequence when its text stays readable, else scrolling along time only, with the row names
pinned to the left edge. Exports draw the whole scene instead (export_scene). A GraphView mixin.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

from rnnviz.ui import style

READABLE_ZOOM = 0.8  # the whole graph is shown if its text stays this big; else time scrolls
MAX_ZOOM = 2.0
MIN_ZOOM = 0.25  # Ctrl+wheel zooms out to a quarter of the height-fitted size, no further
GRAPH_MIN_H = 135  # below this the rows' text is too small to read, even fitted to the height


class ScrollAlongTime:
    def auto_scale(self) -> float:
        """The scale that shows all three rows: the whole graph if that stays readable, else the
        height fitted and time scrolled (the scroll bar's height taken off when it will show)."""
        r = self.sceneRect()
        w, h = self.contentsRect().width(), self.contentsRect().height()
        k_w, k_h = w / r.width(), min(h / r.height(), MAX_ZOOM)
        if k_w >= k_h or k_w >= READABLE_ZOOM:
            return min(k_w, k_h)  # the whole graph
        bar = self.horizontalScrollBar().sizeHint().height()
        return max(h - bar, 1) / r.height()

    def _auto_view(self) -> None:
        if self.sceneRect().isEmpty():  # nothing built yet (a second cell's graph before compare mode)
            return
        k = self.auto_scale() * self._zoom
        scrolls = self.sceneRect().width() * k > self.contentsRect().width() + 0.5
        policy = Qt.ScrollBarPolicy
        self.setHorizontalScrollBarPolicy(policy.ScrollBarAlwaysOn if scrolls else policy.ScrollBarAlwaysOff)
        if self.transform() != QtGui.QTransform.fromScale(k, k):
            self.setTransform(QtGui.QTransform.fromScale(k, k))
            self.resetCachedContent()  # the edges' cached background (graph_edges.py), at the new scale
        if self.highlighted_t is not None:
            self.ensureVisible(self._band.sceneBoundingRect(), max(80, self.viewport().width() // 3), 0)
        else:  # nothing stepped yet: from t = 0 (Qt would centre the middle of the sequence)
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._auto_view()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """Qt moves the pixels already drawn and paints the strip scrolled into view; the pinned
        row names stay at the left edge, so their column, and (scrolling back) the strip the scroll
        dragged them into, is painted again (a whole repaint here took ~7 ms a step at T = 200).
        Scrolling on (dx < 0) drags them left, inside their own column: the pixels it brings into
        that column's right end are the graph's, as they were beside it."""
        super().scrollContentsBy(dx, dy)
        self._scrolled(dx)  # edges cut by the viewport's old sides: drawn again whole (graph_edges.py)
        pinned = math.ceil(self.label_width * self.transform().m11()) + max(dx, 0) + 2
        self.viewport().update(0, 0, pinned, self.viewport().height())

    def wheelEvent(self, event) -> None:
        """Ctrl+wheel zooms out (never in beyond the height); the plain wheel scrolls along time."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._zoom = float(np.clip(self._zoom * 1.15 ** (event.angleDelta().y() / 120), MIN_ZOOM, 1.0))
            self._auto_view()
            event.accept()
        else:
            QtWidgets.QApplication.sendEvent(self.horizontalScrollBar(), event)

    def labels_pinned(self) -> bool:
        if self.sceneRect().isEmpty():
            return False
        """Scrolled along time past the row names: they are drawn pinned to the left edge."""
        return self.mapToScene(0, 0).x() > self.sceneRect().left() + 1

    def drawForeground(self, painter, rect) -> None:
        """When time has scrolled the row names away, draw them over the left edge (a frozen
        column): which row is which must stay readable. Exports render the scene, not this."""
        if not self.labels_pinned():
            return
        left = self.mapToScene(0, 0).x()
        band = QtCore.QRectF(left, self.sceneRect().top(), self.label_width, self.sceneRect().height())
        painter.save()
        painter.fillRect(band, QtGui.QColor(self.theme.background))
        if getattr(self, "_pinned_pen_of", None) != self.theme:  # made once per theme, not per repaint
            self._pinned_pen_of, self._pinned_pen = self.theme, style.pen(self.theme.muted, 1)
        painter.setPen(self._pinned_pen)
        painter.drawLine(band.topRight(), band.bottomRight())
        option = QtWidgets.QStyleOptionGraphicsItem()
        for item in self._pinned_items():
            painter.save()
            painter.translate(left + item.pos().x(), item.pos().y())
            painter.scale(item.scale(), item.scale())
            item.paint(painter, option, None)
            painter.restore()
        painter.restore()

    def _pinned_items(self) -> list:
        """The row names' text items, found once per set of labels (at T = 200 there are ~1,200
        labels: looking through them at every repaint cost more than drawing the few pinned)."""
        if getattr(self, "_pinned_of", None) is not self._labels:
            self._pinned_of = self._labels
            self._pinned = [label.item for key, label in self._labels.items() if key[0] in ("row", "sub")]
        return self._pinned

    def export_scene(self) -> tuple[QtWidgets.QGraphicsScene, QtCore.QRectF, QtGui.QColor]:
        """What an export draws: the whole unrolled graph at 1:1, whatever the window shows."""
        return self.scene_, self.sceneRect(), QtGui.QColor(self.theme.background)
