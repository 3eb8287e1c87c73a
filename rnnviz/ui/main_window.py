"""MainWindow: composes the views, docks, menus and toolbar. No logic of its own."""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QSignalBlocker, Qt

from rnnviz.ui import style
from rnnviz.ui.actions import ACTIONS, HOLD, HOLD_DELAY_MS, HOLD_INTERVAL_MS, build_actions
from rnnviz.ui.deck_views import DeckViews
from rnnviz.ui.file_actions import FileActions
from rnnviz.ui.fit_text import ElidedLabel
from rnnviz.ui.key_hold import KeyHold
from rnnviz.ui.lab_views import ALL_TITLES, LabViews
from rnnviz.ui.on_demand import OnDemand
from rnnviz.ui.presenter import PresenterMode
from rnnviz.ui.status_line import status_line
from rnnviz.ui.steady_splitter import SteadySplitter
from rnnviz.ui.view_choice import ViewChoice
from rnnviz.ui.view_deck import ViewDeck
from rnnviz.ui.widgets.controls import ControlPanel
from rnnviz.ui.widgets.equations_view import EquationsView
from rnnviz.ui.widgets.gradcheck_view import GradcheckView
from rnnviz.ui.widgets.graph_view import GraphView
from rnnviz.ui.widgets.hidden_view import HiddenView
from rnnviz.ui.widgets.lesson_panel import LessonPanel
from rnnviz.ui.window_geometry import GRAPH_SHARE, STATE_VERSION, WindowGeometry

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


class MainWindow(DeckViews, LabViews, PresenterMode, WindowGeometry, QtWidgets.QMainWindow):
    def __init__(self, session, theme: style.Theme = style.NORMAL, restore: bool = True):
        super().__init__()
        self.session = session
        self.theme = theme
        self.setWindowTitle("rnnviz — step inside a recurrent network")
        self.graph_view = GraphView(session, theme)
        self.compare_graph = GraphView(session.side(1), theme)  # compare mode: the second cell
        self.hidden_view = HiddenView(session, theme)
        self.views = OnDemand(
            {"graph": self.graph_view, "hidden": self.hidden_view},  # and "compared graph" in compare mode
            # the loss and gradient views when first on screen (deck_views.py), the lab's when first opened
            {**self._deck_makers(), **self._lab_makers(session)},
        )
        self.view_choice = ViewChoice()
        # below the graph: side by side while each view keeps a usable size, else in tabs
        self.deck = ViewDeck(self.views, ALL_TITLES, self.normal_views(), least=self._least_widths())
        self.splitter = SteadySplitter(Qt.Orientation.Vertical)  # a view's new text: no window layout
        self.splitter.setChildrenCollapsible(False)
        self.graphs = QtWidgets.QSplitter(Qt.Orientation.Horizontal)  # compare mode: the cells side by side
        self.graphs.setChildrenCollapsible(False)
        self.graphs.addWidget(self.graph_view)
        self.graphs.addWidget(self.compare_graph)
        self.splitter.addWidget(self.graphs)
        self.splitter.addWidget(self.deck)
        for i, share in enumerate(GRAPH_SHARE):
            self.splitter.setStretchFactor(i, share)
        self.setCentralWidget(self.splitter)

        self.controls = ControlPanel(session)
        self.lesson_panel = LessonPanel(session, theme)
        self.equations_view = EquationsView(session, theme, on_screen=False)  # drawn when its dock shows
        self.gradcheck_view = GradcheckView(session, theme)
        self.panels = {
            "lesson": self.lesson_panel,
            "equations": self.equations_view,
            "gradcheck": self.gradcheck_view,
        }
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        self.controls_dock = self._dock("Controls", _scrolled(self.controls), left)
        self.equations_dock = self._dock("Equations", self.equations_view, left)
        self.equations_dock.visibilityChanged.connect(self.equations_view.set_on_screen)
        self.gradcheck_dock = self._dock("Gradient check", self.gradcheck_view, left)
        self.tabifyDockWidget(self.controls_dock, self.equations_dock)
        self.tabifyDockWidget(self.equations_dock, self.gradcheck_dock)
        self.controls_dock.raise_()
        self.lesson_panel.sig_show_panel.connect(self.show_panel)
        self.lesson_panel.sig_views.connect(self.show_lesson_views)
        self.lesson_panel.sig_lesson_changed.connect(self._lesson_changed)
        # the lesson's caption runs across the top, where the whole class reads it
        self.lesson_dock = self._dock("Lesson", self.lesson_panel, Qt.DockWidgetArea.TopDockWidgetArea)
        self.lesson_dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.lesson_dock.setTitleBarWidget(QtWidgets.QWidget())  # the caption alone: no title row

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
                "stop": session.request_stop,  # never blocks: the iteration under way gives up
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
                "view_hidden": lambda: self.choose_view("hidden"),
                "view_loss": lambda: self.choose_view("loss"),
                "view_gradients": lambda: self.choose_view("gradients"),
                "view_states": lambda: self.choose_view("states"),
                "view_cliff": lambda: self.choose_view("cliff"),
                "view_gradnorm": lambda: self.choose_view("gradnorm"),
                "run_experiment": self.open_experiment_card,
                "view_auto": self.automatic_views,
                "compare": self.toggle_compare,
                "reset_layout": self.reset_layout,
            },
        )
        self.key_hold = KeyHold(self, [self.actions[a] for a in HOLD], HOLD_DELAY_MS, HOLD_INTERVAL_MS)
        self._build_menus_and_toolbar()
        self.controls.open_button.clicked.connect(self.files.open_dialog)

        self.phase_label = ElidedLabel(steady=True)  # changes at every step: keeps its width
        self.statusBar().addPermanentWidget(self.phase_label)
        session.sig_reset.connect(self.phase_label.let_shrink)  # a new trace: its own width
        session.sig_reset.connect(self.show_status)
        session.sig_stepped.connect(self.show_status)
        session.sig_reset.connect(self._follow_phase)
        session.sig_stepped.connect(self._follow_phase)
        session.sig_reset.connect(self._follow_compare)
        session.sig_reset.connect(self._ask_for_gradient_numbers)
        self._ask_for_gradient_numbers()
        self._follow_compare()
        session.sig_message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        session.sig_playing_changed.connect(self.actions["play"].setChecked)
        session.sig_training_changed.connect(self._before_training)
        session.sig_training_changed.connect(self._training_changed)
        self._training_changed(False)
        self._keep_arrow_keys_for_stepping()
        self.show_status()
        self._was_maximized = False
        self._strip_shown = True
        self._panel_width = 0
        self._default_state = self.saveState(STATE_VERSION)  # for View > Reset layout
        self.fit_to_screen(first=True)
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
        self.toolbar.addSeparator()
        # the lesson's choice and buttons share the toolbar's row: a row of height saved for the views
        self.lesson_row = self.toolbar.addWidget(self.lesson_panel.controls_row)
        self.addActions(list(self.actions.values()))  # shortcuts work even with the menu bar hidden
        view = menus["View"]
        view.insertSeparator(self.actions["view_hidden"])
        view.insertSeparator(self.actions["reset_layout"])
        for dock in (self.controls_dock, self.lesson_dock, self.equations_dock, self.gradcheck_dock):
            view.insertAction(self.actions["reset_layout"], dock.toggleViewAction())

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

    # --- compare mode: a second cell beside the first -------------------------------------------

    def toggle_compare(self) -> None:
        """View > Compare cells: trace and train a second cell beside this one, or stop comparing."""
        s = self.session.settings
        if s.compare:
            self.session.update_settings(compare="")
        else:
            self.session.update_settings(compare="lstm" if s.cell != "lstm" else "rnn")
        self._follow_compare()

    def _follow_compare(self, *_) -> None:
        on = self.session.comparing
        if on != self.compare_graph.isVisibleTo(self):
            self.compare_graph.setVisible(on)
            if on:  # the two graphs share the width
                self.compare_graph.apply_theme(self.theme)
                half = max(1, self.graphs.width() // 2)
                self.graphs.setSizes([half, half])
        if on:
            self.views["compared graph"] = self.compare_graph  # exported, themed like the others
        else:
            self.views.pop("compared graph", None)
        with QSignalBlocker(self.actions["compare"]):
            self.actions["compare"].setChecked(on)

    # --- status --------------------------------------------------------------------------------

    def status_text(self) -> str:
        return status_line(self.session)

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
        if self.presenting:  # large type needs room: two fifths of the width, the views the rest
            self.resizeDocks([dock[name]], [self.width() * 2 // 5], Qt.Orientation.Horizontal)

    def run_gradcheck(self) -> None:
        """Show the check's panel and start it (it runs in slices; see GradcheckView)."""
        self.gradcheck_dock.show()
        self.gradcheck_dock.raise_()
        self.gradcheck_view.run()

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
        self.shutdown_lab()  # a running experiment is cancelled, the lab's worker ends
        self.session.shutdown()  # pause, and end the worker thread
        if not self.presenting:
            self.save_geometry()
        super().closeEvent(event)

    def _close_anyway(self) -> None:
        """Close although training is unsaved (the user saved it or chose to discard it)."""
        self._discard_training = True
        self.close()


def _scrolled(widget) -> QtWidgets.QScrollArea:
    """A panel that scrolls vertically, never sideways: as wide as its narrowest layout."""
    scroll = QtWidgets.QScrollArea(widgetResizable=True)
    scroll.setWidget(widget)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    bar = scroll.verticalScrollBar().sizeHint().width()
    scroll.setMinimumWidth(widget.minimumSizeHint().width() + bar + 2 * scroll.frameWidth())
    return scroll
