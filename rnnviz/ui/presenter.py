"""Presenter mode for MainWindow: full screen for a projector seen from the back of a room.

Large type in every element (scaled to the screen, style.presenter_for), the lesson's caption in one
strip, and beside the graph only the one or two views the step needs (ui/view_choice.py; keys 1-3
and 0 change them). A mixin: it uses the window's views, docks, actions and deck.
"""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QSignalBlocker, Qt, QTimer

from rnnviz.ui import style
from rnnviz.ui.actions import ACTIONS

PRESENTER_TOOLBAR = ("back", "step", "play")
TAB_TITLES = {"hidden": "Hidden state", "loss": "Loss", "gradients": "Gradients"}


class PresenterMode:
    # --- which views stand beside the graph -----------------------------------------------------

    def _phase(self) -> str | None:
        last = self.session.stepper.last
        return None if last is None else last.phase

    def show_lesson_views(self, names: tuple) -> None:
        """The views a lesson step needs: beside the graph in presenter mode, in front otherwise."""
        self.view_choice.lesson = tuple(names)
        self.view_choice.automatic()  # a new step of the lesson: its views, not an older choice
        if self.presenting:
            self.deck.set_shown(self.view_choice.shown(self._phase()))
        else:
            self.open_lab_views(names)  # a lab view the lesson names opens below the graph
        for name in reversed(names):
            self.deck.bring_to_front(name)

    def choose_view(self, name: str) -> None:
        """Keys 1-6: in presenter mode show or hide that view beside the graph; else bring it to front
        (1-3, the usual views, back if a lab view stood in their place) or open or close it (4-6, the
        lab's views)."""
        if self.presenting:
            self.deck.set_shown(self.view_choice.toggle(name, self._phase()))
        elif name not in TAB_TITLES:  # a lab view (keys 4-6): opened or closed below the graph
            self.toggle_lab_view(name)
            return
        else:
            self.close_lab_views()  # keys 1-3: the usual views
        self.deck.bring_to_front(name)

    def automatic_views(self) -> None:
        """Key 0: back to the views the lesson step (or the phase) needs."""
        self.view_choice.automatic()
        self._follow_phase()

    def _follow_phase(self, *_) -> None:
        if self.presenting:
            self.deck.set_shown(self.view_choice.shown(self._phase()))

    @property
    def presenting(self) -> bool:
        return self.theme.name == "presenter"

    def toggle_presenter(self) -> None:
        self.set_presenter(not self.presenting)

    def set_presenter(self, on: bool) -> None:
        """Full screen for a projector: large type in every element, the caption in one strip, the
        graph and the one or two views the step needs (keys 1-3 and 0 change them); only
        step/back/play stay on the toolbar."""
        if on == self.presenting:
            return
        if on:
            self._was_maximized = self.isMaximized()
            self._strip_shown = self.lesson_dock.isVisible()  # the user may have closed it
            self._panel_width = self.controls_dock.width()  # a panel shown in presenter mode widens
        self.theme = style.presenter_for(self.available_geometry().height()) if on else style.NORMAL
        for w in [*self.views.built().values(), *self.panels.values()]:  # a view built later takes it then
            w.apply_theme(self.theme)
        font = style.font(self.theme) if on else QtWidgets.QApplication.font()
        for w in (self.toolbar, self.phase_label, self.deck.tabs, self.statusBar()):
            w.setFont(font)
        QtWidgets.QToolTip.setFont(font)  # hover texts are read from the back of the room too
        for spec in ACTIONS:
            if spec.toolbar:
                self.actions[spec.id].setVisible(not on or spec.id in PRESENTER_TOOLBAR)
        self.lesson_row.setVisible(not on)
        for dock in (self.controls_dock, self.equations_dock, self.gradcheck_dock):
            dock.setVisible(not on)  # the room sees the graph, its views and the caption
        self.menuBar().setVisible(not on)
        self.lesson_panel.set_compact(on)
        self._show_lesson_strip()
        self.deck.set_shown(self.view_choice.shown(self._phase()) if on else self.normal_views())
        with QSignalBlocker(self.actions["presenter"]):
            self.actions["presenter"].setChecked(on)
        if on:
            self.showFullScreen()
        elif self._was_maximized:
            self.showMaximized()
        else:
            self.showNormal()
            QTimer.singleShot(0, self._refit)  # once the normal-mode layout has settled
        if not on:
            self.resizeDocks([self.controls_dock], [self._panel_width], Qt.Orientation.Horizontal)

    def _lesson_changed(self, running: bool) -> None:
        if self.presenting:
            self._show_lesson_strip()

    def _show_lesson_strip(self) -> None:
        """In presenter mode the strip shows only while a lesson runs (it is the lesson's caption);
        back in normal mode it is as the user left it."""
        if self.presenting:
            self.lesson_dock.setVisible(self.lesson_panel.lesson is not None)
        else:
            self.lesson_dock.setVisible(self._strip_shown)
