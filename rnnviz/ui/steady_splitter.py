"""SteadySplitter: a splitter that passes a layout request on only when one of its widgets asks for
other room.

Qt sends a layout request up through every parent whenever a widget below lays itself out again
(a view's label showing a new verdict at every backward step), and the window then lays out all of
its docks and views again, asking each view its least size several times. Here the widgets' size
constraints are asked once: when none changed, nothing above has anything to do.
"""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QEvent


class SteadySplitter(QtWidgets.QSplitter):
    def __init__(self, *args):
        super().__init__(*args)
        self._asked: tuple | None = None  # the widgets' constraints when a request last went through

    def constraints(self) -> tuple:
        """What the splitter's own size constraints are made of: its widgets' hints and limits."""
        out = []
        for i in range(self.count()):
            w = self.widget(i)
            p = w.sizePolicy()
            out.append(
                (
                    w.isHidden(),
                    w.minimumSizeHint().toTuple(),
                    w.sizeHint().toTuple(),
                    w.minimumSize().toTuple(),
                    w.maximumSize().toTuple(),
                    p.horizontalPolicy(),
                    p.verticalPolicy(),
                )
            )
        return tuple(out)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            asked = self.constraints()
            if asked == self._asked:
                return True  # handled: no widget asks for other room
            self._asked = asked
        return super().event(event)
