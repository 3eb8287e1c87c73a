"""Shared checks for UI tests: is a widget or dock really in view? Waiting for the worker's numbers."""

# How long a test waits for background work (the worker's numbers, training, an export) before it
# calls it hung: a guard against a hang, never a speed bound. On a loaded 2-core machine the
# background threads run at a lower priority (ui/background.py) and may wait a long time for a core.
PATIENCE_MS = 600_000


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


def computed(qtbot, ask):
    """What ask() returns once it is not None: the first call queues the worker's job, and qtbot's
    event loop delivers its result (the views that wait for it redraw then too)."""
    qtbot.waitUntil(lambda: ask() is not None, timeout=PATIENCE_MS)
    return ask()


def settled(qtbot, session) -> None:
    """Wait until the worker has delivered every number asked for so far (the views have drawn them)."""
    qtbot.waitUntil(lambda: not session.computing, timeout=PATIENCE_MS)
