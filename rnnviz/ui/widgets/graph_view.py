"""GraphView: the unrolled network. Column t holds x_t (bottom), s_t (middle) and o_t (top); a cell
with a cell state (the LSTM) has its c_t row along the top, c_{t-1} -> c_t.

Items are built once per reset; show_state() only restyles them from the stepper's events and
skips items whose look has not changed, so a step costs a few ms even at T = 50. In the backward
pass an edge's width grows with log10 of the gradient norm it carries, on a FIXED scale, so a
vanishing gradient visibly thins instead of being renormalised away; the cell-state line has a
colour of its own, so the error travelling along c stands apart from the one along s. A gated
cell's node at the current step shows its gates (graph_gates.py). The view asks the cell what it
has (gates, states); in compare mode a second GraphView draws the second cell (session.side(1)).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

from rnnviz.core.layout import unrolled_layout
from rnnviz.ui import style
from rnnviz.ui.graph_edges import EdgesUnder, GraphScene
from rnnviz.ui.graph_gates import GateBars
from rnnviz.ui.graph_items import LOG_RANGE, Label, arrow, gradient_width
from rnnviz.ui.graph_scroll import GRAPH_MIN_H, ScrollAlongTime
from rnnviz.ui.graph_style import GraphStyle
from rnnviz.ui.graph_text import Trace
from rnnviz.ui.graph_tips import TIP_KEY, GraphTips, events_by_step

__all__ = ["GraphView", "gradient_width"]

LABEL_W = 118.0  # room for the row labels left of column 0
DY = 96.0  # distance between rows
C_DY = 78.0  # from the o row up to the cell-state row
X_H, O_H = 30.0, 70.0  # heights of the x and o boxes
GATED_S_H = 76.0  # a gated cell's s node: a box with room for its gates' bars
TITLE_H = 24.0  # the cell's name above the row labels
WORD_DX = 64.0  # the narrowest column for word tokens (a typical word at a readable size)
# nodes are drawn once into pixmaps at screen resolution and copied on each repaint (again only
# when restyled): their antialiased outlines were a large part of a repaint at T = 200
CACHED = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
NO_CONTENTS = QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents  # Qt does not paint the item


class GraphView(GraphStyle, GraphTips, EdgesUnder, ScrollAlongTime, QtWidgets.QGraphicsView):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session, self.theme = session, theme
        self.scene_ = GraphScene(self.tooltip_of, self._draw_under, self)  # held: a local one is collected
        self.setCacheMode(QtWidgets.QGraphicsView.CacheModeFlag.CacheBackground)  # the edges (graph_edges.py)
        self.setScene(self.scene_)
        hint = QtGui.QPainter.RenderHint
        self.setRenderHints(hint.Antialiasing | hint.TextAntialiasing)
        # every item here is a stock Qt item that sets its own pen, brush and font, and the drawn
        # background and foreground restore the painter: Qt need not save it around each (~0.2-0.7 ms
        # of a step's repaint at T = 200; the same pixels)
        self.setOptimizationFlag(QtWidgets.QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setTransformationAnchor(QtWidgets.QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the rows always fit
        self.setMinimumHeight(GRAPH_MIN_H)
        self.label_width = LABEL_W  # the row names' column, pinned when time scrolls
        self._zoom = 1.0  # the user's Ctrl+wheel zoom, relative to the automatic scale
        self._layout = None
        self.highlighted_t: int | None = None
        self.phase: str | None = None
        self.gate_bars: GateBars | None = None
        session.sig_reset.connect(self.rebuild)
        session.sig_stepped.connect(self.show_state)
        self.rebuild()

    @property
    def active(self) -> bool:
        """False for the second cell's graph while the session compares no cells (it is hidden)."""
        return getattr(self.session, "active", True)

    # --- building (once per reset) --------------------------------------------------------------

    def rebuild(self) -> None:
        """Items for a new trace. With the same T and cell they are kept and only restyled: making
        ~2,000 items anew at T = 200 would take the UI thread ~0.2 s on every reset."""
        if not self.active:
            return
        T, cell = self.session.T, self.session.stepper.spec
        dx = float(np.clip(1800.0 / T, 36.0, 110.0))  # 50 columns fit in 1800 px
        if self.session.vocab.level == "word":  # words need room to be read: scroll rather than shrink
            dx = max(dx, WORD_DX)
        if (T, dx, cell) == self._layout:
            self._trace = Trace.of(self.session.stepper)
            self._make_cut_marks()  # the items' keys stay: each says all of its look (tooltips are
            # written on hover), so only what the new trace changes is restyled
            self._drawn = (None, 0)
            self.show_state()
            return
        self.scene_.clear()
        self._pens, self._paths = {}, {}  # made once, shared by items that look alike
        self._T, self._layout = T, (T, dx, cell)
        self._compact = dx < 60  # short texts in narrow columns
        gated, has_c = bool(cell.gates), "c" in cell.states
        self._rows = "xso" + ("c" if has_c else "")
        self._kinds = "UWV" + ("C" if has_c else "")
        lay = unrolled_layout(T, dx=dx, dy=-DY)  # y grows downwards in Qt: o on top
        pos = lay.pos + [LABEL_W + dx / 2, 0.0]
        self._pos = {(r, t): pos[lay.node(r, t)] for r in "xso" for t in range(T)}
        bw, sd = min(dx - 6.0, 84.0), min(0.72 * dx, 60.0)  # x/o box width, s circle diameter
        cd = min(0.45 * dx, 40.0)  # c circle diameter
        gw = min(0.8 * dx, 70.0)  # a gated s node: narrower than x and o, so the W edges show
        sizes = {"x": (bw, X_H), "s": (gw, GATED_S_H) if gated else (sd, sd), "o": (bw, O_H), "c": (cd, cd)}
        for t in range(T) if has_c else ():
            self._pos[("c", t)] = self._pos[("o", t)] + [0.0, -C_DY]
        self.node_items, self.edge_items, self.edge_pens, self._ends = {}, {}, {}, {}
        self._labels: dict = {}
        self._static: dict = {}  # label key -> fixed text (row names, t=..., the cell's name)
        self._keys: dict = {}  # item key -> the whole look it was last styled with
        self._drawn = (None, 0)  # (stepper, cursor) show_state last drew
        for (r, t), (cx, cy) in self._pos.items():
            w, h = sizes[r]
            rect = QtCore.QRectF(cx - w / 2, cy - h / 2, w, h)
            if r == "c" or (r == "s" and not gated):
                item = QtWidgets.QGraphicsEllipseItem(rect)
            else:
                path = QtGui.QPainterPath()
                path.addRoundedRect(rect, 6, 6)
                item = QtWidgets.QGraphicsPathItem(path)
            item.setZValue(2)
            item.setCacheMode(CACHED)
            item.setData(TIP_KEY, ("node", r, t))  # its tooltip is written when hovered (graph_tips.py)
            self.scene_.addItem(item)
            self.node_items[(r, t)] = item
            n = 3 if r == "o" else (2 if r == "s" and not self._compact else 1)
            inner_w, lh = (w - 4, (h - 6) / n) if r in "xo" else (0.86 * w, min(h / 2.2, 22.0))
            for i in range(n):  # text lines are children: hovering them shows the node's tooltip
                self._labels[(r, t, i)] = Label(
                    self.scene_, item, cx, cy + (i - (n - 1) / 2) * lh, inner_w, lh, bold=r in "xo" and i == 0
                )
            if r == "x":
                self._labels[("t", t)] = Label(
                    self.scene_, None, cx, X_H / 2 + 14, dx - 6, 22, scale=0.95, ref=f"t={T - 1}"
                )
                self._static[("t", t)] = f"t={t}"
        for kind, t in [(k, int(t)) for k, t in zip(lay.edge_kind, lay.edge_t, strict=True)] + [
            ("C", t) for t in range(1, T) if has_c
        ]:
            if kind in "WC":  # along time: from the node before to this one
                r = "s" if kind == "W" else "c"
                (x0, y0), (x1, y1) = self._pos[(r, t - 1)], self._pos[(r, t)]
                half = sizes[r][0] / 2
                a, b = QtCore.QPointF(x0 + half, y0), QtCore.QPointF(x1 - half, y1)
            else:
                lo, hi = ("x", "s") if kind == "U" else ("s", "o")
                (x0, y0), (_, y1) = self._pos[(lo, t)], self._pos[(hi, t)]
                a = QtCore.QPointF(x0, y0 - sizes[lo][1] / 2)
                b = QtCore.QPointF(x0, y1 + sizes[hi][1] / 2)
            # a wide transparent twin makes even a 1 px edge easy to hover for its tooltip
            hit = self.scene_.addPath(arrow(a, b), QtGui.QPen(Qt.GlobalColor.transparent, 12))
            hit.setFlag(NO_CONTENTS)  # hovered, never drawn
            self.edge_items[(kind, t)] = vis = QtWidgets.QGraphicsPathItem(hit)  # its look: drawn by
            vis.setFlag(NO_CONTENTS)  # graph_edges.py, as the view's cached background
            for part in (hit, vis):
                part.setData(TIP_KEY, ("edge", kind, t))
            self._ends[(kind, t)] = (a, b)
        self._index_edges()
        self._trace = Trace.of(self.session.stepper)
        self.cut_items = {}  # (kind, t) -> the bar across the edge into step t that truncation cuts
        self._make_cut_marks()
        top = (self._pos[("c", 0)][1] - cd / 2 if has_c else -2 * DY - O_H / 2) - 10 - TITLE_H
        self._band = self.scene_.addRect(
            QtCore.QRectF(-dx / 2 + 1, top + TITLE_H, dx - 2, X_H / 2 + 34 - top - TITLE_H),
            QtGui.QPen(Qt.PenStyle.NoPen),
        )
        self._band.setZValue(-1)
        self._band.setFlag(NO_CONTENTS)  # drawn under the edges (graph_edges.py)
        self.gate_bars = GateBars(self.scene_, cell, LOG_RANGE) if gated else None
        self._s_rect = lambda t: QtCore.QRectF(  # the s node of step t (scene coordinates)
            self._pos[("s", t)][0] - sizes["s"][0] / 2,
            self._pos[("s", t)][1] - sizes["s"][1] / 2,
            *sizes["s"],
        )
        rows = [("c", "cell state c", "|cₜ| (norm)")] if has_c else []
        rows += [
            ("o", "output o", "target y · p(y) · E"),
            ("s", "hidden s", "|sₜ| (norm)" + (" · gates" if gated else "")),
            ("x", "input x", "token xₜ"),
        ]
        for r, name, sub in rows:
            y = self._pos[(r, 0)][1]
            for key, dy, h, scale, bold in (("row", -9, 24, 1.1, True), ("sub", 11, 18, 0.8, False)):
                self._labels[(key, r)] = Label(
                    self.scene_,
                    None,
                    LABEL_W - 10,
                    y + dy,
                    LABEL_W - 14,
                    h,
                    right=True,
                    scale=scale,
                    bold=bold,
                )
            self._static[("row", r)], self._static[("sub", r)] = name, sub
        self._labels[("row", "title")] = Label(
            self.scene_,
            None,
            LABEL_W - 10,
            top + 4 + TITLE_H / 2,
            LABEL_W - 14,
            TITLE_H,
            right=True,
            scale=1.2,
            bold=True,
        )
        self._static[("row", "title")] = self.session.name  # which cell: RNN, LSTM, GRU
        self.scene_.setSceneRect(QtCore.QRectF(0, top - 4, LABEL_W + T * dx + 10, X_H / 2 + 48 - top))
        self._zoom = 1.0
        self.apply_theme(self.theme)
        self._auto_view()

    # --- styling ---------------------------------------------------------------------------------

    def apply_theme(self, theme: style.Theme) -> None:
        """Restyle only: fonts, colours and line widths; the items stay."""
        self.theme = theme
        if not self.active or self._layout is None:
            return
        self._pens = {}
        self.setBackgroundBrush(QtGui.QColor(theme.background))
        self.resetCachedContent()  # the edges' cached background: all drawn again
        for key, lab in self._labels.items():
            lab.set(self._static.get(key, ""), theme.foreground, theme)
        for bar in self.cut_items.values():  # the foreground colour: distinct from the orange errors
            bar.setPen(style.pen(theme.foreground, theme.line_width))
        self._keys.clear()  # every item restyles on the next show_state
        self.show_state()

    def show_state(self, step=None, *_args) -> None:
        """Redraw from the session's events; idempotent, and cheap when little changed: after one
        step (or one step back) only the columns it touched are looked at, not all T."""
        if not self.active:
            return
        st, T, th = self.session.stepper, self._T, self.theme
        events = st.events
        fw, bw = events_by_step(events, T)
        last = events[-1] if events else None
        before = self.highlighted_t
        self.phase = last.phase if last is not None else None
        self.highlighted_t = last.t if last is not None and self.phase != "update" else None
        cur_col = th.backward if self.phase == "backward" else th.forward
        columns = range(T)
        one_step = self._drawn[0] is st and abs(self._drawn[1] - st.cursor) == 1
        if one_step and getattr(step, "phase", "update") != "update":  # its column, and the edges into t+1
            columns = {step.t, step.t + 1, before, self.highlighted_t} - {None, T}
        self._drawn = (st, st.cursor)
        for t in columns:
            f, b = fw[t], bw[t]
            for r in self._rows:
                reached = b is not None and (r in "sc" or (r == "o" and b.d_out.any()))
                state = "todo" if f is None else ("bwd" if reached else "fwd")
                key = (state, t == self.highlighted_t and cur_col, self._node_lines(r, t, f))
                if self._keys.get((r, t)) != key:
                    self._keys[(r, t)] = key
                    self._style_node(r, t, *key)
            for kind in self._kinds if t else "UV":
                look = self._edge_look(kind, t, f, b, bw[t - 1] if t else None)
                if self._keys.get((kind, t)) != look:
                    self._keys[(kind, t)] = look
                    self._style_edge(kind, t, *look)
        self._band.setVisible(self.highlighted_t is not None)
        self._show_gates(fw, bw)
        if self.highlighted_t is not None:
            c = QtGui.QColor(cur_col)
            c.setAlpha(28)
            self._band.setBrush(c)
            self._band.setPos(self._pos[("x", self.highlighted_t)][0], 0)
            margin = max(80, self.viewport().width() // 3)  # the steps either side stay in view too
            self.ensureVisible(self._band.sceneBoundingRect(), margin, 0)  # when time scrolls
        self._band_moved()
        self._flush_under()

    def _show_gates(self, fw, bw) -> None:
        """A gated cell: its gates' bars in the node of the step just taken (none at the update)."""
        if self.gate_bars is None:
            return
        t = self.highlighted_t
        if t is None:
            self.gate_bars.hide()
            return
        self.gate_bars.place(self._s_rect(t), self.theme)
        self.gate_bars.show(fw[t], bw[t], self.phase)
