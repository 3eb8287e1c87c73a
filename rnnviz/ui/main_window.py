"""MainWindow: composes the views, docks, menus and toolbar. No logic of its own."""

from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets
from PySide6.QtCore import QSettings, QSignalBlocker, Qt

from rnnviz.ui import style
from rnnviz.ui.actions import ACTIONS, build_actions
from rnnviz.ui.file_actions import FileActions
from rnnviz.ui.widgets.controls import ControlPanel
from rnnviz.ui.widgets.equations_view import EquationsView
from rnnviz.ui.widgets.gradcheck_view import GradcheckView
from rnnviz.ui.widgets.gradient_view import GradientView
from rnnviz.ui.widgets.graph_view import GraphView
from rnnviz.ui.widgets.hidden_view import HiddenView
from rnnviz.ui.widgets.lesson_panel import LessonPanel
from rnnviz.ui.widgets.loss_view import LossView

BUSY_WHILE_TRAINING = (
    "undo",
    "step",
    "back",
    "play",
    "reset",
    "new_sequence",
    "train",
    "new_model",
    "open",
    "save",
    "gradcheck",
    "export_gif",
)
PRESENTER_TOOLBAR = ("back", "step", "play")
STATE_VERSION = 2  # bump when the dock layout changes, so an old saved layout is not applied


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, session, theme: style.Theme = style.NORMAL, restore: bool = True):
        super().__init__()
        self.session = session
        self.theme = theme
        self.setWindowTitle("rnnviz — step inside a recurrent network")
        self.graph_view = GraphView(session, theme)
        self.hidden_view = HiddenView(session, theme)
        self.loss_view = LossView(session, theme)
        self.gradient_view = GradientView(session, theme)
        self.views = {
            "graph": self.graph_view,
            "hidden": self.hidden_view,
            "loss": self.loss_view,
            "gradients": self.gradient_view,
        }

        bottom = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        for w in (self.hidden_view, self.loss_view, self.gradient_view):
            bottom.addWidget(w)
        bottom.setSizes([420, 380, 760])
        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.graph_view)
        self.splitter.addWidget(bottom)
        self.splitter.setSizes([340, 520])
        self.setCentralWidget(self.splitter)

        self.controls = ControlPanel(session)
        self.lesson_panel = LessonPanel(session, theme)
        self.equations_view = EquationsView(session, theme)
        self.gradcheck_view = GradcheckView(session, theme)
        self.panels = {
            "lesson": self.lesson_panel,
            "equations": self.equations_view,
            "gradcheck": self.gradcheck_view,
        }
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        self.controls_dock = self._dock("Controls", _scrolled(self.controls), left)
        self.equations_dock = self._dock("Equations", self.equations_view, left)
        self.gradcheck_dock = self._dock("Gradient check", self.gradcheck_view, left)
        self.tabifyDockWidget(self.controls_dock, self.equations_dock)
        self.tabifyDockWidget(self.equations_dock, self.gradcheck_dock)
        self.controls_dock.raise_()
        self.lesson_panel.sig_show_panel.connect(self.show_panel)
        # the lesson's caption runs across the top, where the whole class reads it
        self.lesson_dock = self._dock("Lesson", self.lesson_panel, Qt.DockWidgetArea.TopDockWidgetArea)
        self.resizeDocks([self.lesson_dock], [120], Qt.Orientation.Vertical)
        self.resizeDocks([self.controls_dock], [360], Qt.Orientation.Horizontal)

        self.files = FileActions(self, session)
        self._discard_training = False  # set once the user has answered "close anyway"
        self.actions = build_actions(
            self,
            {
                "step": session.step,
                "back": session.back,
                "play": session.toggle_play,
                "reset": session.reset,
                "new_sequence": session.new_sequence,
                "train": self.controls.start_training,
                "stop": session.request_stop,  # never blocks: the run ends after its iteration
                "new_model": session.new_model,
                "undo": session.undo,
                "open": self.files.open_dialog,
                "save": self.files.save_dialog,
                "export_png": lambda: self.files.export_view_dialog("png"),
                "export_svg": lambda: self.files.export_view_dialog("svg"),
                "export_csv": self.files.export_csv_dialog,
                "export_gif": self.files.export_gif_dialog,
                "screenshot": self.files.screenshot_dialog,
                "quit": self.close,
                "gradcheck": self.run_gradcheck,
                "presenter": self.toggle_presenter,
            },
        )
        self._build_menus_and_toolbar()
        self.controls.open_button.clicked.connect(self.files.open_dialog)

        self.phase_label = QtWidgets.QLabel()
        self.statusBar().addPermanentWidget(self.phase_label)
        session.sig_reset.connect(self.show_status)
        session.sig_stepped.connect(self.show_status)
        session.sig_message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        session.sig_playing_changed.connect(self.actions["play"].setChecked)
        session.sig_training_changed.connect(self._training_changed)
        self._training_changed(False)
        self._keep_arrow_keys_for_stepping()
        self.show_status()
        self.resize(1920, 1080)
        if restore:
            self._restore_geometry()

    def _dock(self, title: str, widget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(title.lower().replace(" ", "_"))
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_menus_and_toolbar(self) -> None:
        menus = {}
        self.toolbar = self.addToolBar("Steps")
        self.toolbar.setObjectName("steps")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for spec in ACTIONS:
            if spec.menu not in menus:
                menus[spec.menu] = self.menuBar().addMenu(spec.menu)
            menus[spec.menu].addAction(self.actions[spec.id])
            if spec.toolbar:
                self.toolbar.addAction(self.actions[spec.id])
        self.addActions(list(self.actions.values()))  # shortcuts work even with the menu bar hidden
        for dock in (self.controls_dock, self.lesson_dock, self.equations_dock, self.gradcheck_dock):
            menus["View"].addAction(dock.toggleViewAction())

    def _keep_arrow_keys_for_stepping(self) -> None:
        """Start with the focus on the graph, and give it back after Enter in a number field, so
        ←, → and Space step instead of editing a spin box (which would keep those keys)."""
        self.graph_view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.graph_view.setFocus()
        for box in self.controls.findChildren(QtWidgets.QAbstractSpinBox):
            box.lineEdit().returnPressed.connect(self.graph_view.setFocus)
        # buttons, lists and sliders are used with the mouse here: if they took the focus, Space
        # would press the last button clicked and the arrows would move a list, not the steps
        clickable = (QtWidgets.QAbstractButton, QtWidgets.QComboBox, QtWidgets.QSlider)
        for panel in (self.controls, self.lesson_panel, self.gradcheck_view):
            for kind in clickable:
                for w in panel.findChildren(kind):
                    w.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    # --- status --------------------------------------------------------------------------------

    def status_text(self) -> str:
        """One line: the phase, the timestep and its numbers, named for the loss the trace follows."""
        st = self.session.stepper
        last = st.last
        if last is None:
            return f"ready — press → to start the forward pass (T = {st.T})"
        full = st.mode == "full"
        loss = "L" if full else f"E{_sub(st.target)}"
        if last.phase == "forward":
            text = f"forward   t = {last.t} of {st.T - 1}   E{_sub(last.t)} = {last.E:.4f}"
        elif last.phase == "backward":
            t = last.t
            text = (
                f"backward  t = {t}   |δ{_sub(t)}| = |∂{loss}/∂z{_sub(t)}| = {np.linalg.norm(last.delta):.3g}"
                f"   |∂{loss}/∂W| so far = {np.linalg.norm(last.dW):.3g}"
            )
        else:
            before, after = self.session.update_losses(last)
            text = f"update applied (W ← W − η ∂{loss}/∂W): L = {before:.4f} → {after:.4f} on this sequence"
        if st.truncate is not None and last.phase == "backward":
            text += f"   (truncated BPTT, K = {st.truncate})"
        if st.done and last.phase == "backward":
            if full:
                text += f"   — done: L = {self.session.step_losses.mean():.4f}"
            else:
                E = self.session.step_losses[st.target]
                text += f"   — done: ∂{loss}/∂W complete, {loss} = {E:.4f}"
        return text

    def show_status(self, *_) -> None:
        self.phase_label.setText(self.status_text())

    def _training_changed(self, training: bool) -> None:
        for name in BUSY_WHILE_TRAINING:
            self.actions[name].setEnabled(not training)
        self.actions["stop"].setEnabled(training)

    # --- teaching tools -------------------------------------------------------------------------

    def show_panel(self, name: str) -> None:
        """Bring a docked panel into view (a lesson caption refers to it), even in presenter mode."""
        dock = {
            "equations": self.equations_dock,
            "gradcheck": self.gradcheck_dock,
            "controls": self.controls_dock,
        }
        dock[name].show()
        dock[name].raise_()

    def run_gradcheck(self) -> None:
        """Show the check's panel and start it (it runs in slices; see GradcheckView)."""
        self.gradcheck_dock.show()
        self.gradcheck_dock.raise_()
        self.gradcheck_view.run()

    @property
    def presenting(self) -> bool:
        return self.theme is style.PRESENTER

    def toggle_presenter(self) -> None:
        self.set_presenter(not self.presenting)

    def set_presenter(self, on: bool) -> None:
        """Large fonts and a high-contrast palette; only step/back/play stay in reach."""
        self.theme = style.PRESENTER if on else style.NORMAL
        for w in list(self.views.values()) + list(self.panels.values()):
            w.apply_theme(self.theme)
        f = self.font()
        f.setPointSizeF(self.theme.font_pt)
        self.toolbar.setFont(f)
        self.phase_label.setFont(f)
        for spec in ACTIONS:
            if spec.toolbar:
                self.actions[spec.id].setVisible(not on or spec.id in PRESENTER_TOOLBAR)
        for dock in (self.controls_dock, self.equations_dock, self.gradcheck_dock):
            dock.setVisible(not on)  # the room sees the four views and the caption, nothing else
        self.menuBar().setVisible(not on)
        self.resizeDocks([self.lesson_dock], [210 if on else 120], Qt.Orientation.Vertical)
        with QSignalBlocker(self.actions["presenter"]):
            self.actions["presenter"].setChecked(on)
        self.showFullScreen() if on else self.showNormal()

    # --- geometry ------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        s = QSettings("rnnviz", "rnnviz")
        if s.value("geometry") is not None:
            self.restoreGeometry(s.value("geometry"))
            self.restoreState(s.value("state"), STATE_VERSION)  # ignored if saved by another layout

    def closeEvent(self, event) -> None:
        """Closing first ends every long operation; training no file holds is not lost unasked."""
        if self.files.exporting:  # its frame loop is below us on the stack: stop it, close after
            self.files.cancel_export(then=self.close)
            event.ignore()
            return
        self.session.stop_training()
        self.gradcheck_view.cancel()
        if self.session.unsaved_training and not self._discard_training:
            event.ignore()
            self.files.ask_to_save_training(then=self._close_anyway)
            return
        self.session.shutdown()  # pause, and end the worker thread
        if not self.presenting:
            s = QSettings("rnnviz", "rnnviz")
            s.setValue("geometry", self.saveGeometry())
            s.setValue("state", self.saveState(STATE_VERSION))
        super().closeEvent(event)

    def _close_anyway(self) -> None:
        """Close although training is unsaved (the user saved it or chose to discard it)."""
        self._discard_training = True
        self.close()


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _scrolled(widget) -> QtWidgets.QScrollArea:
    scroll = QtWidgets.QScrollArea(widgetResizable=True)
    scroll.setWidget(widget)
    scroll.setMinimumWidth(widget.sizeHint().width() + 24)
    return scroll
