"""Issue 10, item 3: presenter mode for a projector seen from the back of the room: one caption strip,
large type everywhere, the graph and the one or two views the lesson step needs (keys 1-3, 0)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolTip

from rnnviz.ui import style
from rnnviz.ui.fit_text import css_font
from rnnviz.ui.main_window import MainWindow
from rnnviz.ui.view_choice import BY_PHASE, ViewChoice


@pytest.fixture
def window(session, qtbot):
    w = MainWindow(session, restore=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.set_presenter(False)
    w.close()


def start(window, name: str) -> None:
    panel = window.lesson_panel
    assert panel.start([lesson.name for lesson in panel.lessons].index(name))


# --- the rules, without Qt --------------------------------------------------------------------------


def test_keys_toggle_views_two_at_most_and_zero_goes_back_to_the_lesson():
    choice = ViewChoice()
    assert choice.shown("forward") == list(BY_PHASE["forward"]) and choice.shown("backward") == ["gradients"]
    choice.lesson = ("loss",)
    assert choice.shown("backward") == ["loss"]  # the lesson step's views beat the phase's
    assert choice.toggle("hidden", "backward") == ["loss", "hidden"]
    assert choice.toggle("gradients", "backward") == ["hidden", "gradients"]  # the oldest makes room
    assert choice.toggle("hidden", "backward") == ["gradients"]  # shown: the key hides it
    assert choice.toggle("gradients", "backward") == []  # the graph alone
    assert choice.shown("forward") == []  # the keys' choice stays until 0
    choice.automatic()
    assert choice.shown("forward") == ["loss"]


@pytest.mark.parametrize(
    "height,points", [(540, 12), (720, 16), (768, 16), (800, 16), (1080, 24), (1440, 32)]
)
def test_presenter_type_keeps_its_share_of_the_screen_height(height, points):
    theme = style.presenter_for(height)
    assert theme.name == "presenter" and theme.font_pt == points
    assert (theme is style.PRESENTER) == (points == style.PRESENTER.font_pt)


# --- in the window ----------------------------------------------------------------------------------


def test_presenter_mode_shows_the_graph_and_the_views_the_lesson_step_names(window, session):
    start(window, "05_vanishing")
    window.set_presenter(True)
    deck = window.deck
    assert deck.shown == ["hidden"]  # caption 0 names the hidden state
    assert window.hidden_view.isVisible() and not window.gradient_view.isVisible()
    while session.stepper.cursor < session.T:
        session.step()
    assert deck.shown == ["gradients"] and window.gradient_view.isVisible()  # the backward caption's
    assert window.graph_view.isVisible() and window.lesson_dock.isVisible()
    assert not window.controls_dock.isVisible() and not window.menuBar().isVisible()


def test_keys_change_the_views_beside_the_graph(window, session, qtbot):
    start(window, "05_vanishing")
    window.set_presenter(True)
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.deck.shown == ["hidden", "loss"] and window.loss_view.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_3)
    assert window.deck.shown == ["loss", "gradients"] and not window.hidden_view.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.deck.shown == ["gradients"]
    qtbot.keyClick(window, Qt.Key.Key_0)
    assert window.deck.shown == ["hidden"]  # the lesson's again


def test_outside_a_lesson_presenter_mode_shows_the_views_of_the_phase(window, session):
    window.set_presenter(True)
    assert window.deck.shown == list(BY_PHASE[None])
    assert not window.lesson_dock.isVisible()  # no lesson: no caption strip
    for _ in range(session.T + 1):
        session.step()
    assert window.deck.shown == ["gradients"]
    window.set_presenter(False)
    assert window.deck.shown == ["hidden", "loss", "gradients"] and window.lesson_dock.isVisible()


def test_in_normal_mode_the_lessons_view_comes_to_the_front_when_tabbed(window, session, qtbot):
    window.resize(1000, 700)  # too narrow for the three views side by side
    qtbot.waitUntil(lambda: window.deck.mode == "tabs")
    start(window, "05_vanishing")
    while session.stepper.cursor < session.T:
        session.step()
    assert window.deck.in_view("gradients") and not window.deck.in_view("hidden")
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.deck.in_view("loss")


def test_the_caption_strip_is_one_row_in_large_type(window, session):
    start(window, "05_vanishing")
    panel = window.lesson_panel
    assert window.lesson_row.isVisible()  # normal mode: lesson choice and buttons, in the toolbar
    window.set_presenter(True)
    assert not window.lesson_row.isVisible() and panel.caption.isVisible()
    assert panel.caption.font().pointSizeF() >= window.theme.font_pt
    assert panel.height() == panel.caption.height() + 4  # the caption alone, as tall as its text
    assert panel.caption.heightForWidth(panel.caption.width()) <= panel.caption.height()


def test_every_element_uses_large_type_in_presenter_mode(window, session):
    for _ in range(session.T + 3):
        session.step()
    window.set_presenter(True)
    pt = window.theme.font_pt
    assert pt >= style.PRESENTER.font_pt * 0.75
    assert QToolTip.font().pointSizeF() >= pt  # tooltips too
    assert window.toolbar.font().pointSizeF() >= pt and window.phase_label.font().pointSizeF() >= pt
    for view in (window.hidden_view, window.loss_view, window.gradient_view):
        for plot in [i for i in view.layout_widget.scene().items() if type(i).__name__ == "PlotItem"]:
            assert css_font(plot.titleLabel.opts["size"]).pointSizeF() >= pt  # titles
            assert plot.getAxis("bottom").style["tickFont"].pointSizeF() >= 0.9 * pt  # ticks
    for view in (window.hidden_view, window.gradient_view):  # colour bars
        assert view.colorbar.axis.style["tickFont"].pointSizeF() >= 0.9 * pt
    for legend in (window.loss_view.legend, window.gradient_view.legend):
        assert all(css_font(label.opts["size"]).pointSizeF() >= pt for _, label in legend.items)
    window.set_presenter(False)
    assert QToolTip.font().pointSizeF() < pt
