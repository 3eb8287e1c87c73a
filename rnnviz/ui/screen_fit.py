"""Window geometry that fits the screen it opens on, title bar included (plain rectangles, so a
test can pass any screen in)."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize

TITLE_BAR_GUESS = QMargins(4, 32, 4, 4)  # a window manager's frame, before the window is shown


def fitted(geometry: QRect, available: QRect, frame: QMargins, minimum: QSize | None = None) -> QRect:
    """`geometry` (the window without its frame) moved and shrunk so the window with its frame lies
    inside `available`; never below `minimum` unless the screen itself is smaller."""
    room = available.marginsRemoved(frame)
    w, h = min(geometry.width(), room.width()), min(geometry.height(), room.height())
    if minimum is not None:
        w, h = max(w, min(minimum.width(), room.width())), max(h, min(minimum.height(), room.height()))
    x = min(max(geometry.x(), room.left()), room.right() + 1 - w)
    y = min(max(geometry.y(), room.top()), room.bottom() + 1 - h)
    return QRect(x, y, w, h)


def first_geometry(available: QRect, frame: QMargins) -> QRect:
    """The first window: all of the available area, less the frame."""
    return available.marginsRemoved(frame)
