"""Gradient contributions: where vanishing and exploding gradients become visible.

Left: C[t, k] = |contribution of step k to dE_t/dW_*| as log10 colours, rows t (output step),
columns k (contributing step); cells appear as BPTT reaches them. With truncated BPTT the band of
kept terms (t-K <= k <= t) is outlined and the dropped cells are veiled. Right: for one output
step t, against distance d = t - k and relative to step t itself: the measured gradient ratio
|dE_t/da_k| / |dE_t/da_t| (the vanilla RNN's a_k is z_k), the Jacobian-product norm, and what the
cell has beside it: the two factors that bound the vanilla RNN's (||W||_2^(t-k) and prod max
tanh', Pascanu et al. 2013) and rho(W)^(t-k), the rate W^(t-k) follows; the LSTM's cell-state
path max prod f_j. Points appear as BPTT reaches step k, like the heatmap. The verdict rule:
ui/verdict.py. In compare mode both cells are drawn (ui/gradient_side.py), on one colour scale
and one vertical scale, for the same output step t.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rnnviz.ui import style
from rnnviz.ui.column_image import ColumnImage
from rnnviz.ui.fit_text import ElidedLabel
from rnnviz.ui.gradient_layout import GradientLayout
from rnnviz.ui.gradient_side import (
    CURVE_KEYS,
    GradientSide,
    curves_of,
    default_output_step,
    parts_in,
    row_range,
)
from rnnviz.ui.graph_text import sub
from rnnviz.ui.plot_area import ColourBar, PlotArea
from rnnviz.ui.verdict import RULE, rule, verdict

NAMES = {  # curve key (a field of Session.jacobian_row's DecayRow) -> legend name (short: beside the plot)
    "ratio": "|∂Eₜ/∂zₖ|÷|∂Eₜ/∂zₜ|",
    "norm": "‖∏ ∂sⱼ/∂sⱼ₋₁‖₂",
    "w_factor": "‖W‖₂ᵗ⁻ᵏ",
    "radius_factor": "ρ(W)ᵗ⁻ᵏ",
    "tanh_factor": "∏ max tanh′",
    "relu_factor": "∏ max relu′",
    "cell_path": "max ∏ fⱼ (along c)",
}


GATED_NAMES = {  # with a gated cell on show: its gradient is at a_k, every gate's pre-activation
    "ratio": "|∂Eₜ/∂aₖ|÷|∂Eₜ/∂aₜ|",
    "norm": "‖∂stateₜ/∂stateₖ‖₂",
}


def legend_name(key: str, cells: list) -> str:
    """A curve's name for the cells on show: the vanilla RNN's gradient is at z_k; a gated cell's
    at a_k, every gate's pre-activation (the vanilla RNN's a_k is z_k), and its state may be (s, c)."""
    if key in GATED_NAMES and any(c.gates for c in cells):
        return GATED_NAMES[key]
    return NAMES[key]


class GradientView(GradientLayout, QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session, self.theme = session, theme
        self.chosen_t = 0
        self.alone = 0  # compare mode on a small screen: the cell shown (one at a time)

        self._stepper = None  # the stepper the per-reset data belongs to
        self._levels = (0.0, 1.0)
        self._legend_keys: tuple | None = None

        self.spin = QtWidgets.QSpinBox()
        self.spin.setToolTip(
            "The loss E_t whose gradient the right-hand plot follows back in time.\n"
            "Clicking a row of the heatmap chooses it too."
        )
        self.spin.valueChanged.connect(self._on_spin)
        self.spin_label = QtWidgets.QLabel("output step t:")
        self.hover_label = ElidedLabel("Hover a cell to read C[t, k].")
        self.side_choice = QtWidgets.QComboBox(toolTip="Compare mode with little room: which cell to show")
        self.side_choice.currentIndexChanged.connect(self._choose_side)
        self.verdict_label = QtWidgets.QLabel(toolTip=RULE)
        self.verdict_label.setWordWrap(True)
        self.layout_widget = PlotArea()
        heatmaps = [ColumnImage(), ColumnImage()]
        self.sides = [GradientSide(session, self.layout_widget, heatmap=heatmaps[0])]
        # a second cell in compare mode: its plots are built when compare mode first shows them
        self._second = (session.side(1), heatmaps[1])
        # fixed colours: non-interactive, no colour-map menu, so a colour means one value all lesson
        self.colorbar = ColourBar(
            label="log10 |contribution|", interactive=False, colorMapMenu=False, width=14
        )
        self.colorbar.setImageItem(heatmaps)  # one scale for every cell
        self.legend = pg.LegendItem(colCount=1, horSpacing=3)  # beside or below: never on a curve
        self.layout_widget.addItem(self.colorbar, row=0, col=1)  # in the grid: place() moves them
        self.layout_widget.addItem(self.legend, row=0, col=2)
        # the legend row takes only the height it needs
        self.legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Fixed)
        self.legend_place: str | None = None  # how the plots are arranged (gradient_layout.py)

        top = self.top_row = QtWidgets.QHBoxLayout()
        top.addWidget(self.spin_label)
        top.addWidget(self.spin)
        top.addWidget(self.side_choice)
        top.addSpacing(20)
        top.addWidget(self.hover_label, 1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.layout_widget, 1)
        lay.addWidget(self.verdict_label)

        self.layout_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.layout_widget.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        session.sig_reset.connect(self.show_state)
        session.sig_stepped.connect(self.show_state)
        session.sig_numbers.connect(self.show_state)  # C or a row has arrived from the worker
        self.apply_theme(theme)

    # --- the first cell's parts, by their old names (tests and lessons read them) ---------------------

    heat_plot = property(lambda self: self.sides[0].heat_plot)
    heatmap = property(lambda self: self.sides[0].heatmap)
    line_plot = property(lambda self: self.sides[0].line_plot)
    curves = property(lambda self: self.sides[0].curves)
    revealed = property(lambda self: self.sides[0].revealed)
    band = property(lambda self: self.sides[0].band)
    veil = property(lambda self: self.sides[0].veil)
    outline = property(lambda self: self.sides[0].outline)
    row_marker = property(lambda self: self.sides[0].row_marker)
    fill_text = property(lambda self: self.sides[0].fill_text)
    cut_line = property(lambda self: self.sides[0].cut_line)

    def kept(self) -> np.ndarray:
        return self.sides[0].kept()

    @property
    def shown_sides(self) -> list[GradientSide]:
        """The cells on show: the first, and the compared one in compare mode."""
        if self.session.comparing and len(self.sides) == 1:
            side = GradientSide(self._second[0], self.layout_widget, 1, heatmap=self._second[1])
            side.apply_theme(self.theme)  # placed by the next _reflow, which a new trace brings
            self.sides.append(side)
        return self.sides[: 2 if self.session.comparing else 1]

    # --- state -> picture -------------------------------------------------------------------------

    def show_state(self, *_) -> None:
        """Redraw everything from the session's current state (idempotent)."""
        sides = self.shown_sides
        if self._stepper is not self.session.stepper or any(
            s.stepper is not s.session.stepper for s in sides
        ):
            self._new_trace()
        Cs = [side.take_contributions() for side in sides]
        scanned = getattr(self, "_levels_of", [])  # the arrays the levels were found from
        fresh = len(Cs) != len(scanned) or any(a is not b for a, b in zip(Cs, scanned, strict=True))
        if fresh and all(C is not None for C in Cs):  # one scale for every cell on show, fixed for the pass
            self._levels_of = Cs  # the same arrays until a new trace: their T x T scan is done once
            levels = style.log_levels(np.concatenate([C.ravel() for C in Cs]))
            if levels != self._levels:
                self._levels = levels
                self.colorbar.setLevels(levels)
        for side in sides:
            side.show_heat(self._levels, self.theme)
        self._show_row()

    def _new_trace(self) -> None:
        """Per-reset work: spin range, the arrangement for one or two cells, outlines and titles."""
        st, prev = self.session.stepper, self._stepper
        self._stepper, T = st, st.T
        # replaying the same kind of trace keeps the learner's chosen t; otherwise use the default
        same = prev is not None and (prev.T, prev.mode, prev.target) == (T, st.mode, st.target)
        self.chosen_t = self.chosen_t if same else default_output_step(st)
        with QtCore.QSignalBlocker(self.spin):  # model -> widget without feedback
            self.spin.setRange(0, T - 1)
            self.spin.setValue(self.chosen_t)
        self.hover_label.setText("Hover a cell to read C[t, k].")
        self._row_drawn = None
        sides = self.shown_sides
        for side in sides:
            side.new_trace(self.theme)
        with QtCore.QSignalBlocker(self.side_choice):
            self.side_choice.clear()
            self.side_choice.addItems([side.name for side in sides])
            self.alone = min(self.alone, len(sides) - 1)
            self.side_choice.setCurrentIndex(self.alone)
        self._set_legend([s.session.spec for s in sides])
        self._titles()
        self.verdict_label.setToolTip(rule(getattr(sides[0].session.spec, "activation_name", "tanh")))
        self.legend_place = None
        self._reflow()

    def _placed(self) -> None:
        """After a new arrangement: the choice of cell shows only when one cell is shown at a time."""
        self.side_choice.setVisible(self.legend_place == "one")
        self._row_drawn = None
        if self._stepper is not None:
            self._show_row()

    def _choose_side(self, index: int) -> None:
        if index >= 0 and index != self.alone:
            self.alone = index
            self.legend_place = None
            self._reflow()

    def _titles(self) -> None:
        sides, K = self.shown_sides, self._stepper.truncate
        for side in sides:
            who = f"{side.name}: " if len(sides) > 1 else ""
            what = "∂Eₜ/∂W" if len(side.session.spec.blocks) == 1 else "∂Eₜ/∂W_*"
            title = f"{who}Contributions to {what}" + (f" · band K = {K}" if K is not None else "")
            style.set_title(side.heat_plot, title, self.theme)

    def _set_legend(self, cells: list) -> None:
        """One entry per curve any cell on show has (the first side's curve items carry the pens;
        the second side's curves are drawn alike)."""
        keys = tuple(k for k in CURVE_KEYS if any(k in curves_of(c) for c in cells))
        names = tuple(legend_name(k, cells) for k in keys)
        if (keys, names) == self._legend_keys:
            return
        self._legend_keys = (keys, names)
        self.legend.clear()
        for key, name in zip(keys, names, strict=True):
            self.legend.addItem(self._legend_sample(key), name)
        self.legend.setLabelTextSize(f"{self.theme.font_pt}pt")
        self.legend.setLabelTextColor(self.theme.foreground)
        for _, label in self.legend.items:  # setLabelTextSize only stores the size: re-render
            label.setText(label.text)

    def _legend_sample(self, key: str):
        """A curve item with the pen of `key` (the first side's, or the compared one's if only it has it)."""
        first = self.sides[0]
        if key in curves_of(first.session.spec) or len(self.shown_sides) == 1:
            return first.curves[key]
        return self.sides[1].curves[key]

    def _show_row(self) -> None:
        """The right-hand plots, the row markers and the verdict, for output step chosen_t; a point at
        distance d = t - k appears once the backward pass has reached step k (as in the heatmap)."""
        t, sides = self.chosen_t, self.shown_sides
        rows = [side.row(t) for side in sides]  # each (t+1,) per curve; from the trace's parameters
        key = (t, tuple(r is not None for r in rows), tuple(int(s.revealed[t, : t + 1].sum()) for s in sides))
        key += (tuple(self._waiting(s, t) for s in sides), tuple(parts_in(r) for r in rows))  # a row in parts
        key += (self.theme,)
        if key == getattr(self, "_row_drawn", None):  # nothing new in this row: skip the redraw
            return
        self._row_drawn = key
        lo, hi = row_range(rows, t)
        lines = []
        placed = self.placed_sides
        for side, row in zip(sides, rows, strict=True):
            side.mark_row(t)
            side.show_curves(t, row)
            side.set_row_range(t, lo, hi)
            who = f"{side.name}: " if len(sides) > 1 else ""
            waiting = self._waiting(side, t)
            style.set_title(
                side.line_plot, f"{who}Going back from t = {t}{': ' + waiting if waiting else ''}", self.theme
            )
            if side in placed:
                lines.append(who + self._verdict(side, t, row, waiting))
        self.verdict_label.setText("\n".join(lines))
        self._keep_verdict_room()

    def _keep_verdict_room(self) -> None:
        """The verdict's room only grows while a trace is stepped (_reflow sets it afresh on a resize or
        a new trace): a verdict of one line after one of two would otherwise resize the plots above
        it, and every axis, tick and label in them is laid out and drawn again at that step."""
        label = self.verdict_label
        need = label.heightForWidth(label.width()) if label.width() > 0 else -1
        if need > label.minimumHeight():
            label.setMinimumHeight(need)

    def _waiting(self, side: GradientSide, t: int) -> str:
        """'' once the row is in; else why not (still computing, failed, or no loss at t)."""
        if side.stepper.y[t] < 0:
            return "no target"
        return side.session.numbers.status(("row", t))

    def _verdict(self, side: GradientSide, t: int, row, waiting: str) -> str:
        shown = side.revealed[t, : t + 1]
        K, a = side.stepper.truncate, "a" if side.session.spec.gates else "z"
        if waiting == "no target":
            return f"E{sub(t)} has no target (y = −1): no loss at t = {t} to follow back."
        if row is None:
            if shown.any():
                return f"E{sub(t)} going back: {waiting}"
            return verdict(t, np.full(t + 1, np.nan), shown, K, a)  # nothing to judge yet: no number
        return verdict(t, row.ratio, shown, K, a)

    # --- interaction --------------------------------------------------------------------------------

    def _on_spin(self, value: int) -> None:
        self.chosen_t = int(value)
        self._show_row()

    def _cell_at(self, scene_pos) -> tuple[GradientSide, int, int] | None:
        for side in self.placed_sides:
            vb = side.heat_plot.vb
            if vb.sceneBoundingRect().contains(scene_pos):
                p = vb.mapSceneToView(scene_pos)
                t, k, T = int(round(p.y())), int(round(p.x())), self.session.T
                return (side, t, k) if 0 <= t < T and 0 <= k < T else None
        return None

    def hover_text(self, t: int, k: int, side: GradientSide | None = None) -> str:
        """What hovering cell (t, k) says; the number is the side's contributions[t, k]."""
        side = side or self.sides[0]
        who = f"{side.name} " if len(self.shown_sides) > 1 else ""
        if k > t:
            return f"{who}C[t={t}, k={k}]: step k comes after t, so it adds nothing to E_t's gradient."
        if not side.revealed[t, k]:
            return f"{who}C[t={t}, k={k}]: BPTT has not reached step {k} yet."
        C = side.session.contributions
        if C is None:
            return f"{who}C[t={t}, k={k}]: {side.session.numbers.status('contributions')}"
        c = float(C[t, k])
        K = side.stepper.truncate
        cut = f"   — dropped by truncation K = {K} (k < t − {K})" if not side.kept()[t, k] else ""
        if k == 0:
            return f"{who}C[t={t}, k=0] = 0  (the term is δ s_(−1)ᵀ and s_(−1) = 0){cut}"
        if side.stepper.y[t] < 0:
            no_loss = f"step {t} has no target, so there is no loss E_{t}"
            return f"{who}C[t={t}, k={k}] = 0: {no_loss}{cut} (its row is 0)"
        W = "W" if len(side.session.spec.blocks) == 1 else "W_*"
        return f"{who}C[t={t}, k={k}] = |term k of ∂E_t/∂{W}| = {c:.3e}   (log10 = {np.log10(c):.2f}){cut}"

    def _on_mouse_moved(self, scene_pos) -> None:
        cell = self._cell_at(scene_pos)
        if cell is not None and cell[0].revealed.shape[0] > max(cell[1:]):
            self.hover_label.setText(self.hover_text(cell[1], cell[2], cell[0]))

    def _on_mouse_clicked(self, ev) -> None:
        cell = self._cell_at(ev.scenePos())
        if cell is not None:
            self.spin.setValue(cell[1])  # valueChanged redraws the right-hand plots

    # --- theme ----------------------------------------------------------------------------------------

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = th = theme
        self.layout_widget.setBackground(th.background)
        for side in self.sides:
            side.apply_theme(th)
        self.colorbar.setColorMap(style.colormap(th.sequential))
        style.style_colorbar(self.colorbar, "log10 |contribution|", th)
        self._legend_keys = None
        if self._stepper is not None:
            self._set_legend([s.session.spec for s in self.shown_sides])
        for w in (self.spin_label, self.spin, self.hover_label, self.side_choice):
            w.setFont(style.font(th))
        self.spin.setMinimumWidth(int(th.font_pt * 5))  # room for two digits and the arrows
        self.verdict_label.setFont(style.font(th, 1.1, bold=True))
        self._row_drawn = None
        for side in self.sides:
            side.drawn = side.row_drawn = side.veil_drawn = None
        if self._stepper is not None:
            self._titles()
        self.legend_place = None
        self._reflow()
        self.show_state()
