"""Holding a step key steps at a steady pace; releasing it stops at once.

The keyboard's own auto-repeat sends presses faster than a step can be drawn, and each one queued
another step: holding → for a second left the app stepping long after the key came up. Here the
actions do not auto-repeat (QAction.setAutoRepeat(False)); a press starts a timer that triggers the
action every `interval` ms while the key is down, and the key's release stops it. A QTimer never
queues ticks it could not run, so there is no backlog: what the user sees is what was stepped.

Some X servers (Xvfb, remote desktops) send the repeats as plain release + press pairs that Qt
does not mark isAutoRepeat(); such a pair carries one timestamp (a person's release and next press
never do). A release waits RELEASE_GRACE_MS for that press: if it comes, the hold goes on; if not,
the hold stops, and no tick steps while that is being decided.

Key events go to the focus widget (or to its window when none has focus) and then up its parents,
so the filter watches the window and whichever widget has focus, not the whole application: an
app-wide Python filter ran for every event of every object, about 50 times per drawn step.
"""

from __future__ import annotations

import shiboken6
from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence

RELEASE_GRACE_MS = 40  # a repeat's press follows its release at once (same X timestamp)


class KeyHold(QObject):
    def __init__(self, window: QtWidgets.QWidget, actions: list[QAction], delay_ms: int, interval_ms: int):
        super().__init__(window)
        self.window = window
        self.keys = {QKeySequence(a.shortcut())[0].key(): a for a in actions if not a.shortcut().isEmpty()}
        self.delay_ms, self.interval_ms = delay_ms, interval_ms
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.release = QTimer(self, singleShot=True, interval=RELEASE_GRACE_MS)
        self.release.timeout.connect(self.stop)
        self._down = None  # the key pressed last (not yet released)
        self._released_at = 0  # the timestamp of a release that may be half of a repeat
        self.held: QAction | None = None  # the action being repeated
        for action in actions:
            action.setAutoRepeat(False)
            action.triggered.connect(lambda _=False, a=action: self._triggered(a))
        window.installEventFilter(self)  # its deactivation, and keys when no widget has focus
        self._watched: QObject | None = None  # the focus widget the filter is on
        app = QtWidgets.QApplication.instance()
        app.focusChanged.connect(self._focus_moved)
        self._focus_moved(None, app.focusWidget())

    @property
    def holding(self) -> bool:
        return self.timer.isActive()

    def _triggered(self, action: QAction) -> None:
        """The action ran once. If its key is down (not a click on a button), repeat while held."""
        if self._down is not None and self.keys.get(self._down) is action and not self.holding:
            self.held = action
            self.timer.start(self.delay_ms)

    def _tick(self) -> None:
        if self.held is None or not self.held.isEnabled() or not self.window.isActiveWindow():
            self.stop()
            return
        self.timer.setInterval(self.interval_ms)
        if not self.release.isActive():  # a release may be the end: not one more step until known
            self.held.trigger()

    def stop(self) -> None:
        self.timer.stop()
        self.release.stop()
        self.held = self._down = None

    def _focus_moved(self, _old, new) -> None:
        """Keep the filter on the widget with the keyboard focus (in any window: a dialog, a popup)."""
        if (
            self._watched is not None
            and self._watched is not self.window
            and shiboken6.isValid(self._watched)
        ):
            self._watched.removeEventFilter(self)
        self._watched = new
        if new is not None:
            new.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            if event.key() in self.keys:
                return self._key(event, kind)
        elif kind == QEvent.Type.WindowDeactivate and obj is self.window:
            self.stop()  # no release will reach us
        return False

    def _key(self, event, kind) -> bool:
        """True swallows the event (a repeat of the held key: the timer paces the steps instead)."""
        if kind == QEvent.Type.KeyRelease:
            if not event.isAutoRepeat() and self.holding:
                self._released_at = event.timestamp()
                self.release.start()  # up, unless a press with its timestamp follows (a repeat)
            elif not event.isAutoRepeat():
                self._down = None
            return False
        # the press of a release + press pair (its shortcut check, then the press itself)
        unmarked = event.timestamp() != 0 and event.timestamp() == self._released_at
        if (event.isAutoRepeat() or unmarked) and self.holding:
            self.release.stop()
            event.accept()  # an accepted ShortcutOverride keeps the shortcut from firing
            return True
        if not event.isAutoRepeat():
            if self.release.isActive():
                self.stop()  # a new press after a real release: the old hold is over
            self._down = event.key()
        return False
