"""The window builds the lab's views only when first asked for (ui/on_demand.py): not at start-up, yes
when one is opened, exported, or read by a test; a view built late draws the current state in the
window's theme of that moment, and one built while not shown is parked in the window, not left a
top-level widget of its own. Plots without a context menu never build one."""

import pytest
from PySide6 import QtWidgets

from rnnviz.ui.lab_views import LAB_TITLES
from rnnviz.ui.on_demand import OnDemand


def test_on_demand_builds_a_value_once_when_asked_and_iterating_builds_nothing():
    made = []

    def maker(name):
        def make():
            made.append(name)
            return name.upper()

        return make

    views = OnDemand({"a": "A"}, {"b": maker("b"), "c": maker("c")})
    seen = []
    views.on_built = lambda name, value: seen.append((name, value))
    assert list(views) == ["a", "b", "c"] and len(views) == 3 and "c" in views and "d" not in views
    assert made == [] and views.built() == {"a": "A"} and not views.is_built("b")
    assert views["c"] == "C" and views["c"] == "C" and made == ["c"] and seen == [("c", "C")]
    assert views.built() == {"a": "A", "c": "C"}  # in the order given, not the order built
    views["d"] = "D"
    assert list(views) == ["a", "b", "c", "d"] and views.pop("d") == "D" and "d" not in views
    some = views.only(["b"])
    assert list(some) == ["b"] and made == ["c"]
    assert some["b"] == "B" and made == ["c", "b"]
    with pytest.raises(KeyError):
        some["a"]
    with pytest.raises(KeyError):
        views["nothing"]


@pytest.fixture
def window(make_window):
    return make_window(size=(1280, 720), task="echo", hidden=8, seq_len=6, seed=0)[0]


def test_the_lab_views_are_built_when_first_opened(window, qtbot):
    assert not any(window.views.is_built(n) for n in LAB_TITLES)
    assert set(LAB_TITLES) <= set(window.views)  # named (the export dialog lists them) though not built
    for _ in range(4):
        window.session.step()
    window.actions["view_cliff"].trigger()
    assert window.views.is_built("cliff") and window.deck.in_view("cliff")
    assert window.lab_views["cliff"].isVisible()
    assert not window.views.is_built("states") and not window.views.is_built("gradnorm")
    window.actions["view_states"].trigger()  # opened late: it shows the steps already taken
    states = window.lab_views["states"]
    qtbot.waitUntil(lambda: not states.computing)
    assert states.isVisible() and len(states.points) == 4 and states.current_t == 3


def test_a_lab_view_built_while_not_shown_is_parked_in_the_window(window):
    view = window.lab_views["gradnorm"]  # e.g. File > Export view asks for it
    assert not view.isWindow() and not view.isVisible() and window.isAncestorOf(view)


def test_a_lab_view_built_in_presenter_mode_takes_its_theme(window):
    window.set_presenter(True)
    window.choose_view("states")
    view = window.lab_views["states"]
    assert view.theme is window.theme and window.theme.name == "presenter" and view.isVisible()
    window.set_presenter(False)
    assert view.theme.name == "normal"  # and it follows the next change, like every view built


def test_plots_without_a_context_menu_never_build_one(window):
    window.views["states"], window.views["cliff"], window.views["gradnorm"]  # noqa: B018 - built
    plots = [
        window.hidden_view.heat_plot,
        window.hidden_view.bar_plot,
        window.loss_view.step_plot,
        window.loss_view.curve_plot,
        window.lab_views["states"].plot,
        window.lab_views["cliff"].plot,
        window.lab_views["gradnorm"].plot,
    ]
    for plot in plots:
        assert not plot.menuEnabled() and plot.vb.menu is None and not plot.vb.menuEnabled()
    assert window.gradient_view.heat_plot.vb.menu is not None  # where a menu is wanted it is there
    assert isinstance(window.gradient_view.heat_plot.vb.menu, QtWidgets.QMenu)


def test_the_compared_cells_gradient_plots_are_built_when_compare_mode_first_shows_them(window):
    gv = window.gradient_view
    assert len(gv.sides) == 1 and gv.shown_sides == gv.sides
    window.toggle_compare()
    for _ in range(2 * window.session.T):
        window.session.step()
    assert len(gv.sides) == 2 and gv.shown_sides == gv.sides
    a, b = gv.sides
    assert b.session is window.session.side(1) and b.heatmap.image is not None
    assert tuple(a.heatmap.levels) == tuple(b.heatmap.levels) == tuple(gv.colorbar.levels())
    assert gv.legend_place in ("grid", "row", "one")  # placed for two cells
    assert all(s.heat_plot.isVisible() and s.line_plot.isVisible() for s in gv.placed_sides)
    window.toggle_compare()
    assert gv.shown_sides == gv.sides[:1] and gv.legend_place in ("below", "beside")
    assert a.heat_plot.isVisible() and not b.heat_plot.isVisible() and not b.line_plot.isVisible()


def test_the_gradient_view_behind_a_tab_is_built_when_its_tab_is_first_shown(window, qtbot):
    from PySide6.QtCore import Qt

    deck = window.deck
    assert deck.mode == "tabs" and deck.current() == "hidden" and not window.views.is_built("gradients")
    titles = [deck.tabs.tabText(i) for i in range(deck.tabs.count())]
    assert titles == ["Hidden state", "Loss", "Gradients"]  # its tab is there, with an empty page
    s = window.session
    for _ in range(s.T + 2):  # into the backward pass
        s.step()
    bar = deck.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(2).center())  # as a user does
    assert window.views.is_built("gradients") and deck.current() == "gradients"
    view = window.gradient_view
    assert deck.tabs.widget(2) is view and deck.tabs.currentWidget() is view and view.isVisible()
    assert [deck.tabs.tabText(i) for i in range(deck.tabs.count())] == titles
    assert view.theme is window.theme and view.spin.value() == s.T - 1  # drawn for the state of now
    assert view.revealed.sum() > 0 and view.heatmap.image is not None
    deck.bring_to_front("hidden")
    assert deck.current() == "hidden" and not view.isVisible() and deck.tabs.widget(2) is view


def test_a_view_behind_a_tab_built_by_asking_for_it_takes_its_tab_and_stays_behind(window):
    deck = window.deck
    view = window.views["gradients"]  # e.g. File > Export view, or a test reading it
    assert deck.tabs.widget(2) is view and deck.current() == "hidden" and not view.isVisible()
    assert not view.isWindow() and window.isAncestorOf(view)
    deck.bring_to_front("gradients")
    assert deck.in_view("gradients") and view.isVisible()


def test_side_by_side_every_view_is_built_at_once(make_window):
    window = make_window(size=(1920, 1080), task="echo", hidden=8, seq_len=6, seed=0)[0]
    assert window.deck.mode == "side" and window.views.is_built("gradients")
    assert window.gradient_view.isVisible()


@pytest.mark.parametrize("presenter", [False, True])
@pytest.mark.parametrize("compare", ["", "lstm"])
def test_the_gradient_views_least_width_is_never_more_than_it_asks(make_window, presenter, compare):
    """The deck tabs the views without building the gradient view only when even this bound does not
    fit: it must never exceed the width the built view asks for, at any height."""
    window = make_window(size=(1280, 720), task="echo", hidden=8, seq_len=6, compare=compare)[0]
    window.set_presenter(presenter)
    bound = window.deck.least["gradients"]()
    view = window.gradient_view
    assert bound <= view.minimumSizeHint().width()
    for height in (100, 200, 300, 400, 600, 900, 1400):
        assert bound <= view.minimum_width_for(height)


def test_the_loss_view_not_built_yet_is_built_when_training_starts_and_keeps_the_bars_before_it(
    make_window, qtbot
):
    import numpy as np

    from tests.ui.helpers import PATIENCE_MS

    w, s = make_window(size=(1280, 720), task="echo", delay=1, hidden=8, seq_len=8, seed=2)
    assert w.deck.mode == "tabs" and not w.views.is_built("loss")
    before = np.array(s.step_losses)
    seen = []
    s.sig_training_changed.connect(lambda on: seen.append((on, w.views.is_built("loss"))))
    s.train(300)
    assert seen[0] == (True, True)  # built as training started, before the first iteration
    qtbot.waitUntil(lambda: not s.training, timeout=PATIENCE_MS)
    for _ in range(s.T):
        s.step()
    w.deck.bring_to_front("loss")
    lv = w.loss_view
    assert w.deck.tabs.currentWidget() is lv and lv.isVisible()
    assert np.allclose(lv.ghost_bars.opts["height"], before) and lv.ghost_text.isVisible()
    assert np.allclose(lv.step_bars.opts["height"], s.step_losses)


def test_the_loss_views_least_width_is_never_more_than_it_asks(make_window):
    window = make_window(size=(1280, 720), task="echo", hidden=8, seq_len=6, compare="gru")[0]
    for presenter in (False, True):
        window.set_presenter(presenter)
        bound = window.deck.least["loss"]()
        assert bound <= window.loss_view.minimumSizeHint().width()
        assert all(bound <= window.loss_view.minimum_width_for(h) for h in (100, 300, 600, 1400))


@pytest.mark.parametrize("compare", ["", "gru"])
def test_the_gradient_views_numbers_are_asked_for_while_it_waits_behind_its_tab(make_window, qtbot, compare):
    """As when it was built with the window: each new trace's C and going-back row are computed, so
    they are in (not "computing…") when its tab first comes to the front."""
    from tests.ui.helpers import settled

    w, s = make_window(size=(1280, 720), task="echo", hidden=8, seq_len=6, seed=3, compare=compare)
    s.new_sequence()
    settled(qtbot, s)
    assert not w.views.is_built("gradients")
    for track in s.tracks:
        assert track.numbers.status("contributions") == "" and track.numbers.status(("row", s.T - 1)) == ""
    for _ in range(2 * s.T):
        s.step()
    w.deck.bring_to_front("gradients")
    view = w.gradient_view
    assert view.chosen_t == s.T - 1 and all(side.C is not None for side in view.shown_sides)
    assert "computing" not in view.verdict_label.text() and view.verdict_label.text()
