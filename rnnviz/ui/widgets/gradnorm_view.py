"""The gradient norm before clipping, traced while training (Trainer.grad_norms), with the clipping
threshold drawn: the spikes above the line are the steps clipping cuts (Pascanu et al. 2013).

Each stored point covers `stride` iterations once training runs long (core/history.py): the view
draws the mean of each point and its largest value, so a single exploding iteration stays visible.
The y axis is logarithmic: a spike of 10⁴ and a norm of 10⁻² sit on one picture.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from rnnviz.ui import style
from rnnviz.ui.lab_layout import DASHED, LINE, LabLayout, key_html, wrapped_label
from rnnviz.ui.plot_area import PlotArea


class GradNormView(LabLayout, QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session, self.theme = session, theme
        self.layout_widget = PlotArea()
        self.key = wrapped_label()
        self._set_parts(self.layout_widget, (), (self.key,))
        self.plot = self.layout_widget.addPlot(row=0, col=0, enableMenu=False)
        self.plot.setLogMode(x=False, y=True)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.mean_curve = self.plot.plot()
        self.peak_curve = self.plot.plot()
        for curve in (self.mean_curve, self.peak_curve):
            style.dense_curve(curve)
        self.clip_line = pg.InfiniteLine(angle=0, movable=False)
        self.plot.addItem(self.clip_line)
        self.layout_widget.scene().sigMouseMoved.connect(self._hover)
        session.sig_reset.connect(self.show_state)
        session.sig_trained.connect(self.show_state)
        session.sig_settings_changed.connect(self.show_state)
        self.apply_theme(theme)

    def norms(self):
        """(iterations, mean norm, largest norm) of the stored points of the session's trainer."""
        h = self.session.trainer.grad_norms
        it, mean = h.data()
        _, peak = h.peak_data()
        n = min(len(it), len(peak))  # read apart while the training thread adds: the common part
        return it[:n], mean[:n], peak[:n]

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.show_state()  # it skips redrawing while hidden

    def show_state(self, *_) -> None:
        if not self.isVisible():
            return  # drawn when shown: training's ten redraws a second cost nothing while hidden
        it, mean, peak = self.norms()
        keep = (mean > 0) & np.isfinite(mean)  # a log axis cannot show 0
        self.mean_curve.setData(it[keep], mean[keep])
        keep = (peak > 0) & np.isfinite(peak)
        self.peak_curve.setData(it[keep], peak[keep])
        s = self.session.settings
        by_norm = s.clip > 0 and s.clip_kind == "norm"
        self.clip_line.setVisible(by_norm)
        if by_norm:
            self.clip_line.setPos(np.log10(s.clip))  # the axis is in log10 units
        self._show_key()
        shown = np.concatenate([mean[mean > 0], peak[peak > 0], [s.clip] if by_norm else []])
        shown = shown[np.isfinite(shown)]
        if len(it):
            above = int(np.count_nonzero(peak > s.clip)) if by_norm else None
            title = f"Gradient norm before clipping · largest {np.nanmax(peak):.4g}"
            if above is not None:
                title += f" · {above} of {len(it)} points above c"
            xs = (float(it[0]), float(max(it[-1], it[0] + 1)))
        else:
            title = "Gradient norm before clipping (not trained yet)"
            xs = (0.0, 100.0)
        lo = int(np.floor(np.log10(shown.min()))) if len(shown) else -2
        hi = int(np.ceil(np.log10(shown.max()))) if len(shown) else 1
        lo, hi = min(lo, hi - 1), max(hi, lo + 1)  # at least one decade
        self.plot.setRange(xRange=xs, yRange=(lo, hi), padding=0.02)  # y in log10 units
        style.decade_ticks(self.plot.getAxis("left"), lo, hi)  # labels at powers of ten only
        style.set_title(self.plot, title, self.theme)

    def _show_key(self) -> None:
        s, th = self.session.settings, self.theme
        by_norm = s.clip > 0 and s.clip_kind == "norm"
        words = {
            True: f"clipping threshold c = {s.clip:g}",
            False: "no clipping" if s.clip == 0 else f"element-wise clipping: each entry to ±{s.clip:g}",
        }[by_norm]
        key = key_html(
            [
                (LINE, th.loss_raw, "‖g‖ before clipping (mean per point)"),
                (LINE, th.backward, "largest ‖g‖ per point"),
                (DASHED, th.foreground if by_norm else th.muted, words),
            ],
            th,
        )
        if key != self.key.text():
            self.key.setText(key)
            self._fit_texts()

    def _hover(self, scene_pos) -> None:
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return
        it, mean, peak = self.norms()
        if not len(it):
            return
        x = vb.mapSceneToView(scene_pos).x()
        i = int(np.argmin(np.abs(it - x)))
        stride = self.session.trainer.grad_norms.stride
        covers = f" (a point covers {stride} iterations)" if stride > 1 else ""
        self.layout_widget.setToolTip(
            f"iteration {it[i]:,.0f}{covers}\n‖g‖ before clipping: mean {mean[i]:.6g}, largest {peak[i]:.6g}"
        )

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = th = theme
        self.layout_widget.setBackground(th.background)
        style.style_plot(self.plot, th, "", left="‖∂L/∂θ‖ (log)", bottom="iteration")
        self.mean_curve.setPen(style.pen(th.loss_raw, max(1.0, th.line_width / 2)))
        self.peak_curve.setPen(style.pen(th.backward, max(1.0, th.line_width * 0.75)))
        self.clip_line.setPen(style.pen(th.foreground, max(1.5, th.line_width * 0.75), dashed=True))
        self.key.setFont(style.font(th))
        self.key.setText("")  # drawn again in the theme's colours
        style.usable(self.plot, th)
        self.arrangement = None  # the column's width follows the type
        self._show_key()
        self._relayout()
        self.show_state()
        self.updateGeometry()
