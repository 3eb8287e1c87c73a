"""Hidden activations: the heatmap of s_t (units x time) filling in, and the current s_t as bars."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from rnnviz.ui import style
from rnnviz.ui.plot_area import PlotArea

BRUSH_STEPS = 255  # bar colours: s across the colour levels in this many steps (finer than the eye can tell)


class HiddenView(QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session = session
        self.layout_widget = PlotArea()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.layout_widget)

        self.heat_plot = self.layout_widget.addPlot(row=0, col=0)
        self.heatmap = pg.ImageItem()
        self.heat_plot.addItem(self.heatmap)
        self.heat_plot.invertY(True)  # unit 0 at the top, like a matrix
        self.heat_plot.setMenuEnabled(False)
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.heat_plot.addItem(self.cursor)
        self.colorbar = pg.ColorBarItem(
            values=style.HIDDEN_LEVELS, interactive=False, width=14, label="s value"
        )
        self.colorbar.setImageItem(self.heatmap, insert_in=self.heat_plot)

        self.bar_plot = self.layout_widget.addPlot(row=0, col=1)
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.8, width=[])
        self.bar_plot.addItem(self.bars)
        self.bar_plot.invertY(True)
        self.bar_plot.setXRange(-1, 1, padding=0.05)
        self.bar_plot.setMenuEnabled(False)
        self.bar_plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#888888")))
        self.layout_widget.ci.layout.setColumnStretchFactor(0, 3)
        self.layout_widget.ci.layout.setColumnStretchFactor(1, 2)

        for plot, side in ((self.heat_plot, "bottom"), (self.heat_plot, "left"), (self.bar_plot, "left")):
            style.integer_ticks(plot.getAxis(side))  # time steps and hidden units are whole numbers
        self.image = np.empty((0, 0))
        self.levels, self.bar_range = style.HIDDEN_LEVELS, style.HIDDEN_LEVELS  # the cell's, per trace
        self._scaled_for = None  # the stepper the levels, ticks and title were set for
        self._columns: tuple | None = None  # (stepper, forward steps drawn): skip unchanged images
        self._brushes: list = []  # BRUSH_STEPS brushes spanning the colour map, made once per theme
        self.current_t: int | None = None
        self.current_s = np.empty(0)
        self.layout_widget.scene().sigMouseMoved.connect(self._hover)
        self.apply_theme(theme)
        session.sig_reset.connect(self.show_state)
        session.sig_stepped.connect(self.show_state)
        self.show_state()

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        cmap = style.colormap(theme.diverging)
        self._brushes = [pg.mkBrush(c) for c in cmap.map(np.linspace(0, 1, BRUSH_STEPS), mode="qcolor")]
        self._columns = None
        style.style_plot(self.heat_plot, theme, self._title(), "hidden unit", "time step t")
        style.style_plot(self.bar_plot, theme, "current sₜ", "", "value")
        self._scaled_for = None  # ticks and title again
        self.colorbar.setColorMap(style.colormap(theme.diverging))
        style.style_colorbar(self.colorbar, "s value", theme)
        self.cursor.setPen(style.pen(theme.forward, theme.line_width))
        for plot in (self.heat_plot, self.bar_plot):
            style.usable(plot, theme)
        self.layout_widget.updateGeometry()
        self.show_state()

    def show_state(self, *_):
        """Redraw from the session: the s_t computed so far, NaN (transparent) for the rest."""
        st = self.session.stepper
        H, T = self.session.rnn.hidden_size, st.T
        forward = st.forward_steps()
        if self._scaled_for is not st:
            self._scale_for(st)
        if self._columns != (st, len(forward)):  # the backward pass adds no column: nothing to redo
            self._columns = (st, len(forward))
            image = np.full((H, T), np.nan)  # (H, T) rows = units, columns = time
            if forward:
                image[:, : len(forward)] = np.array([ev.s for ev in forward]).T  # forward t = 0, 1, ...
            self.image = image
            self.heatmap.setImage(image, autoLevels=False, levels=self.levels)
            self.heatmap.setRect(-0.5, -0.5, T, H)
            self.heat_plot.setLimits(xMin=-1, xMax=T, yMin=-1, yMax=H)
            self.heat_plot.setRange(xRange=(-0.5, T - 0.5), yRange=(-0.5, H - 0.5), padding=0)
        image = self.image
        last = st.last
        t = last.t if last is not None and last.phase in ("forward", "backward") else None
        if t is None and forward:
            t = forward[-1].t
        self.current_t = t
        self.cursor.setVisible(t is not None)
        if t is not None:
            self.cursor.setPos(t)
            colour = self.theme.backward if last.phase == "backward" else self.theme.forward
            self.cursor.setPen(style.pen(colour, self.theme.line_width))
            self.current_s = image[:, t].copy()
        else:
            self.current_s = np.zeros(H)
        self._draw_bars(H, t)

    def _title(self) -> str:
        """The cell's own activation: sₜ = tanh(zₜ) or sₜ = relu(zₜ)."""
        return f"Hidden state sₜ = {getattr(self.session.rnn.spec, 'activation_name', 'tanh')}(zₜ)"

    def _scale_for(self, st) -> None:
        """Levels fixed for this trace: the cell's bounds (tanh: -1..1), or for ReLU, which has no
        upper bound, the trace's largest s (style.state_levels); the title names the activation."""
        self._scaled_for = st
        self.levels, self.bar_range = style.state_levels(st.spec.state_bounds, st.states)
        self.colorbar.setLevels(self.levels)
        lo, hi = self.bar_range
        ends = [(v, style.tick_text(v)) for v in sorted({lo, 0.0, hi})]  # three labels never collide
        self.bar_plot.getAxis("bottom").setTicks([ends])
        self.bar_plot.setXRange(lo, hi, padding=0.05)
        style.set_title(self.heat_plot, self._title(), self.theme)
        self._columns = None

    def _draw_bars(self, H: int, t: int | None) -> None:
        s = self.current_s
        lo, hi = self.levels
        frac = (s - lo) / (hi - lo)  # where s sits on the colour map
        steps = np.clip(np.rint(frac * (BRUSH_STEPS - 1)), 0, BRUSH_STEPS - 1).astype(int)
        brushes = [self._brushes[i] for i in steps]  # the colour of s, to 1/BRUSH_STEPS of the range
        self.bars.setOpts(
            x0=np.minimum(s, 0),
            y=np.arange(H),
            width=np.abs(s),
            height=0.8,
            brushes=brushes,
            pen=pg.mkPen(None),
        )
        self.bar_plot.setYRange(-0.5, H - 0.5, padding=0)
        title = f"s_{t}" if t is not None else "sₜ (none yet)"
        style.set_title(self.bar_plot, title, self.theme)

    def _hover(self, pos) -> None:
        """Tooltip with the exact value under the mouse."""
        vb = self.heat_plot.vb
        if not self.heat_plot.sceneBoundingRect().contains(pos) or self.image.size == 0:
            return
        p = vb.mapSceneToView(pos)
        t, unit = int(round(p.x())), int(round(p.y()))
        H, T = self.image.shape
        if 0 <= t < T and 0 <= unit < H:
            v = self.image[unit, t]
            text = f"s_{t}[{unit}] = {v:+.6f}" if np.isfinite(v) else f"s_{t}[{unit}]: not computed yet"
            self.layout_widget.setToolTip(text)
