"""The hidden-state space: the current sequence's states s_0, s_1, ... as a path in 2-D.

The plane is the raw (s[0], s[1]) when H = 2, otherwise a PCA projection fitted on the states of many
training sequences (rnnviz.core.projection; drawn faintly behind the path). The projection is fitted
in a worker when the model changes and again after training (aligned to the last fit, so the picture
does not mirror), and it never changes while stepping: a point keeps its place. Points are coloured
by the task's state labels (e.g. the grammar's node, the parity so far; a task without labels gets
one neutral colour), and the current step is ringed and followed as the Stepper moves.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from rnnviz.ui import style
from rnnviz.ui.graph_text import sub
from rnnviz.ui.lab_jobs import StateCloud, fit_states, label_states
from rnnviz.ui.lab_layout import DOT, LabLayout, key_html, wrapped_label
from rnnviz.ui.lab_worker import LatestJob
from rnnviz.ui.plot_area import FittedNote, PlotArea

HOVER_PX = 10  # a point of the path is hovered within this many pixels
PAD = 0.08  # room around the states, as a share of their extent


class StateSpaceView(LabLayout, QtWidgets.QWidget):
    def __init__(self, session, worker, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session, self.theme = session, theme
        self.cloud: StateCloud | None = None  # the fitted projection and its states
        self.points = np.empty((0, 2))  # the current sequence's states so far, projected
        self.labels: np.ndarray | None = None  # their task labels (None: the task has none)
        self.current_t: int | None = None
        self._range = None  # the plot's range as last set
        self._fitted_for = None  # (model, kind) the cloud belongs to
        self._wanted: bool | None = None  # a fit asked for while hidden (align or not): done when shown
        self._job = LatestJob(worker, self._fitted, "state-space fit")

        self.kind = QtWidgets.QComboBox(toolTip="What the colours say about each state (from the task)")
        self.kind.currentIndexChanged.connect(lambda _: self.refit(align=True))
        self.kind_label = QtWidgets.QLabel("colour by")
        self.top = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.top)
        row.setContentsMargins(4, 2, 4, 0)
        row.addWidget(self.kind_label)
        row.addWidget(self.kind)
        row.addStretch(1)
        self.layout_widget = PlotArea()
        self.plot = self.layout_widget.addPlot(row=0, col=0, enableMenu=False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)  # fixed while stepping: nothing moves under the eye
        self.plot.setAspectLocked(True)  # one unit is as long across as up: distances are true
        self.cloud_dots = pg.ScatterPlotItem(pen=None)
        self.path = pg.PlotDataItem()
        self.path_dots = pg.ScatterPlotItem()
        self.ring = pg.ScatterPlotItem(symbol="o", brush=None)
        for item in (self.cloud_dots, self.path, self.path_dots, self.ring):
            self.plot.addItem(item)
        self.note = FittedNote("fitting the projection…", self.plot.vb)
        self.plot.addItem(self.note)
        self.key = wrapped_label()  # each state label's colour
        self._set_parts(self.layout_widget, (self.top,), (self.key,))

        self.layout_widget.scene().sigMouseMoved.connect(self._hover)
        session.sig_reset.connect(self.show_state)
        session.sig_stepped.connect(self.show_path)
        session.sig_training_changed.connect(self._training_changed)
        self.apply_theme(theme)

    # --- the projection: fitted in the worker, on the model's states ---------------------------------

    @property
    def computing(self) -> bool:
        return self._job.busy

    def _kinds(self) -> tuple[str, ...]:
        return tuple(getattr(self.session.source, "state_kinds", ()))

    def show_state(self, *_) -> None:
        """A new trace: refit if the model or the task changed (not for a new sequence), then draw."""
        kinds = self._kinds()
        if tuple(self.kind.itemData(i) for i in range(self.kind.count())) != kinds:
            self.kind.blockSignals(True)
            self.kind.clear()
            for k in kinds:
                self.kind.addItem(k, k)
            self.kind.blockSignals(False)
        self.kind.setEnabled(len(kinds) > 1)
        if self._fitted_for is None or self._fitted_for[0] is not self.session.rnn:
            self.refit(align=False)  # a new model (or task): a fit of its own
        self.show_path()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._wanted is not None:
            self.refit(self._wanted)
        self.show_path()  # steps taken while hidden drew nothing

    def _training_changed(self, training: bool) -> None:
        if not training:  # trained: the states moved; fit again, keeping the old fit's signs
            self.refit(align=True)

    def refit(self, align: bool) -> None:
        s = self.session
        if s.training:
            return  # the model is changing; fitted once training ends
        if not self.isVisible():  # no work for a view nobody sees: fitted when it is shown
            self._wanted = align if self._wanted is None else self._wanted and align
            if not align:
                self.cloud = None  # the old fit belongs to another model
                self._fitted_for = None
            return
        self._wanted = None
        kind = self.kind.currentData()
        self._fitted_for = (s.rnn, kind)
        if not align:  # another model: its states live elsewhere; nothing of the old fit is drawn
            self.cloud = None
            self._draw_cloud()
        before = self.cloud.projection if align and self.cloud is not None else None
        model = s.rnn.copy()  # a snapshot: the job never reads parameters that change
        self.note.setText("fitting the projection…")
        self.note.setVisible(True)
        self._job.submit(fit_states, model, s.source, s.settings.seed, kind, s.settings.seq_len, before)

    def _fitted(self, job) -> None:
        if job.error is not None:
            self.cloud = None
            self.note.setText(f"no projection: {job.error}")
            self.note.setVisible(True)
            self.show_path()
            return
        self.cloud = job.result
        self.note.setVisible(False)
        self._range = None
        self._draw_cloud()
        self._show_key()
        self.show_path()

    def _draw_cloud(self) -> None:
        c = self.cloud
        if c is None:
            self.cloud_dots.setData([], [])
            return
        labels = self._each(c.labels, len(c.points))
        brushes = [pg.mkBrush(style.faded(self._colour(lab), style.CLOUD_ALPHA)) for lab in labels]
        self.cloud_dots.setData(pos=c.points, brush=brushes, size=4 + self.theme.line_width)
        xl, yl = c.projection.axis_labels()
        style.label_axis(self.plot.getAxis("bottom"), xl, self.theme)
        style.label_axis(self.plot.getAxis("left"), yl or "(H = 1: one axis)", self.theme)

    # --- the current sequence ---------------------------------------------------------------------------

    def show_path(self, *_) -> None:
        """The states computed so far, projected with the fixed projection; the current one ringed."""
        if not self.isVisible():  # no work for a view nobody sees (a step costs it ~0.4 ms): drawn on show
            return
        st = self.session.stepper
        forward = st.forward_steps()
        last = st.last
        t = last.t if last is not None and last.phase in ("forward", "backward") else None
        self.current_t = t
        H = self.session.rnn.hidden_size
        if self.cloud is None or not forward or self.cloud.projection.hidden_size != H:
            self.points = np.empty((0, 2))
            for item in (self.path, self.path_dots, self.ring):
                item.setData([], [])
            self._title()
            return
        S = np.array([ev.s for ev in forward])  # (n, H)
        self.points = self.cloud.projection.project(S)  # (n, 2)
        labels, _ = label_states(self.session.source, self.session.x, self.kind.currentData())
        self.labels = None if labels is None else labels[: len(forward)]
        colours = [self._colour(lab) for lab in self._each(self.labels, len(forward))]
        self.path.setData(self.points[:, 0], self.points[:, 1])
        self.path_dots.setData(pos=self.points, brush=[pg.mkBrush(c) for c in colours])
        if t is not None:
            colour = self.theme.backward if last.phase == "backward" else self.theme.forward
            self.ring.setData(pos=self.points[t : t + 1], pen=style.pen(colour, self.theme.line_width))
        else:
            self.ring.setData([], [])
        self._frame(t)
        self._title()

    def _frame(self, t: int | None) -> None:
        """The cloud's extent (fixed), widened only if the current point would fall outside it."""
        pts = self.cloud.points if t is None else np.vstack([self.cloud.points, self.points[t : t + 1]])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        span = np.maximum(hi - lo, 1e-6)
        lo, hi = lo - PAD * span, hi + PAD * span
        key = (tuple(np.round(lo, 9)), tuple(np.round(hi, 9)))
        if self._range != key:
            self._range = key
            self.plot.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0)

    def _title(self) -> None:
        c = self.cloud
        if c is None:
            what = "Hidden-state space"
        elif c.projection.raw:
            what = f"Hidden-state space · the raw plane (H = {c.projection.hidden_size})"
        else:
            what = f"Hidden-state space · PCA of {len(c.states):,} states from {c.n_sequences} sequences"
        step = "" if self.current_t is None else f" · t = {self.current_t}"
        style.set_title(self.plot, what + step, self.theme)

    # --- colours and legend --------------------------------------------------------------------------

    @staticmethod
    def _each(labels, n: int) -> list:
        """One label per point: the task's, or None for each of n points if it has none."""
        return [None] * n if labels is None else list(labels)

    @staticmethod
    def _colour(label) -> str:
        return style.state_colour(None if label is None else int(label))

    def key_entries(self) -> list[tuple[int | None, str]]:
        """(label, name) of each colour on the plot: the task's labels met in the fitted states."""
        c = self.cloud
        if c is None:
            return []
        if c.labels is None:
            return [(None, "hidden state (this task has no state labels)")]
        return [(int(i), c.names[int(i)]) for i in np.unique(c.labels)]

    def _show_key(self) -> None:
        entries = [(DOT, self._colour(label), name) for label, name in self.key_entries()]
        self.key.setText(key_html(entries, self.theme) if entries else "")
        self._fit_texts()

    # --- hover ------------------------------------------------------------------------------------------

    def hover_text(self, t: int) -> str:
        """Exact numbers of the path's point t."""
        s = self.session
        ev = s.stepper.forward_steps()[t]
        x, y = self.points[t]
        xl, yl = self.cloud.projection.axis_labels()
        text = f"t = {t}: input x{sub(t)} = {s.vocab.label(ev.x)!r}"
        if self.labels is not None:
            text += f", then: {self.cloud.names[int(self.labels[t])]}" if self.cloud.names else ""
        text += f"\n{xl.split(' (')[0]} = {x:+.6f}"
        if yl:
            text += f", {yl.split(' (')[0]} = {y:+.6f}"
        return text + f"\n|s{sub(t)}| = {np.linalg.norm(ev.s):.6f}"

    def _hover(self, scene_pos) -> None:
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos) or not len(self.points):
            return
        p = vb.mapSceneToView(scene_pos)
        px = vb.viewPixelSize()
        d = np.hypot((self.points[:, 0] - p.x()) / px[0], (self.points[:, 1] - p.y()) / px[1])
        t = int(np.argmin(d))
        if d[t] <= HOVER_PX:
            self.layout_widget.setToolTip(self.hover_text(t))

    # --- theme ------------------------------------------------------------------------------------------

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = th = theme
        self.layout_widget.setBackground(th.background)
        xl, yl = self.cloud.projection.axis_labels() if self.cloud is not None else ("", "")
        style.style_plot(self.plot, th, "Hidden-state space", left=yl, bottom=xl)
        self.path.setPen(style.pen(th.muted, max(1.0, th.line_width / 2)))
        self.path_dots.setPen(style.pen(th.foreground, 1))
        self.path_dots.setSize(6 + 2 * th.line_width)
        self.ring.setSize(14 + 4 * th.line_width)
        self.note.setColor(th.muted)
        self.note.set_base_font(style.font(th))
        for w in (self.kind_label, self.kind, self.key):
            w.setFont(style.font(th))
        style.usable(self.plot, th)
        self.arrangement = None  # the column's width follows the type
        self._show_key()
        self._relayout()
        self._draw_cloud()
        self.show_state()
        self.updateGeometry()
