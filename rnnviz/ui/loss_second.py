"""The second cell's part of the loss view in compare mode: its E_t bars beside the first cell's
and its training curve (raw and smoothed) on the same plot, in a colour of its own. A LossView helper."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from rnnviz.ui import style
from rnnviz.ui.masks import mean_loss
from rnnviz.ui.tables import smoothed_loss, smoothing_window

SECOND, SECOND_RAW = style.OKABE_ITO["orange"], "#F3CF80"  # the compared cell's curve, and its raw losses
OFFSET = 0.21  # compare mode: each cell's bar this far from the step's centre


class SecondCell:
    def __init__(self, step_plot: pg.PlotItem, curve_plot: pg.PlotItem):
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.4)
        step_plot.addItem(self.bars)
        self.mean_line = pg.InfiniteLine(angle=0, movable=False)
        step_plot.addItem(self.mean_line)
        self.raw_curve = curve_plot.plot()
        self.smooth_curve = curve_plot.plot()
        for curve in (self.raw_curve, self.smooth_curve):
            style.dense_curve(curve)
        self.items = (self.bars, self.mean_line, self.raw_curve, self.smooth_curve)
        self.step_losses = np.empty(0)

    def apply_theme(self, theme: style.Theme) -> None:
        self.bars.setOpts(brush=pg.mkBrush(SECOND), pen=pg.mkPen(None))
        self.mean_line.setPen(style.pen(SECOND, 1.5, dashed=True))
        self.raw_curve.setPen(style.pen(SECOND_RAW, max(1.0, theme.line_width / 2)))
        self.smooth_curve.setPen(style.pen(SECOND, theme.line_width))

    def show(self, on: bool) -> None:
        for item in self.items:
            item.setVisible(on)

    def show_steps(self, track, top: float) -> float | None:
        """Its E_t bars so far, beside the first cell's; returns their mean (None before any)."""
        losses = np.array([ev.E for ev in track.stepper.forward_steps()])
        self.step_losses = losses
        heights = np.where(np.isfinite(losses), losses, top)
        self.bars.setOpts(x=np.arange(len(losses)) + OFFSET, height=heights, width=0.4)
        mean = mean_loss(losses, track.stepper.y[: len(losses)]) if len(losses) else None
        self.mean_line.setVisible(bool(mean is not None and np.isfinite(mean)))
        if mean is not None and np.isfinite(mean):
            self.mean_line.setPos(mean)
        return mean

    def show_curve(self, history) -> tuple[float, int] | None:
        it, loss = history.data()
        self.raw_curve.setData(it, loss)
        self.smooth_curve.setData(*history.smoothed(smoothing_window(history)))
        return smoothed_loss(history)
