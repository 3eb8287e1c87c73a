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
from rnnviz.ui.plot_area import PlotArea, fit_legend


class GradNormView(QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session, self.theme = session, theme
        self.layout_widget = PlotArea()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.layout_widget)
        self.plot = self.layout_widget.addPlot(row=0, col=0)
        self.plot.setLogMode(x=False, y=True)
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.mean_curve = self.plot.plot()
        self.peak_curve = self.plot.plot()
        self.clip_line = pg.InfiniteLine(angle=0, movable=False)
        self.plot.addItem(self.clip_line)
        self._clip_sample = pg.PlotDataItem()  # the threshold's legend sample (not plotted)
        self.legend = pg.LegendItem(colCount=1)
        self.legend.addItem(self.mean_curve, "‖g‖ before clipping (mean per point)")
        self.legend.addItem(self.peak_curve, "largest ‖g‖ per point")
        self.legend.addItem(self._clip_sample, "clipping threshold c")
        self.layout_widget.addItem(self.legend, row=1, col=0)
        self.legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Fixed)
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

    def show_state(self, *_) -> None:
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
        label = self.legend.items[2][1]
        words = {
            True: f"clipping threshold c = {s.clip:g}",
            False: "no clipping" if s.clip == 0 else f"element-wise clipping: each entry to ±{s.clip:g}",
        }[by_norm]
        if label.text != words:
            label.setText(words)
        if len(it):
            above = int(np.count_nonzero(peak > s.clip)) if by_norm else None
            title = f"Gradient norm before clipping · largest {np.nanmax(peak):.4g}"
            if above is not None:
                title += f" · {above} of {len(it)} points above c"
            self.plot.enableAutoRange()
        else:
            title = "Gradient norm before clipping (not trained yet)"
            top = np.log10(max(s.clip, 1.0)) + 1
            self.plot.setRange(xRange=(0, 100), yRange=(-2, top), padding=0)
        style.set_title(self.plot, title, self.theme)

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
        for item in (self.clip_line, self._clip_sample):
            item.setPen(style.pen(th.foreground, max(1.5, th.line_width * 0.75), dashed=True))
        self.legend.setLabelTextSize(f"{th.font_pt}pt")
        self.legend.setLabelTextColor(th.foreground)
        for _, label in self.legend.items:
            label.setText(label.text)
        style.usable(self.plot, th)
        fit_legend(self.legend, max(self.width() - 8, 1), 3)
        self.layout_widget.refit()
        self.show_state()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        fit_legend(self.legend, max(self.layout_widget.width() - 8, 1), 3)
        self.layout_widget.refit()
