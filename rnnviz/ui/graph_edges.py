"""The unrolled graph's edges and the band under the current step, drawn as the view's background
(a GraphView mixin, and the scene that draws them for exports).

At T = 200 every repaint drew the ~120 antialiased edge paths in view, one item each (dashed ones
the dearest), on every step. The view now caches its background (QGraphicsView.CacheBackground):
the band and the edges are drawn into that pixmap, and again only where one changes (a restyled
edge, the band moving) or scrolls into view, so a repaint copies one pixmap. The edge items stay,
holding each edge's pen, brush and path (and its tooltip key, under a wide transparent twin to
hover), but Qt does not paint them (ItemHasNoContents): they are painted here, in the same order
with the same pens, below every item (as they were: the band at z = -1, the edges at z = 0,
everything else above).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.ui import style
from rnnviz.ui.graph_tips import TipScene

CUT_HALF, CUT_GAP = 13.0, 3.5  # the "//" mark across an edge that truncation cuts: half-height, gap
MANY_DIRTY = 40  # more out-of-date rects than this: the whole background is drawn again
PAD_PX = 2.0  # antialiasing reaches this many device pixels beyond a path's exact bounds
BACKGROUND = QtWidgets.QGraphicsScene.SceneLayer.BackgroundLayer


class GraphScene(TipScene):
    """The graph's scene: tooltips written on hover (TipScene), and the band and edges drawn as its
    background by under(painter, rect), so that rendering the scene (exports) shows them too."""

    def __init__(self, tip, under, parent=None):
        super().__init__(tip, parent)
        self._under = under

    def drawBackground(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        super().drawBackground(painter, rect)  # the scene's own brush: none
        self._under(painter, rect)


class EdgesUnder:
    """Needs the GraphView's edge_items (in the order they were made: the order they are drawn in),
    _ends, _band, _kinds, _T, _trace, theme and scene_. Call _index_edges once the edges are made,
    _edge_restyled after each restyle, and _flush_under once a redraw's restyles are done. The
    truncation marks across cut edges (items of their own, above the nodes) are made here too."""

    def _index_edges(self) -> None:
        self._edge_list = list(self.edge_items.values())
        self._slot = {key: i for i, key in enumerate(self.edge_items)}
        ends = [self._ends[key] for key in self.edge_items]
        self._span = np.array(
            [[min(a.x(), b.x()), min(a.y(), b.y()), max(a.x(), b.x()), max(a.y(), b.y())] for a, b in ends]
        )
        self._bounds = self._span.copy()  # x0, y0, x1, y1 of each edge drawn with its pen
        self._dirty: list[tuple] = []  # (x0, y0, x1, y1) where the cached background is out of date
        self._band_drawn = None  # (rect, colour) of the band as last drawn, None while hidden

    def _edge_restyled(self, key, width: float) -> None:
        """Edge key now has a pen this wide: out of date where it was and where it is. Its arrowhead
        (1.5 + 0.8 w to either side, graph_items.arrow) and a miter's tip (the pens' miter limit is
        2 pen widths) stay within 4 + 3 w of its ends' rectangle."""
        i, reach = self._slot[key], 4.0 + 3.0 * width
        old = self._bounds[i].copy()
        self._bounds[i] = self._span[i] + (-reach, -reach, reach, reach)
        new = self._bounds[i]
        self._dirty.append(
            (min(old[0], new[0]), min(old[1], new[1]), max(old[2], new[2]), max(old[3], new[3]))
        )

    def _band_moved(self) -> None:
        """Mark the band's old and new place out of date when it moved, showed, hid or recoloured."""
        band = self._band
        now = (band.sceneBoundingRect(), band.brush().color().rgba()) if band.isVisible() else None
        if now != self._band_drawn:
            self._dirty += [drawn[0].getCoords() for drawn in (self._band_drawn, now) if drawn is not None]
            self._band_drawn = now

    def _scrolled(self, dx: int) -> None:
        """After a scroll by dx device pixels: an edge that crossed the viewport's edge was drawn into
        the cache only in part (a dashed line's dashes then fall a fraction of a pixel apart from a
        whole drawing), so each one that now reaches into view is drawn again whole."""
        if dx == 0 or getattr(self, "_edge_list", None) is None:
            return
        x0, _, x1, _ = self._bounds.T
        for old_edge in (dx, self.viewport().width() + dx):  # where the viewport's sides were
            x = self.mapToScene(QtCore.QPoint(old_edge, 0)).x()
            self._dirty += [tuple(self._bounds[i]) for i in np.flatnonzero((x0 < x) & (x1 > x))]
        self._flush_under()

    def _flush_under(self) -> None:
        """Have the view redraw the out-of-date part of its cached background on its next paint."""
        if len(self._dirty) > MANY_DIRTY:  # a reset restyles most edges: all drawn again, once
            self.resetCachedContent()
        else:
            pad = PAD_PX / max(self.transform().m11(), 1e-6)
            for x0, y0, x1, y1 in self._dirty:  # one by one: the union of far-apart rects would be
                rect = QtCore.QRectF(QtCore.QPointF(x0 - pad, y0 - pad), QtCore.QPointF(x1 + pad, y1 + pad))
                self.invalidateScene(rect, BACKGROUND)  # most of the view
        self._dirty = []

    def drawBackground(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        super().drawBackground(painter, rect)  # the theme's background colour (the view's brush)
        self._draw_under(painter, rect)

    def _draw_under(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        """The band, then every edge that reaches into rect, as their items would paint them."""
        if getattr(self, "_edge_list", None) is None:  # nothing built yet
            return
        painter.save()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)  # the cache's painter has no hints
        band = self._band
        if band.isVisible():
            painter.setPen(band.pen())
            painter.setBrush(band.brush())
            painter.drawRect(band.rect().translated(band.pos()))
        pad = PAD_PX / max(abs(painter.worldTransform().m11()), 1e-6) + 1.0  # + the clip rects rounding
        x0, y0, x1, y1 = self._bounds.T
        near = np.zeros(len(x0), bool)
        # rect bounds what is out of date; the clip says exactly which parts (a scrolled-in strip, a
        # moved band, a restyled edge: far apart, their bounding rect can be most of the view)
        clip = painter.clipRegion() if painter.hasClipping() else None
        for r in [QtCore.QRectF(c) for c in clip] if clip is not None and not clip.isEmpty() else [rect]:
            near |= (
                (x0 <= r.right() + pad)
                & (x1 >= r.left() - pad)
                & (y0 <= r.bottom() + pad)
                & (y1 >= r.top() - pad)
            )
        for i in np.flatnonzero(near):
            item = self._edge_list[i]
            painter.setPen(item.pen())
            painter.setBrush(item.brush())
            painter.drawPath(item.path())
        painter.restore()

    def _make_cut_marks(self) -> None:
        """A "//" break mark across each W (and c) edge that truncation cuts, as on a cut axis."""
        for bar in self.cut_items.values():
            self.scene_.removeItem(bar)
        self.cut_items = {}
        for kind in "WC" if "C" in self._kinds else "W":
            for t in range(1, self._T):
                why = self._trace.cut(t)
                if why is None:
                    continue
                a, b = self._ends[(kind, t)]
                mx, my = (a.x() + b.x()) / 2, (a.y() + b.y()) / 2
                mark = QtGui.QPainterPath()
                for dx in (-CUT_GAP, CUT_GAP):
                    mark.moveTo(mx + dx - CUT_HALF / 2.5, my + CUT_HALF)
                    mark.lineTo(mx + dx + CUT_HALF / 2.5, my - CUT_HALF)
                bar = QtWidgets.QGraphicsPathItem(mark)
                bar.setZValue(3)
                bar.setToolTip(why)
                bar.setPen(style.pen(self.theme.foreground, self.theme.line_width))
                self.scene_.addItem(bar)
                self.cut_items[t if kind == "W" else (kind, t)] = bar
