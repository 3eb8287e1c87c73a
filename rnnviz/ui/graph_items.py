"""Small building blocks of the unrolled graph (GraphView): text labels that fit their box, arrows
whose head grows with their pen, and the fixed log scale of gradient widths. Qt items only."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.ui import style

LOG_RANGE = (-6.0, 0.0)  # log10(gradient norm) mapped linearly onto WIDTH_RANGE, clipped
WIDTH_RANGE = (1.0, 8.0)


def gradient_width(norm: float, theme: style.Theme = style.NORMAL) -> float:
    """Pen width for an edge carrying a gradient of this norm (1e-6 -> thinnest, 1 -> thickest)."""
    lo, hi = LOG_RANGE
    frac = np.clip((np.log10(max(norm, 1e-300)) - lo) / (hi - lo), 0.0, 1.0)
    return float(WIDTH_RANGE[0] + frac * (WIDTH_RANGE[1] - WIDTH_RANGE[0])) * theme.line_width / 2.0


class Label:
    """A text item centred (or right-aligned) at a point, shrunk to fit max_w x max_h."""

    def __init__(self, scene, parent, cx, cy, max_w, max_h, right=False, scale=1.0, bold=False, ref=""):
        self.item = QtWidgets.QGraphicsSimpleTextItem(parent)
        # drawn once into a pixmap at screen resolution, then copied: laying glyphs out anew for
        # ~250 labels on every repaint was most of the graph's paint time at T = 200
        self.item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        if parent is None:
            scene.addItem(self.item)
        self.geom = (cx, cy, max_w, max_h, right)
        self.font_args = (scale, bold)
        self.text = self.color = None
        self.ref = ref  # size by this (the widest) text, so a row of labels shares one scale

    def set(self, text: str, color: str, theme: style.Theme | None = None) -> None:
        if theme is not None:  # new font: force a re-layout
            self.item.setFont(style.font(theme, *self.font_args))
            self.text = None
        if theme is not None or color != self.color:  # else its cached pixmap stays: drawing it anew
            self.color = color  # (text layout and all) was much of a step's repaint at T = 200
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


def arrow(a: QtCore.QPointF, b: QtCore.QPointF, width: float = 0.0, back: bool = False) -> QtGui.QPainterPath:
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
