"""The inside of a gated cell at the current step, drawn in its s node of the unrolled graph.

One small bar per gate (LSTM f, i, g, q; GRU u, r, h), labelled with its letter, in the node of the
step just taken: forward, the gate's mean value over the units (a sigmoid gate fills from the bottom,
0 to 1; a tanh candidate from the middle, -1 to 1); backward, the size of the error reaching that
gate's pre-activation, |dE/da_gate|, on the graph's fixed log scale (as the edges' widths). Only the
current step has bars, so a step restyles a handful of items whatever T is. The cell says which
gates it has and what they are called; nothing here knows a cell by its name.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.ui import style

HEADER_SHARE = 0.26  # of the node's height: the "|s| 0.81" line above the bars
LETTER_SHARE = 0.24  # below the bars: the gate letters


def log_fraction(norm: float, log_range: tuple[float, float]) -> float:
    """Where a gradient norm sits on the fixed log scale: 0 at its bottom, 1 at its top."""
    lo, hi = log_range
    return float(np.clip((np.log10(max(norm, 1e-300)) - lo) / (hi - lo), 0.0, 1.0))


class GateBars:
    """The bars of one cell's gates; placed in the node rectangle of the current step."""

    def __init__(self, scene: QtWidgets.QGraphicsScene, cell, log_range: tuple[float, float]):
        self.cell, self.log_range = cell, log_range
        self.group = QtWidgets.QGraphicsRectItem()  # the node's inside, covering its other text
        self.group.setZValue(4)
        scene.addItem(self.group)
        self.slots, self.fills, self.letters = {}, {}, {}
        for g in cell.gates:
            slot = QtWidgets.QGraphicsRectItem(self.group)
            fill = QtWidgets.QGraphicsRectItem(slot)
            letter = QtWidgets.QGraphicsSimpleTextItem(g, self.group)
            self.slots[g], self.fills[g], self.letters[g] = slot, fill, letter
        self.header = QtWidgets.QGraphicsSimpleTextItem(self.group)
        self.values: dict[str, float] = {}  # gate -> what its bar shows now (for tests and tooltips)
        self.phase: str | None = None
        self.theme: style.Theme | None = None  # the look the bars were last styled with
        self._fill_colour: QtGui.QColor | None = None
        self.group.hide()

    def place(self, rect: QtCore.QRectF, theme: style.Theme) -> None:
        """Lay the bars out inside a node's rectangle (scene coordinates); their fonts, pens and
        colours are set again only with a new theme (the node moves at every step, its look does not)."""
        inner = rect.adjusted(3, 3, -3, -3)
        self.group.setRect(inner)
        if theme != self.theme:
            self.group.setBrush(QtGui.QColor(theme.background))
            self.group.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
            font, outline = style.font(theme, 0.8, bold=True), style.pen(theme.muted, 1)
            for g in self.cell.gates:
                self.slots[g].setPen(outline)
                self.letters[g].setFont(font)
                self.letters[g].setBrush(QtGui.QColor(theme.foreground))
                self.fills[g].setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
            self.header.setFont(style.font(theme, 0.8))
            self.header.setBrush(QtGui.QColor(theme.foreground))
            self._fill_colour = None
        n = len(self.cell.gates)
        header_h, letter_h = HEADER_SHARE * inner.height(), LETTER_SHARE * inner.height()
        top, bottom = inner.top() + header_h, inner.bottom() - letter_h
        gap = inner.width() / (3 * n + 1)
        width = 2 * gap
        for j, g in enumerate(self.cell.gates):
            left = inner.left() + gap + j * 3 * gap
            self.slots[g].setRect(QtCore.QRectF(left, top, width, bottom - top))
            _fit(self.letters[g], left + width / 2, bottom + letter_h / 2, 3 * gap, letter_h)
        self._header_box = (inner.center().x(), inner.top() + header_h / 2, inner.width(), header_h)
        self.theme = theme

    def show(self, f, b, phase: str) -> None:
        """Fill the bars from the forward event f (gate values) or, backward, the backward event b
        (the errors at the gates' pre-activations)."""
        th, cell = self.theme, self.cell
        self.phase = phase
        if phase == "backward":
            deltas = b.deltas
            self.values = {g: float(np.linalg.norm(deltas[g])) for g in cell.gates}
        else:
            self.values = {g: float(np.mean(f.gates[g])) for g in cell.gates}
        colour = QtGui.QColor(th.backward if phase == "backward" else th.forward)
        for g in cell.gates:
            slot = self.slots[g].rect()
            v = self.values[g]
            if phase == "backward":
                frac = log_fraction(v, self.log_range)
                bar = QtCore.QRectF(
                    slot.left(), slot.bottom() - frac * slot.height(), slot.width(), frac * slot.height()
                )
                tip = f"|∂/∂a_{g}| = {v:.4e}: the error reaching the {cell.gate_titles[g]}'s pre-activation"
            else:
                lo, hi = cell.gate_range(g)
                zero = slot.bottom() - (0.0 - lo) / (hi - lo) * slot.height()  # where 0 sits
                level = slot.bottom() - (v - lo) / (hi - lo) * slot.height()
                bar = QtCore.QRectF(slot.left(), min(zero, level), slot.width(), abs(zero - level))
                g_vec = f.gates[g]
                tip = (
                    f"{g} = {cell.gate_titles[g]}: {cell.squash[g]} of its pre-activation, {lo:g} to {hi:g}\n"
                    f"bar: the mean over the units, "
                    f"{v:.4f} ({len(g_vec)} units); min {g_vec.min():.4f}, max {g_vec.max():.4f}"
                )
            self.fills[g].setRect(bar)
            if colour != self._fill_colour:
                self.fills[g].setBrush(colour)
            for item in (self.slots[g], self.fills[g], self.letters[g]):
                item.setToolTip(tip)
        self._fill_colour = colour
        what = "∂/∂a" if phase == "backward" else f"|s| {np.linalg.norm(f.s):.2f}"
        self.header.setText(what)
        _fit(self.header, *self._header_box)
        self.group.show()

    def hide(self) -> None:
        self.group.hide()
        self.phase = None


def _fit(item: QtWidgets.QGraphicsSimpleTextItem, cx: float, cy: float, max_w: float, max_h: float) -> None:
    """Centre a text item on (cx, cy), shrunk to fit max_w x max_h."""
    item.setScale(1.0)
    br = item.boundingRect()
    k = min(1.0, max_w / max(br.width(), 1.0), max_h / max(br.height(), 1.0))
    item.setScale(k)
    item.setPos(cx - br.width() * k / 2, cy - br.height() * k / 2)
