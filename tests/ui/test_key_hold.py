"""Issue 10, item 5: holding → never queues more steps than the user sees; releasing it stops at once.

The mechanism, driven by synthetic key events (no time bounds): the actions do not auto-repeat, the
keyboard's repeated presses are swallowed while a key is held, a timer steps instead, and the key's
release stops that timer.
"""

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from rnnviz.ui.actions import HOLD
from rnnviz.ui.main_window import MainWindow


@pytest.fixture
def window(session, qtbot):
    w = MainWindow(session, restore=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.graph_view and w.isActiveWindow())
    yield w
    w.key_hold.stop()
    w.close()


def key(kind: QEvent.Type, key: Qt.Key, repeat: bool = False) -> QKeyEvent:
    return QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, "", repeat)


def repeats(window, k: Qt.Key, n: int) -> None:
    """What a keyboard sends while a key stays down: pairs of auto-repeated release and press
    (with the shortcut check before each press), all marked isAutoRepeat()."""
    target = window.graph_view
    for _ in range(n):
        for kind in (QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            QApplication.sendEvent(target, key(kind, k, repeat=True))


def test_step_and_back_do_not_auto_repeat(window):
    for name in HOLD:
        assert not window.actions[name].autoRepeat()
    assert not any(a.autoRepeat() for a in window.actions.values())  # Space would toggle play on and off


def test_holding_right_steps_on_a_timer_and_release_stops_at_once(window, session, qtbot):
    hold = window.key_hold
    qtbot.keyPress(window.graph_view, Qt.Key.Key_Right)  # the first press steps once, at once
    assert session.stepper.cursor == 1 and hold.holding
    repeats(window, Qt.Key.Key_Right, 30)  # the keyboard repeats: none of them steps
    assert session.stepper.cursor == 1
    with qtbot.waitSignal(session.sig_stepped):  # the timer steps, one step per tick
        pass
    assert session.stepper.cursor == 2
    with qtbot.waitSignal(session.sig_stepped):
        pass
    assert session.stepper.cursor == 3
    repeats(window, Qt.Key.Key_Right, 30)
    assert session.stepper.cursor == 3  # still nothing queued
    qtbot.keyRelease(window.graph_view, Qt.Key.Key_Right)
    hold.timer.setInterval(0)  # ticks fall due at once: none of them may step now
    qtbot.waitUntil(lambda: not hold.holding)  # released: the timer stops, no step is pending
    for _ in range(5):
        QApplication.processEvents()
    assert session.stepper.cursor == 3


def test_an_auto_repeated_release_does_not_stop_the_hold_but_a_real_one_does(window, session, qtbot):
    qtbot.keyPress(window.graph_view, Qt.Key.Key_Right)
    QApplication.sendEvent(window.graph_view, key(QEvent.Type.KeyRelease, Qt.Key.Key_Right, repeat=True))
    assert window.key_hold.holding
    QApplication.sendEvent(window.graph_view, key(QEvent.Type.KeyRelease, Qt.Key.Key_Right))
    qtbot.waitUntil(lambda: not window.key_hold.holding)
    assert session.stepper.cursor == 1


def test_repeats_sent_as_plain_release_and_press_pairs_are_swallowed(window, session, qtbot):
    """Xvfb and some remote desktops send a held key's repeats as a release and a press with one
    timestamp, neither marked isAutoRepeat(): the press is swallowed (its shortcut check accepted,
    so the action does not fire) and the hold goes on; the real release, with no press after it,
    stops it, and no tick steps while that is being decided."""
    hold, target = window.key_hold, window.graph_view
    qtbot.keyPress(target, Qt.Key.Key_Right)
    for ms in range(1000, 1600, 40):
        for kind in (QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            event = key(kind, Qt.Key.Key_Right)
            event.setTimestamp(ms)
            event.ignore()
            delivered = QApplication.sendEvent(target, event)
            if kind != QEvent.Type.KeyRelease:
                assert delivered and event.isAccepted(), kind  # swallowed: no shortcut, no scrolling
        assert hold.holding
    assert session.stepper.cursor == 1
    with qtbot.waitSignal(session.sig_stepped):  # still paced by the timer
        pass
    assert session.stepper.cursor == 2
    release = key(QEvent.Type.KeyRelease, Qt.Key.Key_Right)
    release.setTimestamp(1700)
    QApplication.sendEvent(target, release)
    hold.timer.setInterval(0)  # a tick due while the release is undecided ...
    qtbot.waitUntil(lambda: not hold.holding)
    assert session.stepper.cursor == 2  # ... did not step


def test_two_quick_taps_are_two_steps(window, session, qtbot):
    """A person's release and next press never share a timestamp: both taps step."""
    qtbot.keyClick(window.graph_view, Qt.Key.Key_Right)
    qtbot.keyClick(window.graph_view, Qt.Key.Key_Right)
    assert session.stepper.cursor == 2


def test_holding_left_steps_back_and_stops_on_release(window, session, qtbot):
    for _ in range(5):
        session.step()
    qtbot.keyPress(window.graph_view, Qt.Key.Key_Left)
    assert session.stepper.cursor == 4 and window.key_hold.holding
    with qtbot.waitSignal(session.sig_stepped):
        pass
    assert session.stepper.cursor == 3
    qtbot.keyRelease(window.graph_view, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: not window.key_hold.holding)
    assert session.stepper.cursor == 3


def test_a_click_on_step_steps_once_and_never_starts_repeating(window, session, qtbot):
    window.actions["step"].trigger()  # the toolbar button or the menu: no key is down
    assert session.stepper.cursor == 1 and not window.key_hold.holding


def test_the_hold_stops_when_stepping_is_disabled(window, session, qtbot):
    qtbot.keyPress(window.graph_view, Qt.Key.Key_Right)
    assert window.key_hold.holding
    window.actions["step"].setEnabled(False)  # as while training
    qtbot.waitUntil(lambda: not window.key_hold.holding)
    assert session.stepper.cursor == 1


def test_the_keys_are_seen_wherever_the_focus_moves(window, session, qtbot):
    """The filter watches the focus widget and the window, not every object of the application."""
    other = window.gradient_view.spin
    other.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is other)
    assert window.key_hold._watched is other
    QApplication.sendEvent(other, key(QEvent.Type.KeyPress, Qt.Key.Key_Right))
    assert window.key_hold._down == Qt.Key.Key_Right  # the press was seen
    QApplication.sendEvent(other, key(QEvent.Type.KeyRelease, Qt.Key.Key_Right))
    assert window.key_hold._down is None  # and its release
    window.graph_view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.graph_view)
    qtbot.keyPress(window.graph_view, Qt.Key.Key_Right)
    assert session.stepper.cursor == 1 and window.key_hold.holding
    qtbot.keyRelease(window.graph_view, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: not window.key_hold.holding)
