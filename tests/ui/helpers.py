"""Shared checks for UI tests: is a widget or dock really in view?"""


def shown_on_screen(widget) -> bool:
    """Visible, of a readable size, inside the window (for a docked panel, ask in_front)."""
    window = widget.window()
    inside = window.rect().contains(widget.mapTo(window, widget.rect().center()))
    return widget.isVisible() and widget.width() > 50 and widget.height() > 50 and inside


def in_front(window, dock) -> bool:
    """A dock is in view if it is visible and, when tabbed with others, its tab is the current one.
    Offscreen, Qt reports a dock behind another tab as visible but moves it out of the window (and
    keeps stale tab bars of earlier arrangements), so where the dock is decides."""
    return dock.isVisible() and window.rect().intersects(dock.geometry())
