"""Hidden activations: a heatmap (units x time) filling in as the forward pass goes, and the current
step's column as bars. What it shows is chosen above it, from what the cell has: the hidden state s;
the LSTM's cell state c; each gate (f, i, g, q; u, r, h) or all of them stacked (gate x unit x time);
and in compare mode the same for the second cell. One diverging colour map on fixed symmetric
levels, so a colour means the same value at every step: s and the gates lie in [-1, 1]; c is
unbounded, so its levels are its largest |value| in the sequence, fixed before the first step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rnnviz.ui import style
from rnnviz.ui.column_image import ColumnImage
from rnnviz.ui.plot_area import ColourBar, PlotArea
from rnnviz.ui.value_bars import ValueBars

BRUSH_STEPS = 255  # bar colours: values across the levels in this many steps (finer than the eye can tell)
ALL_GATES = "gates"


def choices(tracks) -> list[tuple[str, int, str]]:
    """(label, track index, what) for each thing the cells on show can draw."""
    out = []
    for i, track in enumerate(tracks):
        cell = track.spec
        who = f"{track.name}: " if len(tracks) > 1 else ""
        out += [(f"{who}{cell.state_titles[s]} {s}", i, s) for s in cell.states]
        out += [(f"{who}{cell.gate_titles[g]} {g}", i, g) for g in cell.gates]
        if cell.gates:
            out.append((f"{who}all gates ({', '.join(cell.gates)}) × unit", i, ALL_GATES))
    return out


class HiddenView(QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session = session
        self.what: tuple[int, str] = (0, "s")  # (track index, quantity) on show
        self.chooser = QtWidgets.QComboBox(toolTip="What the heatmap shows: a state, a gate, or all gates")
        self.chooser.currentIndexChanged.connect(self._chosen)
        self.layout_widget = PlotArea()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.chooser)
        lay.addWidget(self.layout_widget)

        self.heat_plot = self.layout_widget.addPlot(row=0, col=0, enableMenu=False)
        self.heatmap = ColumnImage()
        self.heat_plot.addItem(self.heatmap)
        self.heat_plot.invertY(True)  # unit 0 at the top, like a matrix
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.heat_plot.addItem(self.cursor)
        self.colorbar = ColourBar(values=style.HIDDEN_LEVELS, interactive=False, width=14, label="s value")
        self.colorbar.setImageItem(self.heatmap, insert_in=self.heat_plot)

        self.bar_plot = self.layout_widget.addPlot(row=0, col=1, enableMenu=False)
        self.bars = ValueBars(height=0.8)
        self.bar_plot.addItem(self.bars)
        self.bar_plot.invertY(True)
        self.bar_plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#888888")))
        self.layout_widget.ci.layout.setColumnStretchFactor(0, 3)
        self.layout_widget.ci.layout.setColumnStretchFactor(1, 2)

        for plot, side in ((self.heat_plot, "bottom"), (self.heat_plot, "left"), (self.bar_plot, "left")):
            style.integer_ticks(plot.getAxis(side))  # time steps and hidden units are whole numbers
        self.image = np.empty((0, 0))
        self.levels, self.bar_range = style.HIDDEN_LEVELS, style.HIDDEN_LEVELS  # per trace and choice
        self._columns: tuple | None = None  # (stepper, what, forward steps drawn): skip unchanged images
        self._levels_for: tuple = (None, None, None)  # (stepper, what, their levels and bar range)
        self._brushes: list = []  # BRUSH_STEPS brushes spanning the colour map, made once per theme
        self._bar_rows: int | None = None  # the bar plot's range: as many rows as it last showed
        self.current_t: int | None = None
        self.current_s = np.empty(0)  # the current step's column of what is shown (s by default)
        self.layout_widget.scene().sigMouseMoved.connect(self._hover)
        self.apply_theme(theme)  # and draws the session's state
        session.sig_reset.connect(self.show_state)
        session.sig_stepped.connect(self.show_state)

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        cmap = style.colormap(theme.diverging)
        self._brushes = [pg.mkBrush(c) for c in cmap.map(np.linspace(0, 1, BRUSH_STEPS), mode="qcolor")]
        self._columns = None
        self.chooser.setFont(style.font(theme))
        style.style_plot(self.heat_plot, theme, "", "hidden unit", "time step t")
        style.style_plot(self.bar_plot, theme, "current sₜ", "", "value")
        self.colorbar.setColorMap(style.colormap(theme.diverging))
        style.style_colorbar(self.colorbar, "s value", theme)
        self.cursor.setPen(style.pen(theme.forward, theme.line_width))
        self._cursor_pen = (theme.forward, theme.line_width)
        for plot in (self.heat_plot, self.bar_plot):
            style.usable(plot, theme)
        self.layout_widget.updateGeometry()
        self.show_state()

    # --- what to show ----------------------------------------------------------------------------------

    def _tracks(self) -> list:
        return getattr(self.session, "tracks", None) or [self.session]

    def _follow_choices(self) -> None:
        """The chooser lists what the cells on show have; the choice stays while it still exists."""
        key = tuple(t.spec for t in self._tracks())
        if key == getattr(self, "_cells_listed", None):  # the same cells: nothing to redo (every step)
            return
        self._cells_listed = key
        items = choices(self._tracks())
        labels = [label for label, _, _ in items]
        if labels != [self.chooser.itemText(i) for i in range(self.chooser.count())]:
            keep = next((j for j, (_, i, w) in enumerate(items) if (i, w) == self.what), 0)
            with QtCore.QSignalBlocker(self.chooser):
                self.chooser.clear()
                for label, i, w in items:
                    self.chooser.addItem(label, (i, w))
                self.chooser.setCurrentIndex(keep)
            self.what = items[keep][1:]
            self._columns = None
        self.chooser.setVisible(len(items) > 1)

    def choose(self, index: int, what: str) -> None:
        """Show `what` ("s", "c", a gate letter or "gates") of cell `index`."""
        found = [j for j in range(self.chooser.count()) if tuple(self.chooser.itemData(j)) == (index, what)]
        if not found:
            raise ValueError(f"nothing to show as {what!r} for cell {index}")
        self.chooser.setCurrentIndex(found[0])

    def _chosen(self, j: int) -> None:
        if j >= 0:
            self.what = tuple(self.chooser.itemData(j))
            self._columns = None
            self.show_state()

    def _values(self, ev, what: str) -> np.ndarray:
        if what == "s":
            return ev.s
        if what == "c":
            return ev.c
        if what == ALL_GATES:
            return np.concatenate([ev.gates[g] for g in ev.gates])
        return ev.gates[what]

    def _names(self, track, what: str) -> tuple[str, str]:
        """(heatmap title, colour bar label) of what is shown."""
        cell = track.spec
        who = f"{track.name}: " if len(self._tracks()) > 1 else ""
        if what == "s" and not cell.gates:
            return f"{who}Hidden state sₜ = {getattr(cell, 'activation_name', 'tanh')}(zₜ)", "s value"
        if what in cell.states:
            return f"{who}{cell.state_titles[what].capitalize()} {what}ₜ", f"{what} value"
        if what == ALL_GATES:
            return f"{who}Gates {', '.join(cell.gates)} (blocks of units)", "gate value"
        return f"{who}{cell.gate_titles[what].capitalize()} {what}ₜ", f"{what} value"

    # --- drawing ------------------------------------------------------------------------------------------

    def show_state(self, *_):
        """Redraw from the session: the columns computed so far, NaN (transparent) for the rest."""
        self._follow_choices()
        index, what = self.what
        track = self._tracks()[index]
        st = track.stepper
        H, T = track.rnn.hidden_size, st.T
        rows = H * len(track.spec.gates) if what == ALL_GATES else H
        forward = st.forward_steps()
        if self._columns != (st, self.what, len(forward)):  # the backward pass adds no column
            same_trace = self._columns is not None and self._columns[:2] == (st, self.what)
            one_more = same_trace and self._columns[2] + 1 == len(forward)
            if one_more:  # one step on: its column only
                image = self.image
                image[:, len(forward) - 1] = self._values(forward[-1], what)
            else:
                image = np.full((rows, T), np.nan)  # (rows, T) rows = units, columns = time
                if forward:
                    image[:, : len(forward)] = np.array([self._values(ev, what) for ev in forward]).T
            self._columns = (st, self.what, len(forward))
            self.image = image
            self.levels, self.bar_range = self._levels(track, what)  # fixed for the whole trace
            if one_more:  # that column alone rendered into the image on show
                self.heatmap.set_column(image, len(forward) - 1, self.levels)
            else:
                self.heatmap.setImage(image, autoLevels=False, levels=self.levels)
            if not same_trace:  # the frame: the same for every column of a trace and choice
                self._frame(track, what, rows, T, H)
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
            if self._cursor_pen != (colour, self.theme.line_width):  # a new pen only with the phase
                self._cursor_pen = (colour, self.theme.line_width)
                self.cursor.setPen(style.pen(colour, self.theme.line_width))
            self.current_s = image[:, t].copy()
        else:
            self.current_s = np.zeros(rows)
        self._draw_bars(rows, t, what)

    def _frame(self, track, what: str, rows: int, T: int, H: int) -> None:
        """The image's place, colour bar, titles, ranges and ticks: set once per trace and choice (they
        cost more than the new column, and re-laying out the axes at every step showed nothing new)."""
        self.heatmap.setRect(-0.5, -0.5, T, rows)
        self.colorbar.setLevels(self.levels)
        title, label = self._names(track, what)
        style.set_title(self.heat_plot, title, self.theme)
        style.style_colorbar(self.colorbar, label, self.theme)
        self.heat_plot.setLimits(xMin=-1, xMax=T, yMin=-1, yMax=rows)
        self.heat_plot.setRange(xRange=(-0.5, T - 0.5), yRange=(-0.5, rows - 0.5), padding=0)
        self._gate_ticks(track, what, H)
        lo, hi = self.bar_range
        ends = [(v, style.tick_text(v)) for v in sorted({lo, 0.0, hi})]  # three labels never collide
        self.bar_plot.getAxis("bottom").setTicks([ends])
        self.bar_plot.setXRange(lo, hi, padding=0.05)

    def _levels(self, track, what: str) -> tuple[tuple[float, float], tuple[float, float]]:
        """(colour levels, bar range), symmetric about 0 so white is 0, fixed for the whole trace so a
        colour is one value at every step: s within the cell's bounds (tanh: -1..1; ReLU, unbounded:
        the trace's largest s, style.state_levels), c up to its largest |c|, gates within -1..1.
        Found once per trace and choice (the largest s or c is O(T H): not at every step)."""
        st = track.stepper
        if self._levels_for[:2] != (st, what):
            if what == "s":
                bounds = track.spec.state_bounds
                states = st.states if not np.all(np.isfinite(bounds)) else np.zeros(0)
                levels = style.state_levels(bounds, states)
            else:
                bound = 1.0 if what != "c" else max(1.0, float(np.ceil(st.largest("c") * 10) / 10))
                levels = (-bound, bound), (-bound, bound)
            self._levels_for = (st, what, levels)
        return self._levels_for[2]

    def _gate_ticks(self, track, what: str, H: int) -> None:
        """All gates stacked: the left axis names each block of H rows by its gate."""
        axis = self.heat_plot.getAxis("left")
        if what == ALL_GATES:
            gates = track.spec.gates
            axis.setTicks([[(j * H + (H - 1) / 2, g) for j, g in enumerate(gates)]])
            axis.setLabel("gate (blocks of units)")
            style.label_axis(axis, "gate (blocks of units)", self.theme)
        else:
            axis.setTicks(None)
            style.label_axis(axis, "hidden unit", self.theme)

    def _draw_bars(self, rows: int, t: int | None, what: str) -> None:
        s, (lo, hi) = self.current_s, self.levels
        steps = np.clip(np.rint((s - lo) / (hi - lo) * (BRUSH_STEPS - 1)), 0, BRUSH_STEPS - 1).astype(int)
        brushes = [self._brushes[i] for i in steps.tolist()]  # the value's colour, to 1/BRUSH_STEPS
        self.bars.set_bars(s, brushes)
        if self._bar_rows != rows:  # the same rows at every step of a trace
            self._bar_rows = rows
            self.bar_plot.setYRange(-0.5, rows - 0.5, padding=0)
        name = "s" if what == "s" else ("gates" if what == ALL_GATES else what)
        title = f"{name}_{t}" if t is not None else f"{name}ₜ (none yet)"
        style.set_title(self.bar_plot, title, self.theme)

    def _hover(self, pos) -> None:
        """Tooltip with the exact value under the mouse."""
        vb = self.heat_plot.vb
        if not self.heat_plot.sceneBoundingRect().contains(pos) or self.image.size == 0:
            return
        p = vb.mapSceneToView(pos)
        t, row = int(round(p.x())), int(round(p.y()))
        rows, T = self.image.shape
        if 0 <= t < T and 0 <= row < rows:
            v = self.image[row, t]
            index, what = self.what
            if what == ALL_GATES:
                cell = self._tracks()[index].spec
                H = rows // len(cell.gates)
                name, unit = cell.gates[row // H], row % H
            else:
                name, unit = what, row
            where = f"{name}_{t}[{unit}]"
            text = f"{where} = {v:+.6f}" if np.isfinite(v) else f"{where}: not computed yet"
            self.layout_widget.setToolTip(text)
