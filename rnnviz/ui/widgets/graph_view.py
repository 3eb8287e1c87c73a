"""GraphView: the unrolled RNN. Column t holds x_t (bottom), s_t (middle) and o_t (top).

Items are built once per reset; show_state() only restyles them from the stepper's events and
skips items whose look has not changed, so a step costs a few ms even at T = 50. In the backward
pass an edge's width grows with log10 of the gradient norm it carries, on a FIXED scale, so a
vanishing gradient visibly thins instead of being renormalised away.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

from rnnviz.core.layout import unrolled_layout
from rnnviz.ui import graph_text, style
from rnnviz.ui.graph_scroll import GRAPH_MIN_H, ScrollAlongTime
from rnnviz.ui.graph_text import Trace

LABEL_W = 118.0  # room for the row labels left of column 0
DY = 96.0  # distance between rows
X_H, O_H = 30.0, 70.0  # heights of the x and o boxes
LOG_RANGE = (-6.0, 0.0)  # log10(gradient norm) mapped linearly onto WIDTH_RANGE, clipped
WIDTH_RANGE = (1.0, 8.0)
WORD_DX = 64.0  # the narrowest column for word tokens (a typical word at a readable size)
CUT_HALF, CUT_GAP = 13.0, 3.5  # the "//" mark across a W edge that truncation cuts: half-height, gap


def gradient_width(norm: float, theme: style.Theme = style.NORMAL) -> float:
    """Pen width for an edge carrying a gradient of this norm (1e-6 -> thinnest, 1 -> thickest)."""
    lo, hi = LOG_RANGE
    frac = np.clip((np.log10(max(norm, 1e-300)) - lo) / (hi - lo), 0.0, 1.0)
    return float(WIDTH_RANGE[0] + frac * (WIDTH_RANGE[1] - WIDTH_RANGE[0])) * theme.line_width / 2.0


def _norm(v) -> float:
    return float(np.linalg.norm(v))


class _Label:
    """A text item centred (or right-aligned) at a point, shrunk to fit max_w x max_h."""

    def __init__(self, scene, parent, cx, cy, max_w, max_h, right=False, scale=1.0, bold=False, ref=""):
        self.item = QtWidgets.QGraphicsSimpleTextItem(parent)
        if parent is None:
            scene.addItem(self.item)
        self.geom = (cx, cy, max_w, max_h, right)
        self.font_args = (scale, bold)
        self.text = None
        self.ref = ref  # size by this (the widest) text, so a row of labels shares one scale

    def set(self, text: str, color: str, theme: style.Theme | None = None) -> None:
        if theme is not None:  # new font: force a re-layout
            self.item.setFont(style.font(theme, *self.font_args))
            self.text = None
        self.item.setBrush(QtGui.QColor(color))
        if text == self.text:
            return
        self.text = text
        self.item.setText(text)
        cx, cy, mw, mh, right = self.geom
        br = self.item.boundingRect()
        w = QtGui.QFontMetricsF(self.item.font()).horizontalAdvance(self.ref) if self.ref else br.width()
        k = min(1.0, mw / max(w, 1.0), mh / max(br.height(), 1.0))
        self.item.setScale(k)
        x = cx - br.width() * k if right else cx - br.width() * k / 2
        self.item.setPos(x, cy - br.height() * k / 2)


class GraphView(ScrollAlongTime, QtWidgets.QGraphicsView):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session, self.theme = session, theme
        self.scene_ = QtWidgets.QGraphicsScene(self)  # held on self: a local scene is collected
        self.setScene(self.scene_)
        hint = QtGui.QPainter.RenderHint
        self.setRenderHints(hint.Antialiasing | hint.TextAntialiasing)
        self.setTransformationAnchor(QtWidgets.QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the rows always fit
        self.setMinimumHeight(GRAPH_MIN_H)
        self.label_width = LABEL_W  # the row names' column, pinned when time scrolls
        self._zoom = 1.0  # the user's Ctrl+wheel zoom, relative to the automatic scale
        self.highlighted_t: int | None = None
        self.phase: str | None = None
        session.sig_reset.connect(self.rebuild)
        session.sig_stepped.connect(self.show_state)
        self.rebuild()

    # --- building (once per reset) --------------------------------------------------------------

    def rebuild(self) -> None:
        """Items for a new trace. With the same T they are kept and only restyled: making ~2,000
        items anew at T = 200 would take the UI thread ~0.2 s on every reset."""
        T = self.session.T
        dx = float(np.clip(1800.0 / T, 36.0, 110.0))  # 50 columns fit in 1800 px
        if self.session.vocab.level == "word":  # words need room to be read: scroll rather than shrink
            dx = max(dx, WORD_DX)
        if (T, dx) == getattr(self, "_layout", None):
            self._trace = Trace.of(self.session.stepper)
            self._make_cut_marks()
            self._keys.clear()
            self._drawn = (None, 0)
            self.show_state()
            return
        self.scene_.clear()
        self._pens, self._paths = {}, {}  # made once, shared by items that look alike
        self._T, self._layout = T, (T, dx)
        self._compact = dx < 60  # short texts in narrow columns
        lay = unrolled_layout(T, dx=dx, dy=-DY)  # y grows downwards in Qt: o on top
        pos = lay.pos + [LABEL_W + dx / 2, 0.0]
        self._pos = {(r, t): pos[lay.node(r, t)] for r in "xso" for t in range(T)}
        bw, sd = min(dx - 6.0, 84.0), min(0.72 * dx, 60.0)  # x/o box width, s circle diameter
        sizes = {"x": (bw, X_H), "s": (sd, sd), "o": (bw, O_H)}
        self.node_items, self.edge_items, self.edge_pens, self._ends = {}, {}, {}, {}
        self._labels: dict = {}
        self._static: dict = {}  # label key -> fixed text (row names, t=...)
        self._keys: dict = {}  # item key -> the state it was last styled for
        self._drawn = (None, 0)  # (stepper, cursor) show_state last drew
        for (r, t), (cx, cy) in self._pos.items():
            w, h = sizes[r]
            rect = QtCore.QRectF(cx - w / 2, cy - h / 2, w, h)
            if r == "s":
                item = QtWidgets.QGraphicsEllipseItem(rect)
            else:
                path = QtGui.QPainterPath()
                path.addRoundedRect(rect, 6, 6)
                item = QtWidgets.QGraphicsPathItem(path)
            item.setZValue(2)
            self.scene_.addItem(item)
            self.node_items[(r, t)] = item
            n = 3 if r == "o" else (2 if r == "s" and not self._compact else 1)
            inner_w, lh = (w - 4, (h - 6) / n) if r != "s" else (0.86 * w, min(h / 2.2, 22.0))
            for i in range(n):  # text lines are children: hovering them shows the node's tooltip
                self._labels[(r, t, i)] = _Label(
                    self.scene_, item, cx, cy + (i - (n - 1) / 2) * lh, inner_w, lh, bold=r != "s" and i == 0
                )
            self._labels[("t", t)] = _Label(
                self.scene_, None, cx, X_H / 2 + 14, dx - 6, 22, scale=0.95, ref=f"t={T - 1}"
            )
            self._static[("t", t)] = f"t={t}"
        for kind, t in zip(lay.edge_kind, lay.edge_t, strict=True):
            t = int(t)
            if kind == "W":
                (x0, y0), (x1, y1) = self._pos[("s", t - 1)], self._pos[("s", t)]
                a, b = QtCore.QPointF(x0 + sd / 2, y0), QtCore.QPointF(x1 - sd / 2, y1)
            else:
                lo, hi = ("x", "s") if kind == "U" else ("s", "o")
                (x0, y0), (_, y1) = self._pos[(lo, t)], self._pos[(hi, t)]
                a = QtCore.QPointF(x0, y0 - sizes[lo][1] / 2)
                b = QtCore.QPointF(x0, y1 + sizes[hi][1] / 2)
            # a wide transparent twin makes even a 1 px edge easy to hover for its tooltip
            hit = self.scene_.addPath(self._arrow(a, b), QtGui.QPen(Qt.GlobalColor.transparent, 12))
            self.edge_items[(kind, t)] = QtWidgets.QGraphicsPathItem(hit)
            self._ends[(kind, t)] = (a, b)
        self._trace = Trace.of(self.session.stepper)
        self.cut_items = {}  # t -> the bar across the W edge s_{t-1} -> s_t that truncation cuts
        self._make_cut_marks()
        top = -2 * DY - O_H / 2 - 10
        self._band = self.scene_.addRect(
            QtCore.QRectF(-dx / 2 + 1, top, dx - 2, X_H / 2 + 34 - top), QtGui.QPen(Qt.PenStyle.NoPen)
        )
        self._band.setZValue(-1)
        rows = (
            ("o", "output o", "target y · p(y) · E"),
            ("s", "hidden s", "|sₜ| (norm)"),
            ("x", "input x", "token xₜ"),
        )
        for r, name, sub in rows:
            y = self._pos[(r, 0)][1]
            for key, dy, h, scale, bold in (("row", -9, 24, 1.1, True), ("sub", 11, 18, 0.8, False)):
                self._labels[(key, r)] = _Label(
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
        self.scene_.setSceneRect(QtCore.QRectF(0, top - 4, LABEL_W + T * dx + 10, X_H / 2 + 48 - top))
        self._zoom = 1.0
        self.apply_theme(self.theme)
        self._auto_view()

    def _make_cut_marks(self) -> None:
        """A "//" break mark across each W edge that truncation cuts, as on a cut axis."""
        for bar in self.cut_items.values():
            self.scene_.removeItem(bar)
        self.cut_items = {}
        for t in range(1, self._T):
            why = self._trace.cut(t)
            if why is not None:
                a, b = self._ends[("W", t)]
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
                self.cut_items[t] = bar

    def _pen(self, color: str, width: float, dashed: bool = False, edge: bool = False) -> QtGui.QPen:
        """style.pen, made once per look (a reset at T = 200 styles 1,200 items)."""
        key = (color, width, dashed, edge)
        if key not in self._pens:
            pen = style.pen(color, width, dashed=dashed)
            if edge:
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)  # pointed arrowheads on thick lines
            self._pens[key] = pen
        return self._pens[key]

    @staticmethod
    def _arrow(a: QtCore.QPointF, b: QtCore.QPointF, width: float = 0.0, back: bool = False):
        """Line a -> b with a filled head at b (at a if back: gradients flow backwards), sized to the
        pen so thick lines keep a visible head; edges too short for one (T ~ 50) stay plain lines."""
        path = QtGui.QPainterPath(a)
        path.lineTo(b)
        tip, tail = (a, b) if back else (b, a)
        d = QtCore.QLineF(tip, tail)
        length, half = 4.0 + 1.2 * width, 1.5 + 0.8 * width  # the stroke adds width / 2 all round
        if width <= 0 or d.length() < 2 * length:
            return path
        d.setLength(length)
        n = d.normalVector().unitVector()
        off = QtCore.QPointF(n.dx() * half, n.dy() * half)
        path.addPolygon(QtGui.QPolygonF([tip, d.p2() + off, d.p2() - off, tip]))
        return path

    # --- styling ---------------------------------------------------------------------------------

    def apply_theme(self, theme: style.Theme) -> None:
        """Restyle only: fonts, colours and line widths; the items stay."""
        self.theme = theme
        self._pens = {}
        self.setBackgroundBrush(QtGui.QColor(theme.background))
        for key, lab in self._labels.items():
            lab.set(self._static.get(key, ""), theme.foreground, theme)
        for bar in self.cut_items.values():  # the foreground colour: distinct from the orange errors
            bar.setPen(style.pen(theme.foreground, theme.line_width))
        self._keys.clear()  # every item restyles on the next show_state
        self.show_state()

    def show_state(self, step=None, *_args) -> None:
        """Redraw from the session's events; idempotent, and cheap when little changed: after one
        step (or one step back) only the columns it touched are looked at, not all T."""
        st, T, th = self.session.stepper, self._T, self.theme
        events = st.events
        fw, bw = [None] * T, [None] * T
        for ev in events:
            if ev.phase in ("forward", "backward"):
                (fw if ev.phase == "forward" else bw)[ev.t] = ev
        last = events[-1] if events else None
        before = self.highlighted_t
        self.phase = last.phase if last is not None else None
        self.highlighted_t = last.t if last is not None and self.phase != "update" else None
        cur_col = th.backward if self.phase == "backward" else th.forward
        columns = range(T)
        one_step = self._drawn[0] is st and abs(self._drawn[1] - st.cursor) == 1
        if one_step and getattr(step, "phase", "update") != "update":  # its column, and the W edge into t+1
            columns = {step.t, step.t + 1, before, self.highlighted_t} - {None, T}
        self._drawn = (st, st.cursor)
        for t in columns:
            f, b = fw[t], bw[t]
            for r in "xso":
                reached = b is not None and (r == "s" or (r == "o" and b.d_out.any()))
                state = "todo" if f is None else ("bwd" if reached else "fwd")
                key = (state, t == self.highlighted_t and cur_col)
                if self._keys.get((r, t)) != key:
                    self._keys[(r, t)] = key
                    self._style_node(r, t, state, key[1], f, b)
            for kind in "UWV" if t else "UV":
                norm = self._carried(kind, t, b, bw[t - 1] if t else None)
                state = "todo" if f is None else ("bwd" if norm else "fwd")
                untraced = kind == "V" and b is not None and not self._trace.traced(t)
                if self._keys.get((kind, t)) != (state, norm, untraced):
                    self._keys[(kind, t)] = (state, norm, untraced)
                    self._style_edge(kind, t, state, norm, untraced)
        self._band.setVisible(self.highlighted_t is not None)
        if self.highlighted_t is not None:
            c = QtGui.QColor(cur_col)
            c.setAlpha(28)
            self._band.setBrush(c)
            self._band.setPos(self._pos[("x", self.highlighted_t)][0], 0)
            self.ensureVisible(self._band.sceneBoundingRect(), 80, 0)  # when time scrolls

    def _carried(self, kind: str, t: int, b, before) -> float | None:
        """The norm of the gradient edge (kind, t) has carried back so far, or None if none yet.
        The W edge s_{t-1} -> s_t carries W^T delta_t into s_{t-1}: it has once the backward step
        at t-1 has taken it (its error_carried); until then it carries nothing."""
        if kind == "W":
            return _norm(before.error_carried) if before is not None else None
        if b is None or (kind == "V" and not self._trace.traced(t)):
            return None
        return _norm(b.error_direct if kind == "V" else b.delta)

    def _style_edge(self, kind: str, t: int, state: str, norm: float | None, untraced: bool = False) -> None:
        th = self.theme
        if state == "bwd":
            pen = self._pen(th.backward, gradient_width(norm, th), edge=True)
        elif state == "fwd":
            pen = self._pen(th.foreground, 0.75 * th.line_width, edge=True)
        else:
            pen = self._pen(th.muted, 0.5 * th.line_width, dashed=True, edge=True)
        vis = self.edge_items[(kind, t)]
        vis.setPen(pen)
        vis.setBrush(pen.color())
        back = state == "bwd"
        path_key = (kind, t, pen.widthF(), back)
        if path_key not in self._paths:  # an edge's path depends only on its ends, width and direction
            if len(self._paths) > 8 * self._T:  # widths of carried gradients vary: keep it bounded
                self._paths.clear()
            self._paths[path_key] = self._arrow(*self._ends[(kind, t)], pen.widthF(), back=back)
        vis.setPath(self._paths[path_key])
        self.edge_pens[(kind, t)] = pen
        tip = graph_text.edge_tip(kind, t, int(self.session.x[t]), self._trace, norm, untraced)
        vis.setToolTip(tip)
        vis.parentItem().setToolTip(tip)

    def _style_node(self, r: str, t: int, state: str, cur, f, b) -> None:
        th = self.theme
        item = self.node_items[(r, t)]
        col = {"todo": th.muted, "fwd": th.foreground, "bwd": th.backward}[state]
        item.setPen(self._pen(cur or col, th.line_width * (1.4 if cur else 0.6), dashed=state == "todo"))
        item.setBrush(QtGui.QColor(th.background))
        texts, tip = self._node_content(r, t, f, b)
        for i, text in enumerate(texts):
            self._labels[(r, t, i)].set(text, th.muted if state == "todo" else th.foreground)
        item.setToolTip(tip)

    def _node_content(self, r: str, t: int, f, b) -> tuple[list[str], str]:
        """The text lines inside node (r, t) and its tooltip, from its forward/backward events."""
        s, c = self.session, self._compact
        if r == "x":
            tok, i, st = s.vocab.label(s.x[t]), int(s.x[t]), graph_text.sub(t)
            return [tok], f"input x{st} = '{tok}' (token id {i})\nthe U edge adds column U[:, {i}] to z{st}"
        if r == "s":
            return graph_text.s_node(t, f, b, self._trace, c)
        return graph_text.o_node(t, f, b, self._trace, s.vocab, int(s.y[t]), c)
