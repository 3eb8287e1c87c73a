"""Loss: E_t for each step of the current sequence, and the training curve (raw and smoothed)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from rnnviz.ui import style


class LossView(QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session = session
        self.layout_widget = pg.GraphicsLayoutWidget()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.layout_widget)

        self.step_plot = self.layout_widget.addPlot(row=0, col=0)
        self.step_bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.step_plot.addItem(self.step_bars)
        self.mean_line = pg.InfiniteLine(angle=0, movable=False)
        self.step_plot.addItem(self.mean_line)
        self.step_plot.setMenuEnabled(False)

        self.curve_plot = self.layout_widget.addPlot(row=1, col=0)
        self.curve_plot.setMenuEnabled(False)
        self.legend = self.curve_plot.addLegend(offset=(10, -10))  # bottom left: the curve falls away from it
        self.raw_curve = self.curve_plot.plot(name="loss per iteration")
        self.smooth_curve = self.curve_plot.plot(name="smoothed")
        self.chance_line = pg.InfiniteLine(
            angle=0, movable=False, label="uniform guess", labelOpts={"position": 0.85, "color": "#707070"}
        )
        self.curve_plot.addItem(self.chance_line)
        self.layout_widget.scene().sigMouseMoved.connect(self._hover)

        self.step_losses = np.empty(0)
        self.infinity_marks: list[pg.TextItem] = []
        self.apply_theme(theme)
        session.sig_reset.connect(self.show_state)
        session.sig_stepped.connect(self.show_steps)
        session.sig_trained.connect(self.show_curve)

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        style.style_plot(
            self.step_plot, theme, "Loss E_t = −log o_t[y_t] on this sequence", "E_t", "time step t"
        )
        style.style_plot(self.curve_plot, theme, "Training curve", "mean loss L", "iteration")
        self.step_bars.setOpts(brush=pg.mkBrush(theme.forward), pen=pg.mkPen(None))
        self.mean_line.setPen(style.pen(theme.foreground, 1.5, dashed=True))
        self.raw_curve.setPen(style.pen(theme.loss_raw, max(1.0, theme.line_width / 2)))
        self.smooth_curve.setPen(style.pen(theme.loss_smooth, theme.line_width))
        self.chance_line.setPen(style.pen(theme.muted, 1.5, dashed=True))
        self.legend.setLabelTextSize(f"{theme.font_pt}pt")
        self.show_state()

    def show_state(self, *_):
        self.show_steps()
        self.show_curve()

    def show_steps(self, *_):
        """Bars for the E_t computed so far; dashed line at their mean, which is L when all are in."""
        st = self.session.stepper
        losses = np.array([ev.E for ev in st.forward_steps()])
        self.step_losses = losses
        top = _axis_top(self.session.step_losses)  # whole sequence: y stays put
        infinite = ~np.isfinite(losses)  # o_t[y_t] rounded to 0: drawn to the top, marked ∞
        brushes = [pg.mkBrush(self.theme.backward if inf else self.theme.forward) for inf in infinite]
        heights = np.where(infinite, top, losses)
        self.step_bars.setOpts(x=np.arange(len(losses)), height=heights, width=0.8, brushes=brushes)
        self._mark_infinite(np.flatnonzero(infinite), top)
        self.step_plot.setXRange(-0.6, st.T - 0.4, padding=0)
        self.step_plot.setYRange(0, top, padding=0)
        self.mean_line.setVisible(len(losses) > 0 and bool(np.isfinite(losses.mean())))
        if len(losses):
            if np.isfinite(losses.mean()):
                self.mean_line.setPos(float(losses.mean()))
            label = "L" if len(losses) == st.T else "mean so far"
            style.set_title(
                self.step_plot, f"E_t on this sequence · {label} = {losses.mean():.3f}", self.theme
            )

    def _mark_infinite(self, steps, top: float) -> None:
        """An ∞ over each infinite E_t's bar (the bar itself is cut at the top of the axis)."""
        for item in self.infinity_marks:
            self.step_plot.removeItem(item)
        self.infinity_marks = []
        for t in steps:
            mark = pg.TextItem("∞", color=self.theme.background, anchor=(0.5, 0))
            mark.setFont(style.font(self.theme, bold=True))
            mark.setPos(float(t), top)
            self.step_plot.addItem(mark)
            self.infinity_marks.append(mark)

    def show_curve(self, *_):
        h = self.session.history
        it, loss = h.data()
        self.raw_curve.setData(it, loss)
        sx, sy = h.smoothed()
        self.smooth_curve.setData(sx, sy)
        chance = float(np.log(len(self.session.vocab)))  # loss of a uniform guess
        self.chance_line.setPos(chance)
        self.chance_line.setToolTip(f"uniform guess: log K = {chance:.3f}")
        if len(loss):
            title = f"Training · {h.count:,} iterations · loss {sy[-1]:.3f}"
        else:
            title = "Training curve (not trained yet)"
        style.set_title(self.curve_plot, title, self.theme)

    def _hover(self, pos) -> None:
        if not self.step_plot.sceneBoundingRect().contains(pos):
            return
        t = int(round(self.step_plot.vb.mapSceneToView(pos).x()))
        st = self.session.stepper
        if 0 <= t < len(self.step_losses):
            ev = st.forward_steps()[t]
            v = self.session.vocab
            why = "\n(infinite: o_t[y_t] is below the smallest float64, so it is 0)" if np.isinf(ev.E) else ""
            self.layout_widget.setToolTip(
                f"t={t}: input {v.label(ev.x)!r}, target {v.label(ev.y)!r}\n"
                f"o_t[y_t] = {ev.o[ev.y]:.6f}\nE_t = −log o_t[y_t] = {ev.E:.6f}" + why
            )


def _axis_top(step_losses) -> float:
    """The top of the E_t axis: a little above the largest finite loss (infinite ones are cut there)."""
    finite = step_losses[np.isfinite(step_losses)]
    return max(float(finite.max()) if finite.size else 1.0, 1e-3) * 1.1
