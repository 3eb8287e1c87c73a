"""Pascanu's cliff: the error of one recurrent unit over (w, b), and gradient descent on it with and
without norm clipping (Pascanu, Mikolov & Bengio 2013, section 3 and figure 6; rnnviz.core.cliff).

x_t = w σ(x_{t-1}) + b for 50 steps from x_0 = 0.5, E = (σ(x_50) - 0.7)². The surface is log10 E on
fixed colour levels, so the wall (where x_50 jumps between attractors, near w ≈ 4.7-5) shows as a
sharp edge. Two SGD paths start from one point (click the surface to move it): without clipping a
step that meets the wall is thrown far away; with clipping the step is cut to length c and the path
stays. Surface and paths are computed in a worker; hovering reads exact numbers (one 50-step pass).
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Qt

from rnnviz.core import cliff
from rnnviz.ui import style
from rnnviz.ui.lab_jobs import B_RANGE, W_RANGE, Paths, cliff_paths, cliff_surface
from rnnviz.ui.lab_layout import CROSS, LINE, LabLayout, wrapped_label
from rnnviz.ui.lab_worker import LatestJob
from rnnviz.ui.plot_area import ColourBar, FittedNote, PlotArea

CLIP_STEPS = 60  # slider positions: c = 10^(-1 + i/20), 0.1 .. 100, twenty to a decade
START = (4.6, -2.463)  # beside the wall. With η = 0.1: unclipped, after 39 steps a gradient of ‖g‖ = 137
# throws the path out of the picture; clipped at c = 1 (6 of 60 steps) it walks down to E = 0.013
DEFAULTS = dict(clip=1.0, lr=0.1, steps=60)
HOVER_PX = 8  # a path's point is hovered within this many pixels


def clip_at(position: int) -> float:
    return float(10 ** (-1 + position / 20))


def position_of(clip: float) -> int:
    return int(np.clip(round((np.log10(clip) + 1) * 20), 0, CLIP_STEPS))


class CliffView(LabLayout, QtWidgets.QWidget):
    def __init__(self, worker, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.theme = theme
        self.start = START
        self.surface = None  # lab_jobs.Surface once computed
        self.paths: Paths | None = None
        self._surface_job = LatestJob(worker, self._surface_arrived, "cliff surface")
        self._paths_job = LatestJob(worker, self._paths_arrived, "cliff paths")

        self.clip_slider = QtWidgets.QSlider(Qt.Orientation.Horizontal, toolTip="The clipping threshold c")
        self.clip_slider.setRange(0, CLIP_STEPS)
        self.clip_slider.setMinimumWidth(80)
        self.clip_label = QtWidgets.QLabel()
        self.lr = QtWidgets.QDoubleSpinBox(toolTip="Learning rate η of both paths")
        self.lr.setRange(0.01, 2.0)
        self.lr.setSingleStep(0.05)
        self.lr.setDecimals(2)
        self.steps = QtWidgets.QSpinBox(toolTip="SGD steps of both paths")
        self.steps.setRange(1, 500)
        self.w0, self.b0 = (QtWidgets.QDoubleSpinBox() for _ in range(2))
        for box, rng, name in ((self.w0, W_RANGE, "w"), (self.b0, B_RANGE, "b")):
            box.setRange(*rng)
            box.setDecimals(3)
            box.setSingleStep(0.05)
            box.setToolTip(f"Where both paths start: {name} (or click the surface)")
        for box in (self.lr, self.steps, self.w0, self.b0):
            box.setKeyboardTracking(False)
        self.row_labels = [QtWidgets.QLabel(t) for t in ("clip c", "start w", "b", "η", "steps")]
        grid = QtWidgets.QGridLayout()
        grid.setContentsMargins(4, 2, 4, 0)
        grid.addWidget(self.row_labels[0], 0, 0)
        grid.addWidget(self.clip_slider, 0, 1, 1, 6)
        grid.addWidget(self.clip_label, 0, 7)
        boxes = (self.w0, self.b0, self.lr, self.steps)
        for i, (label, box) in enumerate(zip(self.row_labels[1:], boxes, strict=True)):
            grid.addWidget(label, 1, 2 * i)
            grid.addWidget(box, 1, 2 * i + 1)
        self.summary = wrapped_label()  # the key: each path's colour and what it did, in numbers
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.layout_widget = PlotArea()
        self.plot = self.layout_widget.addPlot(row=0, col=0, enableMenu=False)
        self.plot.setMouseEnabled(x=False, y=False)  # the picture stays put: a click moves the start
        self.plot.hideButtons()
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.free_curve = pg.PlotDataItem()
        self.clipped_curve = pg.PlotDataItem()
        self.start_mark = pg.ScatterPlotItem(symbol="+")
        for item in (self.free_curve, self.clipped_curve, self.start_mark):
            self.plot.addItem(item)
        self.note = FittedNote("computing the surface…", self.plot.vb)
        self.plot.addItem(self.note)
        self.colorbar = ColourBar(
            values=style.CLIFF_LEVELS, label="log10 E", interactive=False, colorMapMenu=False, width=14
        )
        self.colorbar.setImageItem(self.image)
        self.layout_widget.addItem(self.colorbar, row=0, col=1)
        self.plot.setRange(xRange=W_RANGE, yRange=B_RANGE, padding=0)

        self.controls = QtWidgets.QWidget()
        self.controls.setLayout(grid)
        self._set_parts(self.layout_widget, (self.controls,), (self.summary,))

        self.set_controls(**DEFAULTS)
        self.clip_slider.valueChanged.connect(self._changed)
        for box in (self.lr, self.steps, self.w0, self.b0):
            box.valueChanged.connect(self._changed)
        self.layout_widget.scene().sigMouseMoved.connect(self._hover)
        self.layout_widget.scene().sigMouseClicked.connect(self._clicked)
        self.apply_theme(theme)
        self._changed()

    def showEvent(self, event) -> None:
        """The surface is computed the first time the view is seen (not at start-up, for nobody)."""
        super().showEvent(event)
        if self.surface is None and not self._surface_job.busy:
            self._surface_job.submit(cliff_surface)

    # --- what is asked ----------------------------------------------------------------------------

    def set_controls(self, clip=None, lr=None, steps=None, start=None) -> None:
        """Set some controls at once (one computation follows, not one per control)."""
        boxes = (self.clip_slider, self.lr, self.steps, self.w0, self.b0)
        for box in boxes:
            box.blockSignals(True)
        if clip is not None:
            self.clip_slider.setValue(position_of(clip))
        if lr is not None:
            self.lr.setValue(lr)
        if steps is not None:
            self.steps.setValue(steps)
        if start is not None:
            self.start = (float(start[0]), float(start[1]))
        self.w0.setValue(self.start[0])
        self.b0.setValue(self.start[1])
        for box in boxes:
            box.blockSignals(False)
        self._changed()

    @property
    def clip(self) -> float:
        return clip_at(self.clip_slider.value())

    def _changed(self, *_) -> None:
        self.start = (self.w0.value(), self.b0.value())
        self.clip_label.setText(f"{self.clip:.3g}")
        self.start_mark.setData([self.start[0]], [self.start[1]])
        args = (self.start[0], self.start[1], self.lr.value(), self.steps.value(), self.clip)
        self._paths_job.submit(cliff_paths, *args)

    @property
    def computing(self) -> bool:
        return self._surface_job.busy or self._paths_job.busy

    # --- results (UI thread) ----------------------------------------------------------------------

    def _surface_arrived(self, job) -> None:
        if job.error is not None:
            self.note.setText(f"could not compute the surface: {job.error}")
            return
        self.surface = s = job.result
        log_e = np.log10(np.maximum(s.E, 10.0 ** (style.CLIFF_LEVELS[0] - 1)))  # (n_b, n_w)
        self.image.setImage(log_e, autoLevels=False, levels=style.CLIFF_LEVELS)
        dw, db = s.w[1] - s.w[0], s.b[1] - s.b[0]
        self.image.setRect(QtCore.QRectF(s.w[0] - dw / 2, s.b[0] - db / 2, dw * len(s.w), db * len(s.b)))
        self.note.setVisible(False)

    def _paths_arrived(self, job) -> None:
        if job.error is not None:
            self.summary.setText(f"Could not run SGD: {job.error}")
            return
        self.paths = p = job.result
        self.free_curve.setData(p.free.w, p.free.b)
        self.clipped_curve.setData(p.clipped.w, p.clipped.b)
        self._show_summary()

    def _show_summary(self) -> None:
        """The key and the numbers in one paragraph: each path's colour, then what it did."""
        th = self.theme
        free, clipped = (
            summary(self.paths) if self.paths else ("SGD, no clipping.", "SGD, norm clipped at c.")
        )
        parts = [(LINE, th.backward, free), (LINE, th.forward, clipped), (CROSS, th.foreground, START_NOTE)]
        self.summary.setText(
            f'<span style="color:{th.foreground}">'
            + " ".join(f'<span style="color:{c}">{sample}</span> {html.escape(t)}' for sample, c, t in parts)
            + "</span>"
        )
        self._fit_texts()

    # --- hover and click --------------------------------------------------------------------------

    def _data_point(self, scene_pos):
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        return float(p.x()), float(p.y())

    def hover_text(self, w: float, b: float) -> str:
        """Exact numbers at (w, b): a point of a path within reach, else the surface there."""
        near = self._path_point_near(w, b)
        if near is not None:
            return near
        g = cliff.loss_and_grad(w, b)
        norm = float(np.hypot(g.dw, g.db))
        return (
            f"w = {w:.4f}, b = {b:.4f}\nE = (σ(x₅₀) − 0.7)² = {float(g.E):.6g}\n"
            f"∂E/∂w = {float(g.dw):.6g}, ∂E/∂b = {float(g.db):.6g}, ‖g‖ = {norm:.6g}"
        )

    def _path_point_near(self, w: float, b: float) -> str | None:
        """The numbers of the path point nearest (w, b) within HOVER_PX pixels, or None. Until the
        first clipped step the two paths are the same points: then both are named."""
        if self.paths is None:
            return None
        px = self.plot.vb.viewPixelSize()  # data units per pixel along w and b
        near = []
        for name, path in (("no clipping", self.paths.free), ("clipped at c", self.paths.clipped)):
            d = np.hypot((path.w - w) / px[0], (path.b - b) / px[1])
            i = int(np.argmin(d))
            if d[i] <= HOVER_PX:
                near.append((d[i], name, path, i))
        if not near:
            return None
        _, name, path, i = min(near, key=lambda n: n[0])
        free, clipped = self.paths.free, self.paths.clipped
        same = i < min(len(free.w), len(clipped.w)) and (free.w[i], free.b[i]) == (clipped.w[i], clipped.b[i])
        if same:
            name, path = "both paths (the same until a step is clipped)", clipped
        text = f"SGD, {name}: point {i} of {len(path.w) - 1}\n"
        text += f"w = {path.w[i]:.6g}, b = {path.b[i]:.6g}, E = {path.E[i]:.6g}"
        if i < len(path.grad_norm):
            text += f"\n‖g‖ before clipping = {path.grad_norm[i]:.6g}"
            if path is clipped and path.clipped[i]:
                text += f": the clipped path cuts this step to length c = {self.paths.clip:.3g}"
        return text

    def _hover(self, scene_pos) -> None:
        p = self._data_point(scene_pos)
        if p is not None:
            self.layout_widget.setToolTip(self.hover_text(*p))

    def _clicked(self, ev) -> None:
        p = self._data_point(ev.scenePos())
        if p is not None and ev.button() == Qt.MouseButton.LeftButton:
            self.set_controls(start=p)

    # --- theme ------------------------------------------------------------------------------------

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = th = theme
        self.layout_widget.setBackground(th.background)
        style.style_plot(
            self.plot, th, "Pascanu's cliff: log10 E over (w, b)", left="bias b", bottom="weight w"
        )
        self.colorbar.setColorMap(style.colormap(th.sequential))
        style.style_colorbar(self.colorbar, "log10 E", th)
        lw = th.line_width
        for curve, colour in ((self.free_curve, th.backward), (self.clipped_curve, th.forward)):
            curve.setPen(style.pen(colour, lw))
            curve.setSymbol("o")
            curve.setSymbolSize(3 + lw)
            curve.setSymbolBrush(colour)
            curve.setSymbolPen(style.pen(colour, 1))
        self.start_mark.setPen(style.pen(th.foreground, lw))
        self.start_mark.setBrush(pg.mkBrush(th.foreground))
        self.start_mark.setSize(8 + 2 * lw)
        self.note.setColor(th.foreground)
        self.note.set_base_font(style.font(th))
        for w in (*self.row_labels, self.clip_label, self.lr, self.steps, self.w0, self.b0, self.summary):
            w.setFont(style.font(th))
        self.clip_label.setMinimumWidth(int(th.font_pt * 3.5))  # "0.112" never moves the slider
        style.usable(self.plot, th)
        self.arrangement = None  # the column's width follows the type
        self._show_summary()
        self._relayout()
        self.layout_widget.updateGeometry()
        self.updateGeometry()


START_NOTE = "start: click the surface to move it."


def summary(p: Paths) -> tuple[str, str]:
    """What the two paths did, in words, with their numbers: (unclipped, clipped)."""
    free, clipped = p.free, p.clipped
    n = len(free.grad_norm)
    biggest = int(np.argmax(free.grad_norm)) if n else 0
    jump = np.hypot(np.diff(free.w), np.diff(free.b))
    inside = (W_RANGE[0] <= free.w) & (free.w <= W_RANGE[1]) & (B_RANGE[0] <= free.b) & (free.b <= B_RANGE[1])
    left = f", left the picture at point {int(np.argmin(inside))}" if not inside.all() else ""
    stopped = f" (stopped after {n} of {p.n_steps} steps: not finite)" if n < p.n_steps else ""
    first = (
        f"No clipping: ‖g‖ up to {free.grad_norm[biggest]:.4g} (step {biggest}), longest step"
        f" {jump.max() if len(jump) else 0:.3g}{left}{stopped}; E {free.E[0]:.4g} → {free.E[-1]:.4g}."
        if n
        else "No clipping: no steps."
    )
    second = (
        f"Norm clipping at c = {p.clip:.3g}: {int(clipped.clipped.sum())} of {len(clipped.grad_norm)} steps"
        f" clipped; E {clipped.E[0]:.4g} → {clipped.E[-1]:.4g}."
    )
    return first, second
