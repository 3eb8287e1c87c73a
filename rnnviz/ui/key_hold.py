"""Holding a step key steps at a steady pace; releasing it stops at once.

The keyboard's own auto-repeat sends presses faster than a step can be drawn, and each one queued
another step: holding → for a second left the app stepping long after the key came up. Here the
actions do not auto-repeat (QAction.setAutoRepeat(False)); a press starts a timer that triggers the
action every `interval` ms while the key is down, and the key's release stops it. A QTimer never
queues ticks it could not run, so there is no backlog: what the user sees is what was stepped.
"""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence


class KeyHold(QObject):
    def __init__(self, window: QtWidgets.QWidget, actions: list[QAction], delay_ms: int, interval_ms: int):
        super().__init__(window)
        self.window = window
        self.keys = {QKeySequence(a.shortcut())[0].key(): a for a in actions if not a.shortcut().isEmpty()}
        self.delay_ms, self.interval_ms = delay_ms, interval_ms
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self._down = None  # the key pressed last (not yet released)
        self.held: QAction | None = None  # the action being repeated
        for action in actions:
            action.setAutoRepeat(False)
            action.triggered.connect(lambda _=False, a=action: self._triggered(a))
        QtWidgets.QApplication.instance().installEventFilter(self)

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
        self.held.trigger()

    def stop(self) -> None:
        self.timer.stop()
        self.held = self._down = None

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            key = event.key()
            if key in self.keys:
                if kind == QEvent.Type.KeyRelease:
                    if not event.isAutoRepeat():
                        self.stop()  # the key is up: not one more step
                elif not event.isAutoRepeat():
                    self._down = key
                elif self.holding:
                    return True  # the keyboard's repeats: the timer paces the steps instead
        elif kind == QEvent.Type.WindowDeactivate and obj is self.window:
            self.stop()  # no release will reach us
        return False
