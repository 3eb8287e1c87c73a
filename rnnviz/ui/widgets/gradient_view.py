"""Gradient contributions: where vanishing and exploding gradients become visible.

Left: C[t, k] = |contribution of step k to dE_t/dW| as log10 colours, rows t (output step),
columns k (contributing step); cells appear as BPTT reaches them. With truncated BPTT the band of
kept terms (t-K <= k <= t) is outlined and the dropped cells are veiled. Right: for one output
step t, against distance d = t - k and relative to step t itself: the measured gradient ratio
|dE_t/dz_k| / |dE_t/dz_t|, the Jacobian-product norm, the two factors that bound it
(||W||_2^(t-k) and prod max tanh', Pascanu et al. 2013) and rho(W)^(t-k), the rate W^(t-k)
follows. Points appear as BPTT reaches step k, like the heatmap. The verdict rule: ui/verdict.py.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rnnviz.ui import style
from rnnviz.ui.fit_text import ElidedLabel
from rnnviz.ui.gradient_layout import GradientLayout
from rnnviz.ui.graph_text import sub
from rnnviz.ui.plot_area import FittedNote, PlotArea
from rnnviz.ui.verdict import RULE, rule, verdict

NAMES = {  # curve key (a field of Session.jacobian_row's DecayRow) -> legend name (short: beside the plot)
    "ratio": "|∂Eₜ/∂zₖ|÷|∂Eₜ/∂zₜ|",
    "norm": "‖∏ ∂sⱼ/∂sⱼ₋₁‖₂",
    "w_factor": "‖W‖₂ᵗ⁻ᵏ",
    "radius_factor": "ρ(W)ᵗ⁻ᵏ",
    "tanh_factor": "∏ max tanh′",  # the slopes of the cell's activation: renamed per trace (∏ max relu′)
}
VEIL_ALPHA = 200  # cells truncation drops: mostly hidden, still readable on hover


def _positive(d: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop zeros (C[t, 0] = 0 since s_{-1} = 0) and non-finite values: a log axis cannot show them."""
    keep = np.isfinite(y) & (y > 0)
    return d[keep].astype(float), y[keep]


class GradientView(GradientLayout, QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session, self.theme = session, theme
        self.chosen_t = 0
        self.revealed = np.zeros((0, 0), dtype=bool)
        self._stepper = None  # the stepper the cached per-reset data belongs to
        self._log_c: np.ndarray | None = None  # (T, T) log10 C, floored; None until the worker has C
        self._levels = (0.0, 1.0)
        self._drawn: tuple | None = None  # what the heatmap shows: (log C, revealed columns/cells)
        self._row_drawn: tuple | None = None  # what the right-hand plot shows

        self.spin = QtWidgets.QSpinBox()
        self.spin.setToolTip(
            "The loss E_t whose gradient the right-hand plot follows back in time.\n"
            "Clicking a row of the heatmap chooses it too."
        )
        self.spin.valueChanged.connect(self._on_spin)
        self.spin_label = QtWidgets.QLabel("output step t:")
        self.hover_label = ElidedLabel("Hover a cell to read C[t, k].")
        self.verdict_label = QtWidgets.QLabel(toolTip=RULE)
        self.verdict_label.setWordWrap(True)
        self.layout_widget = PlotArea()

        # left: the C[t, k] heatmap, t = 0 at the top like a matrix
        self.heat_plot = self.layout_widget.addPlot(row=0, col=0, rowspan=2)  # full height
        self.heat_plot.invertY(True)
        self.heat_plot.setMouseEnabled(x=False, y=False)
        self.heat_plot.hideButtons()
        self.heatmap = pg.ImageItem()
        self.heat_plot.addItem(self.heatmap)
        self.outline = pg.PlotDataItem()  # lower-triangle outline: where cells will appear
        self.row_marker = pg.PlotDataItem()  # the chosen output step t
        self.fill_text = FittedNote("fills in during BPTT", self.heat_plot.vb)  # fits a small heatmap
        self.veil = pg.ImageItem()  # truncated BPTT: covers the cells it drops
        self.band = pg.PlotDataItem()  # truncated BPTT: the left edge of the band of kept terms
        for item in (self.outline, self.veil, self.band, self.row_marker, self.fill_text):
            self.heat_plot.addItem(item)
        # fixed colours: non-interactive, no colour-map menu, so a colour means one value all lesson
        self.colorbar = pg.ColorBarItem(
            label="log10 |contribution|", interactive=False, colorMapMenu=False, width=14
        )
        self.colorbar.setImageItem(self.heatmap)
        self.layout_widget.addItem(self.colorbar, row=0, col=1, rowspan=2)

        # right: how the gradient of E_t changes going back, on a log axis
        self.line_plot = self.layout_widget.addPlot(row=0, col=2)
        self.line_plot.setLogMode(x=False, y=True)
        self.line_plot.showGrid(x=True, y=True, alpha=0.25)
        self.line_plot.hideButtons()
        self.line_plot.setMouseEnabled(x=False, y=False)
        self.curves = {key: pg.PlotDataItem() for key in NAMES}
        self.legend = pg.LegendItem(colCount=1, horSpacing=3)  # beside or below: never on a curve
        for key, curve in self.curves.items():
            self.line_plot.addItem(curve)
            self.legend.addItem(curve, NAMES[key])
        for plot, side in ((self.heat_plot, "left"), (self.heat_plot, "bottom"), (self.line_plot, "bottom")):
            style.integer_ticks(plot.getAxis(side))  # steps and distances are whole numbers
        self.cut_line = pg.InfiniteLine(angle=90, movable=False, label="cut", labelOpts={"position": 0.92})
        self.line_plot.addItem(self.cut_line)  # truncated BPTT: terms beyond d = K are dropped
        self.layout_widget.addItem(self.legend, row=1, col=2)
        self.layout_widget.ci.layout.setColumnStretchFactor(0, 4)
        self.layout_widget.ci.layout.setColumnStretchFactor(2, 5)
        # the legend row takes only the height it needs
        self.legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Fixed)
        self.legend_place: str | None = None  # "below", "beside" or "inside" the line plot

        top = self.top_row = QtWidgets.QHBoxLayout()
        top.addWidget(self.spin_label)
        top.addWidget(self.spin)
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

    # --- state -> picture -------------------------------------------------------------------------

    def show_state(self, *_) -> None:
        """Redraw everything from the session's current state (idempotent)."""
        if self._stepper is not self.session.stepper:
            self._new_trace()
        if self._log_c is None:
            self._take_contributions()
        st = self.session.stepper
        self.revealed = self._revealed_cells(st)
        key = (self._log_c is not None, int(self.revealed.sum()), self.theme)  # cells appear or vanish
        if self._drawn != key:  # redraw the T x T images only when their cells changed
            self._drawn = key
            img = np.where(self.revealed, self._log_c, np.nan) if key[0] else np.full((st.T, st.T), np.nan)
            self.heatmap.setImage(img, autoLevels=False, levels=self._levels)  # NaN -> transparent
            self.heatmap.setRect(QtCore.QRectF(-0.5, -0.5, st.T, st.T))  # cell (t, k) centred on (k, t)
            self._show_veil()
        nothing = not self.revealed.any()
        waiting = self.session.numbers.status("contributions")
        self.fill_text.setVisible(nothing or bool(waiting))
        if waiting:
            self.fill_text.setText(f"C[t, k]: {waiting}")
        elif nothing and st.mode == "single":
            self.fill_text.setText(f"row {st.target} fills in during BPTT")
        elif nothing:
            self.fill_text.setText("fills in during BPTT")
        self._show_row()

    def _take_contributions(self) -> None:
        """Levels and colours from the full C (fixed for the whole pass), once the worker has it."""
        C = self.session.contributions
        if C is None:
            return
        self._levels = style.log_levels(C)
        self._log_c = np.log10(np.maximum(C, style.LOG_FLOOR))  # zeros drawn as the floor colour
        self.colorbar.setLevels(self._levels)

    def kept(self) -> np.ndarray:
        """(T, T) bool: the terms the trace keeps, t - K <= k <= t (the lower triangle without truncation)."""
        T, K = self.session.T, self._stepper.truncate
        t, k = np.indices((T, T))
        keep = k <= t
        if K is not None:
            keep &= t - k <= K
        return keep

    def _show_veil(self) -> None:
        """Truncated BPTT: veil the revealed cells it drops, and outline the band it keeps."""
        st = self._stepper
        dropped = self.revealed & ~self.kept()
        rgba = np.zeros((st.T, st.T, 4), dtype=np.uint8)  # transparent everywhere else
        bg = self.theme.background
        rgba[dropped] = [int(bg[i : i + 2], 16) for i in (1, 3, 5)] + [VEIL_ALPHA]
        self.veil.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.veil.setRect(QtCore.QRectF(-0.5, -0.5, st.T, st.T))

    def _new_trace(self) -> None:
        """Per-reset work: spin range, outline, band; C and its levels follow from the worker."""
        st, prev = self.session.stepper, self._stepper
        self._stepper, T = st, st.T
        # replaying the same kind of trace keeps the learner's chosen t; otherwise use the default
        same = prev is not None and (prev.T, prev.mode, prev.target) == (T, st.mode, st.target)
        self._log_c, self._drawn, self._row_drawn = None, None, None
        self.chosen_t = self.chosen_t if same else st.target if st.mode == "single" else T - 1
        with QtCore.QSignalBlocker(self.spin):  # model -> widget without feedback
            self.spin.setRange(0, T - 1)
            self.spin.setValue(self.chosen_t)
        self.hover_label.setText("Hover a cell to read C[t, k].")
        # staircase around the lower triangle (k <= t): where cells will appear
        xs, ys = [-0.5], [-0.5]
        for k in range(T):
            xs += [k + 0.5, k + 0.5]
            ys += [k - 0.5, k + 0.5]
        self.outline.setData(xs + [-0.5, -0.5], ys + [T - 0.5, -0.5])
        K = st.truncate
        self.band.setVisible(K is not None and K < T - 1)
        if self.band.isVisible():  # staircase along k = t - K: left of it the terms are dropped
            bx, by = [-0.5], [K + 0.5]
            for t in range(K + 1, T):
                bx += [t - K - 0.5, t - K - 0.5]
                by += [t - 0.5, t + 0.5]
            self.band.setData(bx, by)
        self._name_the_slopes(getattr(st.spec, "activation_name", "tanh"))
        title = "Contributions to ∂Eₜ/∂W"
        if K is not None:
            title += f" · band K = {K}"
        style.set_title(self.heat_plot, title, self.theme)
        self.fill_text.setPos((T - 1) / 2, (T - 1) / 2)  # the middle of the heatmap
        # a fifth of a cell of margin: the row marker stays clear of the axes, no tick past T - 1
        self.heat_plot.setRange(xRange=(-0.7, T - 0.3), yRange=(-0.7, T - 0.3), padding=0)

    def _name_the_slopes(self, activation: str) -> None:
        """The legend and the rule name the slopes of the activation in use (tanh′ or relu′)."""
        label = dict(zip(NAMES, (lab for _, lab in self.legend.items), strict=True))["tanh_factor"]
        name = f"∏ max {activation}′"
        if label.text != name:
            label.setText(name)
            self.legend_place = None  # its width may have changed: lay it out again
            self._reflow()
        self.verdict_label.setToolTip(rule(activation))

    @staticmethod
    def _revealed_cells(st) -> np.ndarray:
        """(T, T) bool: full mode reveals column k (rows t >= k) once the backward step at k is done;
        single mode reveals cell (target, k) only, and once its (truncated) sweep is complete, the
        cells it dropped too (veiled)."""
        bw = st.backward_steps()
        ks = [e.t for e in bw]
        out = np.zeros((st.T, st.T), dtype=bool)
        if st.mode == "single":
            out[st.target, ks] = True
            if len(bw) == st.n_backward:
                out[st.target, : st.target + 1] = True
        else:
            out[:, ks] = True
            out &= np.tri(st.T, dtype=bool)
        return out

    def _show_row(self) -> None:
        """The right-hand plot, the row marker and the verdict, for output step chosen_t; a point at
        distance d = t - k appears once the backward pass has reached step k (as in the heatmap)."""
        t, st = self.chosen_t, self._stepper
        row = self.session.jacobian_row(t)  # each (t+1,), indexed by k; from the trace's parameters
        shown = self.revealed[t, : t + 1]
        key = (t, row is not None, int(shown.sum()), self.theme)
        if key == self._row_drawn:  # nothing new in this row: skip the redraw
            return
        self._row_drawn = key
        self.row_marker.setData(
            [-0.5, t + 0.5, t + 0.5, -0.5, -0.5], [t - 0.5, t - 0.5, t + 0.5, t + 0.5, t - 0.5]
        )
        K = st.truncate
        self.cut_line.setVisible(K is not None and K < t)
        if self.cut_line.isVisible():
            self.cut_line.setPos(K + 0.5)
            self.cut_line.label.setFormat(f"cut: K = {K}")
        if row is None:  # the worker is computing it: say so, draw nothing stale
            for curve in self.curves.values():
                curve.setData([], [])
            waiting = self.session.numbers.status(("row", t))
            style.set_title(self.line_plot, f"Going back from t = {t}: {waiting}", self.theme)
            if shown.any():
                self.verdict_label.setText(f"E{sub(t)} going back: {waiting}")
            else:  # nothing to judge yet: the verdict needs no number
                self.verdict_label.setText(verdict(t, np.full(t + 1, np.nan), shown, K))
            return
        d = t - np.arange(t + 1)  # distance back from t, per k
        every = []
        for key, curve in self.curves.items():
            y = getattr(row, key)
            every.append(y)
            curve.setData(*_positive(d[shown][::-1], y[shown][::-1]))  # d ascending
        self._fix_axes(t, np.concatenate(every))
        style.set_title(self.line_plot, f"Going back from t = {t}", self.theme)
        self.verdict_label.setText(verdict(t, row.ratio, shown, K, no_target=bool(st.y[t] < 0)))

    def _fix_axes(self, t: int, values: np.ndarray) -> None:
        """Ranges from every value of the row, revealed or not, so the axes stay put during the sweep."""
        ok = values[np.isfinite(values) & (values > 0)]
        lo = int(np.floor(np.log10(ok.min()))) if ok.size else -1
        hi = int(np.ceil(np.log10(ok.max()))) if ok.size else 1
        lo, hi = min(lo, -1), max(hi, 1)  # 1 (every curve's start) never sits on the edge
        self.line_plot.setRange(xRange=(-0.4, max(t, 1) + 0.4), yRange=(lo, hi), padding=0.02)
        style.decade_ticks(self.line_plot.getAxis("left"), lo, hi)

    # --- interaction --------------------------------------------------------------------------------

    def _on_spin(self, value: int) -> None:
        self.chosen_t = int(value)
        self._show_row()

    def _cell_at(self, scene_pos) -> tuple[int, int] | None:
        vb = self.heat_plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        t, k, T = int(round(p.y())), int(round(p.x())), self.session.T
        return (t, k) if 0 <= t < T and 0 <= k < T else None

    def hover_text(self, t: int, k: int) -> str:
        """What hovering cell (t, k) says; the number is session.contributions[t, k]."""
        if k > t:
            return f"C[t={t}, k={k}]: step k comes after t, so it adds nothing to E_t's gradient."
        if not self.revealed[t, k]:
            return f"C[t={t}, k={k}]: BPTT has not reached step {k} yet."
        C = self.session.contributions
        if C is None:
            return f"C[t={t}, k={k}]: {self.session.numbers.status('contributions')}"
        c = float(C[t, k])
        K = self._stepper.truncate
        cut = f"   — dropped by truncation K = {K} (k < t − {K})" if not self.kept()[t, k] else ""
        if self._stepper.y[t] < 0:
            return f"C[t={t}, k={k}] = 0: step t has no target, so there is no loss E_t (its row is 0)"
        if k == 0:
            return f"C[t={t}, k=0] = 0  (the term is δ s_(−1)ᵀ and s_(−1) = 0){cut}"
        return f"C[t={t}, k={k}] = |term k of ∂E_t/∂W| = {c:.3e}   (log10 = {np.log10(c):.2f}){cut}"

    def _on_mouse_moved(self, scene_pos) -> None:
        cell = self._cell_at(scene_pos)
        if cell is not None and self.revealed.shape[0] > max(cell):
            self.hover_label.setText(self.hover_text(*cell))

    def _on_mouse_clicked(self, ev) -> None:
        cell = self._cell_at(ev.scenePos())
        if cell is not None:
            self.spin.setValue(cell[0])  # valueChanged redraws the right-hand plot

    # --- theme ----------------------------------------------------------------------------------------

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = th = theme
        lw = th.line_width
        self.layout_widget.setBackground(th.background)
        style.style_plot(
            self.heat_plot,
            th,
            "Contributions to ∂Eₜ/∂W",
            left="output step t",
            bottom="contributing step k",
        )
        style.style_plot(
            self.line_plot,
            th,
            "",
            left="relative to t (log)",
            bottom="distance t − k (steps back)",
        )
        self.colorbar.setColorMap(style.colormap(th.sequential))
        style.style_colorbar(self.colorbar, "log10 |contribution|", th)
        self.outline.setPen(style.pen(th.muted, max(1.0, lw / 2)))
        self.row_marker.setPen(style.pen(th.backward, max(1.5, lw * 0.75)))
        self.fill_text.setColor(th.muted)
        self.fill_text.set_base_font(style.font(th))
        self.band.setPen(style.pen(th.backward, max(2.0, lw)))
        self.cut_line.setPen(style.pen(th.backward, max(1.5, lw * 0.75), dashed=True))
        self.cut_line.label.setColor(th.backward)
        self.cut_line.label.setFont(style.font(th, 0.95))
        c = self.curves
        c["ratio"].setPen(style.pen(th.backward, lw))
        c["ratio"].setSymbol("o")
        c["ratio"].setSymbolSize(4 + 2 * lw)
        c["ratio"].setSymbolBrush(th.backward)
        c["ratio"].setSymbolPen(style.pen(th.backward, 1))
        c["norm"].setPen(style.pen(th.foreground, lw / 2))
        c["w_factor"].setPen(style.pen(th.w_factor, lw, dashed=True))
        c["radius_factor"].setPen(style.pen(th.radius_factor, lw, dashed=True))
        c["tanh_factor"].setPen(style.pen(th.tanh_factor, lw, dashed=True))
        self.legend.setLabelTextSize(f"{th.font_pt}pt")
        self.legend.setLabelTextColor(th.foreground)
        for _, label in self.legend.items:  # setLabelTextSize only stores the size: re-render
            label.setText(label.text)
        for w in (self.spin_label, self.spin, self.hover_label):
            w.setFont(style.font(th))
        self.spin.setMinimumWidth(int(th.font_pt * 5))  # room for two digits and the arrows
        self.verdict_label.setFont(style.font(th, 1.1, bold=True))
        for plot in (self.heat_plot, self.line_plot):
            style.usable(plot, th)
        self.legend_place = None
        self._reflow()
        self.show_state()
