"""Window geometry for MainWindow: fits the screen it opens on (title bar and status bar included),
remembers its size and panels between runs (QSettings), and View > Reset layout. A mixin."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QSettings, QTimer
from PySide6.QtGui import QGuiApplication

from rnnviz.ui import screen_fit

STATE_VERSION = 3  # bump when the dock layout changes, so an old saved layout is not applied
GRAPH_SHARE = 2, 3  # graph : views below it, of the height between the strip and the status bar


class WindowGeometry:
    def available_geometry(self):
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def frame_margins(self):
        """The window manager's frame (title bar) around the window; a guess before it is shown."""
        if self.isVisible() and self.frameGeometry() != self.geometry():
            g, f = self.geometry(), self.frameGeometry()
            return QMargins(
                g.left() - f.left(), g.top() - f.top(), f.right() - g.right(), f.bottom() - g.bottom()
            )
        return screen_fit.TITLE_BAR_GUESS

    def fit_to_screen(self, first: bool = False) -> None:
        """Never larger than the screen's available area, title bar and status bar included; the
        first window takes all of it."""
        available, frame = self.available_geometry(), self.frame_margins()
        if first:
            self.setGeometry(screen_fit.first_geometry(available, frame))
        else:
            self.setGeometry(screen_fit.fitted(self.geometry(), available, frame))
        self._share_height()

    def _share_height(self) -> None:
        total = sum(self.splitter.sizes()) or self.height()
        graph = total * GRAPH_SHARE[0] // sum(GRAPH_SHARE)
        self.splitter.setSizes([graph, total - graph])

    def show_first(self) -> None:
        """Show as the app starts: the saved size and layout if there are any, else maximised."""
        if QSettings("rnnviz", "rnnviz").value("geometry") is None:
            self.showMaximized()
        else:
            self.show()
            QTimer.singleShot(0, self._refit)  # shown, the window manager's frame is known: fit with it

    def reset_layout(self) -> None:
        """View > Reset layout: panels as on the first start, the window fitted to this screen."""
        if self.presenting:
            self.set_presenter(False)
        self.restoreState(self._default_state, STATE_VERSION)
        self.controls_dock.raise_()
        s = QSettings("rnnviz", "rnnviz")
        for key in ("geometry", "state", "splitter"):
            s.remove(key)
        self.showNormal()
        self.fit_to_screen(first=True)
        self.showMaximized()

    def _restore_geometry(self) -> None:
        s = QSettings("rnnviz", "rnnviz")
        if s.value("geometry") is not None:
            self.restoreGeometry(s.value("geometry"))
            self.restoreState(s.value("state"), STATE_VERSION)  # ignored if saved by another layout
            if s.value("splitter") is not None:
                self.splitter.restoreState(s.value("splitter"))
            room = self.available_geometry().marginsRemoved(self.frame_margins()).size()
            saved = self.minimumSizeHint()
            if saved.width() > room.width() or saved.height() > room.height():
                # panels placed for a bigger screen: the default ones, if they need less room
                self.restoreState(self._default_state, STATE_VERSION)
                default = self.minimumSizeHint()
                if default.width() >= saved.width() and default.height() >= saved.height():
                    self.restoreState(s.value("state"), STATE_VERSION)
            self.fit_to_screen()  # saved on a bigger screen: shrink to this one

    def _refit(self) -> None:
        if not (self.isMaximized() or self.isFullScreen()):
            self.fit_to_screen()

    def save_geometry(self) -> None:
        s = QSettings("rnnviz", "rnnviz")
        s.setValue("geometry", self.saveGeometry())
        s.setValue("state", self.saveState(STATE_VERSION))
        s.setValue("splitter", self.splitter.saveState())
