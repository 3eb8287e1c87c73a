"""Loss: E_t for each step of the current sequence, and the training curve (raw and smoothed).

After training, the bars this sequence had before training stay drawn as dashed outlines on the
same axis ("ghosts"), so "the bars are shorter now" can be seen, not guessed across a rescaled axis.
In compare mode the second cell's bars stand beside the first's and both training curves share the
plot (ui/loss_second.py): the same sequences, the same axis.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rnnviz.ui import style
from rnnviz.ui.loss_second import OFFSET, SecondCell
from rnnviz.ui.masks import NO_TARGET, mean_loss, steps_with_target
from rnnviz.ui.plot_area import PlotArea, fit_legend, legend_size, min_size
from rnnviz.ui.tables import smoothed_loss, smoothing_window
from rnnviz.ui.value_bars import StepBars


class LossView(QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session = session
        self.layout_widget = PlotArea()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.layout_widget)

        self.step_plot = self.layout_widget.addPlot(row=0, col=0, enableMenu=False)
        self.step_bars = StepBars(x=[], height=[], width=0.8)
        self.step_plot.addItem(self.step_bars)
        self.ghost_bars = pg.BarGraphItem(x=[], height=[], width=0.8)  # E_t before training, outlined
        self.ghost_bars.setZValue(1)
        self.step_plot.addItem(self.ghost_bars)
        self.ghost_text = pg.TextItem("dashed: before training", anchor=(1, 0))
        self.step_plot.addItem(self.ghost_text)
        self.mean_line = pg.InfiniteLine(angle=0, movable=False)
        self.step_plot.addItem(self.mean_line)
        self.no_target_marks = pg.ScatterPlotItem(symbol="x")  # steps with no target: no bar, a cross
        self.step_plot.addItem(self.no_target_marks)
        style.integer_ticks(self.step_plot.getAxis("bottom"))  # time steps are whole numbers

        self.curve_plot = self.layout_widget.addPlot(row=1, col=0, enableMenu=False)
        self.raw_curve = self.curve_plot.plot()
        self.smooth_curve = self.curve_plot.plot()
        for curve in (self.raw_curve, self.smooth_curve):
            style.dense_curve(curve)
        self.chance_line = pg.InfiniteLine(angle=0, movable=False)
        self.curve_plot.addItem(self.chance_line)
        self._chance_sample = pg.PlotDataItem()  # the chance line's legend sample (not plotted)
        self.second = SecondCell(self.step_plot, self.curve_plot)  # compare mode: the other cell
        self._names: tuple | None = None  # the cells the legend names (compare mode: two)
        self.legend = pg.LegendItem(colCount=1)  # below the curve, so it never sits on it
        self._fill_legend(())
        self.layout_widget.addItem(self.legend, row=2, col=0)
        self.legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Fixed)
        self.side_by_side: bool | None = None  # the two plots beside each other (short view) or stacked
        self.layout_widget.scene().sigMouseMoved.connect(self._hover)

        self.step_losses = np.empty(0)
        self._steps_drawn: tuple | None = None  # what the E_t bars show
        self._frame_drawn: tuple | None = None  # what the ghost bars, ranges and crosses show
        self.infinity_marks: list[pg.TextItem] = []
        self.ghost: tuple | None = None  # (x, y, E_t before training, history, its count then)
        self.apply_theme(theme)
        session.sig_reset.connect(self.show_state)
        session.sig_stepped.connect(self.show_steps)
        session.sig_trained.connect(self.show_curve)
        session.sig_training_changed.connect(self.keep_bars_before_training)

    def _comparing(self) -> bool:
        return getattr(self.session, "comparing", False)

    def _fill_legend(self, names: tuple) -> None:
        """Entries for one cell, or for both cells' curves in compare mode (named by their cells)."""
        self.legend.clear()
        if names:  # two cells: their smoothed curves (each cell's raw losses are drawn in its lighter colour)
            self.legend.addItem(self.smooth_curve, f"{names[0]}: smoothed (moving mean)")
            self.legend.addItem(self.second.smooth_curve, f"{names[1]}: smoothed")
        else:
            self.legend.addItem(self.raw_curve, "loss per iteration")
            self.legend.addItem(self.smooth_curve, "smoothed (moving mean)")
        self.legend.addItem(self._chance_sample, "uniform guess (log K)")

    def _follow_cells(self) -> None:
        names = tuple(t.name for t in self.session.tracks) if self._comparing() else ()
        if names == self._names:
            return
        self._names = names
        self.second.show(bool(names))
        self._fill_legend(names)
        self.legend.setLabelTextSize(f"{self.theme.font_pt}pt")
        self.legend.setLabelTextColor(self.theme.foreground)
        for _, label in self.legend.items:  # setLabelTextSize only stores the size: re-render
            label.setText(label.text)
        self._steps_drawn = None
        self.side_by_side = None
        self._reflow()

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        self.second.apply_theme(theme)
        style.style_plot(self.step_plot, theme, "", "E_t = −log o_t[y_t]", "time step t")
        style.style_plot(self.curve_plot, theme, "", "loss L (mean)", "iteration")
        self.step_bars.setOpts(brush=pg.mkBrush(theme.forward), pen=pg.mkPen(None))
        self.ghost_bars.setOpts(brush=pg.mkBrush(None), pen=style.pen(theme.foreground, 1.5, dashed=True))
        self.ghost_text.setColor(theme.foreground)
        self.ghost_text.setFont(style.font(theme, 0.9))
        self.mean_line.setPen(style.pen(theme.foreground, 1.5, dashed=True))
        self.no_target_marks.setPen(style.pen(theme.foreground, max(1.0, theme.line_width / 3)))
        self.no_target_marks.setBrush(pg.mkBrush(theme.foreground))
        self.no_target_marks.setSize(8 + 2 * theme.line_width)
        self.raw_curve.setPen(style.pen(theme.loss_raw, max(1.0, theme.line_width / 2)))
        self.smooth_curve.setPen(style.pen(theme.loss_smooth, theme.line_width))
        self.chance_line.setPen(style.pen(theme.muted, 1.5, dashed=True))
        self._chance_sample.setPen(style.pen(theme.muted, 1.5, dashed=True))
        self.legend.setLabelTextSize(f"{theme.font_pt}pt")
        self.legend.setLabelTextColor(theme.foreground)
        for _, label in self.legend.items:  # setLabelTextSize only stores the size: re-render
            label.setText(label.text)
        for plot in (self.step_plot, self.curve_plot):
            style.usable(plot, theme)
        self.side_by_side = None
        self._reflow()
        self.show_state()

    # --- layout: stacked when there is the height for it, side by side otherwise -------------------

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        """Stacked (bars above the curve, legend below) needs two plot heights; a shorter view puts
        the plots side by side, the legend below both, instead of squeezing them. The legend takes
        as many columns as fit the width."""
        grid = self.layout_widget.ci.layout
        left, top, right, bottom = grid.getContentsMargins()
        fit_legend(self.legend, self.width() - left - right, 3)
        stacked = sum(min_size(i).height() for i in (self.step_plot, self.curve_plot, self.legend))
        side = self.height() < stacked + 2 * grid.verticalSpacing() + top + bottom
        if side == self.side_by_side:
            self.layout_widget.refit()  # the legend's columns may have changed
            return
        self.side_by_side = side
        cells = {self.step_plot: (0, 0, 1, 1), self.curve_plot: (0, 1, 1, 1), self.legend: (1, 0, 1, 2)}
        if not side:
            cells = {self.step_plot: (0, 0, 1, 1), self.curve_plot: (1, 0, 1, 1), self.legend: (2, 0, 1, 1)}
        self.layout_widget.place(cells)

    def _sizes(self) -> dict[str, QtCore.QSizeF]:
        """The least room of each arrangement: "side" (plots beside each other, the legend below
        both in the columns their width allows) and "stacked" (legend in one column, the worst case)."""
        grid = self.layout_widget.ci.layout
        left, top, right, bottom = grid.getContentsMargins()
        step, curve = min_size(self.step_plot), min_size(self.curve_plot)
        gap_w, gap_h = grid.horizontalSpacing(), grid.verticalSpacing()
        side_w = step.width() + curve.width() + gap_w
        legends = {n: legend_size(self.legend, n) for n in (3, 2, 1)}
        wide = next((legends[n] for n in (3, 2, 1) if legends[n].width() <= side_w), legends[1])
        side_w = max(side_w, wide.width())
        side_h = max(step.height(), curve.height()) + gap_h + wide.height()
        stacked_w = max(step.width(), curve.width(), legends[1].width())
        stacked_h = step.height() + curve.height() + legends[1].height() + 2 * gap_h
        return {
            "side": QtCore.QSizeF(side_w + left + right, side_h + top + bottom),
            "stacked": QtCore.QSizeF(stacked_w + left + right, stacked_h + top + bottom),
        }

    def minimum_width_for(self, height: float) -> int:
        """The width it needs at this height: narrow when tall enough to stack, wider side by side."""
        sizes = self._sizes()
        return int(sizes["stacked" if height >= sizes["stacked"].height() else "side"].width()) + 1

    def minimumSizeHint(self) -> QtCore.QSize:
        """Side by side: as short as it gets, and wide enough for any height (whatever its
        height: no feedback between the arrangement and the size the window gives it)."""
        side = self._sizes()["side"]
        return QtCore.QSize(int(side.width()) + 1, int(side.height()) + 1)

    def show_state(self, *_):
        self._follow_cells()
        self.show_steps()
        self.show_curve()

    # --- E_t of this sequence ----------------------------------------------------------------------

    def keep_bars_before_training(self, training: bool) -> None:
        """Training starts: keep this sequence's bars from before it (the first run's, if trained again)."""
        s = self.session
        if training and self.ghost_for_now() is None:
            self.ghost = (s.x.copy(), s.y.copy(), np.array(s.step_losses), s.history, s.history.count)

    def ghost_for_now(self) -> np.ndarray | None:
        """E_t before training, if that applies to what is on screen: the same sequence, the same
        model (its training history), and training has happened since."""
        if self.ghost is None:
            return None
        x, y, losses, history, count = self.ghost
        s = self.session
        same = history is s.history and np.array_equal(x, s.x) and np.array_equal(y, s.y)
        return losses if same and s.history.count > count else None

    def show_steps(self, *_):
        """Bars for the E_t computed so far; dashed line at their mean, which is L when all are in."""
        st = self.session.stepper
        forward = st.forward_steps()
        ghost = self.ghost_for_now()
        comparing = self._comparing()
        key = (st, len(forward), None if ghost is None else id(ghost), self.theme, comparing)
        if key == self._steps_drawn:  # the backward pass adds no bar: nothing to redraw
            return
        self._steps_drawn = key
        losses = np.array([ev.E for ev in forward])
        self.step_losses = losses
        shown = ghost if ghost is not None else np.empty(0)
        room = 1.35 if ghost is not None else 1.15  # the ghost's note sits above the bars
        every = [self.session.step_losses, shown] + (
            [self.session.tracks[1].step_losses] if comparing else []
        )
        top = _axis_top(np.concatenate(every), room)  # y stays put
        infinite = ~np.isfinite(losses)  # o_t[y_t] rounded to 0: drawn to the top, marked ∞
        finite_brush, infinite_brush = pg.mkBrush(self.theme.forward), pg.mkBrush(self.theme.backward)
        brushes = [infinite_brush if inf else finite_brush for inf in infinite] if infinite.any() else None
        heights = np.where(infinite, top, losses)
        x, width = (np.arange(len(losses)) - OFFSET, 0.4) if comparing else (np.arange(len(losses)), 0.8)
        self.step_bars.setOpts(x=x, height=heights, width=width, brush=finite_brush, brushes=brushes)
        second = self.second.show_steps(self.session.tracks[1], top) if comparing else None
        self._mark_infinite(np.flatnonzero(infinite), top)
        y = self.session.y
        no_target = np.flatnonzero(np.asarray(y[: len(losses)]) < 0)  # no bar there: a cross
        frame = (st, top, None if ghost is None else id(ghost), len(no_target), self.theme)
        if frame != self._frame_drawn:  # the ghost, ranges and crosses: drawn again only when changed
            self._frame_drawn = frame
            self.ghost_bars.setOpts(
                x=np.arange(len(shown)), height=np.where(np.isfinite(shown), shown, top), width=0.8
            )
            self.ghost_bars.setVisible(len(shown) > 0)  # (an empty item is painted all the same)
            self.ghost_text.setVisible(ghost is not None)
            self.step_plot.setXRange(-0.6, st.T - 0.4, padding=0)
            self.step_plot.setYRange(0, top, padding=0)
            self.ghost_text.setPos(st.T - 0.5, top)
            self.no_target_marks.setData(no_target.astype(float), np.full(len(no_target), 0.06 * top))
            self.no_target_marks.setVisible(len(no_target) > 0)  # (an empty item is painted all the same)
        mean = mean_loss(losses, y)  # over the steps with a target only
        self.mean_line.setVisible(mean is not None and bool(np.isfinite(mean)))
        crosses = " · ×: no target" if len(no_target) else ""
        if mean is not None:
            if np.isfinite(mean):
                self.mean_line.setPos(mean)
            label = "L" if len(losses) == st.T else "mean so far"
            title = f"E_t{crosses} · dashed: {label} = {mean:.3f}"
            if comparing and second is not None:
                a, b = (t.name for t in self.session.tracks)
                title = f"E_t{crosses} · dashed {label}: {a} {mean:.3f}, {b} {second:.3f}"
        elif len(losses):
            title = f"E_t{crosses} · no step with a target yet"
        else:
            title = "E_t: none computed yet"
        if ghost is not None:
            self.ghost_text.setText(
                f"dashed outlines: before training (L = {mean_loss(ghost, self.session.y):.3f})"
            )
        style.set_title(self.step_plot, title, self.theme)

    # --- training curve ----------------------------------------------------------------------------

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
        smoothed = h.smoothed(smoothing_window(h))
        self.smooth_curve.setData(*smoothed)
        chance = float(np.log(len(self.session.vocab)))  # loss of a uniform guess
        self.chance_line.setPos(chance)
        tip = f"uniform guess: log K = {chance:.3f}"
        if self.chance_line.toolTip() != tip:  # at every training tick: an event each, changed or not
            self.chance_line.setToolTip(tip)
        now = smoothed_loss(h, smoothed)  # the curve's last point (not smoothed a second time)
        other = self.second.show_curve(self.session.tracks[1].history) if self._comparing() else None
        if now is not None:
            value, covered = now
            title = f"{h.count:,} iterations · smoothed {value:.3f}"
            if other is not None:
                a, b = (t.name for t in self.session.tracks)
                title = f"{h.count:,} iterations · smoothed {a} {value:.3f}, {b} {other[0]:.3f}"
            smoothing = f"smoothed: mean of the last {covered:,} iterations"
            self.curve_plot.enableAutoRange()
            # fit the range now: left to the paint (pyqtgraph's prepareForPaint), the new range
            # asked for a second paint of the plot at every training tick (the costlier one)
            self.curve_plot.vb.updateAutoRange()
            self.curve_plot.vb.updateMatrix()
        else:
            title, smoothing = "Training curve (not trained yet)", "smoothed (moving mean)"
            self.curve_plot.setRange(xRange=(0, 100), yRange=(0, 1.2 * chance), padding=0)  # no old axis
        style.set_title(self.curve_plot, title, self.theme)
        if self._names:
            smoothing = f"{self._names[0]}: {smoothing}"
        label = self.legend.items[0 if self._names else 1][1]
        if label.text != smoothing:
            label.setText(smoothing)

    def _hover(self, pos) -> None:
        if not self.step_plot.sceneBoundingRect().contains(pos):
            return
        t = int(round(self.step_plot.vb.mapSceneToView(pos).x()))
        st = self.session.stepper
        if 0 <= t < len(self.step_losses):
            ev = st.forward_steps()[t]
            v = self.session.vocab
            if ev.y < 0:
                self.layout_widget.setToolTip(
                    f"t={t}: input {v.label(ev.x)!r}: {NO_TARGET}\n(no loss E_t; L is the mean over"
                    f" {steps_with_target(self.session.y)})"
                )
                return
            why = "\n(infinite: o_t[y_t] is below the smallest float64, so it is 0)" if np.isinf(ev.E) else ""
            tip = f"t={t}: input {v.label(ev.x)!r}, target {v.label(ev.y)!r}\n"
            if self._comparing():  # each cell's o_t[y_t] and E_t, named
                for track in self.session.tracks:
                    e = track.stepper.forward_steps()[t]
                    tip += f"{track.name}: o_t[y_t] = {e.o[e.y]:.6f}, E_t = {e.E:.6f}\n"
                self.layout_widget.setToolTip(tip.rstrip() + why)
                return
            self.layout_widget.setToolTip(
                tip + f"o_t[y_t] = {ev.o[ev.y]:.6f}\nE_t = −log o_t[y_t] = {ev.E:.6f}" + why
            )


def _axis_top(step_losses, room: float) -> float:
    """The top of the E_t axis: `room` times the largest finite loss (infinite ones are cut there)."""
    finite = step_losses[np.isfinite(step_losses)]
    return max(float(finite.max()) if finite.size else 1.0, 1e-3) * room
