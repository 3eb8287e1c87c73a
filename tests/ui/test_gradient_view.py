import numpy as np
import pytest
from PySide6.QtCore import QPointF

from rnnviz.core import spectral_radius
from rnnviz.ui import style
from rnnviz.ui.widgets.gradient_view import GradientView
from tests.ui.helpers import computed, settled


@pytest.fixture
def view(session, shown):
    return shown(GradientView(session), 900, 400)


def image(view):
    return view.heatmap.image


def steps(session, n):
    for _ in range(n):
        assert session.step() is not None


def test_nothing_is_revealed_before_the_backward_pass(session, view):
    assert image(view).shape == (session.T, session.T)
    assert np.isnan(image(view)).all() and not view.revealed.any()
    steps(session, session.T)  # the whole forward pass
    assert np.isnan(image(view)).all() and not view.revealed.any()
    assert view.fill_text.isVisible()


def test_backward_steps_reveal_columns_with_fixed_levels(session, view, qtbot):
    T, C = session.T, computed(qtbot, lambda: session.contributions)  # from the worker
    steps(session, T)
    levels = style.log_levels(C)
    for k in range(1, T + 1):
        steps(session, 1)
        cols = list(range(T - k, T))
        expected = np.zeros((T, T), dtype=bool)
        expected[:, cols] = True
        expected &= np.tri(T, dtype=bool)
        assert np.array_equal(view.revealed, expected)
        img = image(view)
        assert np.isnan(img[~expected]).all()
        shown = expected & (C > 0)
        assert np.allclose(img[shown], np.log10(C[shown]))
        assert (img[expected & (C == 0)] <= levels[0]).all()  # C[t, 0] = 0: drawn as the floor colour
        assert tuple(view.heatmap.levels) == levels  # the same colours mean the same at every step
        assert tuple(view.colorbar.levels()) == levels
    assert not view.fill_text.isVisible()
    session.back()  # undoing the backward step at k = 0 hides column 0 again
    assert not view.revealed[:, 0].any() and view.revealed[:, 1:].any()


def curve_xy(view, key):
    c = view.curves[key]  # xData / yData: the values given, not their log10 (as getData gives)
    return (np.empty(0), np.empty(0)) if c.xData is None else (np.asarray(c.xData), np.asarray(c.yData))


def core_row(session, t):
    """The right-hand plot's numbers for output step t, straight from the core (k = 0..t)."""
    rnn, x, y = session.rnn, session.x, session.y
    norm, w_factor, tanh_factor = rnn.jacobian_row(x, t)
    d = np.linalg.norm(rnn.deltas(x, y)[t, : t + 1], axis=1)
    radius = spectral_radius(rnn.W) ** (t - np.arange(t + 1))
    return {
        "ratio": d / d[t],
        "norm": norm,
        "w_factor": w_factor,
        "radius_factor": radius,
        "tanh_factor": tanh_factor,
    }


@pytest.mark.parametrize("t", [None, 2])
def test_curves_equal_the_core_numbers_once_bptt_has_reached_them(session, view, t, qtbot):
    if t is None:
        t = session.T - 1
        assert view.chosen_t == t and view.spin.value() == t  # default: the last step
    else:
        view.spin.setValue(t)
        assert view.chosen_t == t
    assert all(curve_xy(view, key)[0].size == 0 for key in view.curves)  # nothing computed yet
    assert "not reached" in view.verdict_label.text()
    steps(session, 2 * session.T)
    settled(qtbot, session)  # the row from the worker has arrived and been drawn
    want = core_row(session, t)
    d = t - np.arange(t + 1)
    order = np.argsort(d)
    for key, y in want.items():
        x, yy = curve_xy(view, key)
        assert np.array_equal(x, d[order]) and np.allclose(yy, y[order], rtol=1e-12), key


VANISH, EXPLODE = 0.1, 10.0  # the verdict's documented rule, stated independently of the widget


def verdict_word(ratio):
    return "vanishing" if ratio <= VANISH else "exploding" if ratio >= EXPLODE else "neither"


def test_small_spectral_radius_says_vanishing(session, view, qtbot):
    assert session.update_settings(spectral_radius=0.1, seq_len=15)
    steps(session, 2 * session.T)
    settled(qtbot, session)
    t = session.T - 1
    ratio = core_row(session, t)["ratio"][0]
    assert ratio < 1e-10
    text = view.verdict_label.text()
    assert "vanishing" in text and f"{t} steps back" in text and f"{ratio:.2g}" in text


def test_large_spectral_radius_w_factor_grows(session, view, qtbot):
    assert session.update_settings(spectral_radius=3.0, seq_len=15)
    steps(session, 2 * session.T)
    settled(qtbot, session)
    _, w = curve_xy(view, "w_factor")
    assert (np.diff(w) > 0).all() and w[-1] > 1e6  # ||W||_2 > 1: the bound explodes
    norm, w_factor, tanh_factor = session.rnn.jacobian_row(session.x, session.T - 1)
    # what is true for this seed: saturated tanh slopes hold the real product far below the W bound
    assert norm[0] < 1e-6 * w_factor[0] and tanh_factor[0] < 0.5
    assert verdict_word(core_row(session, session.T - 1)["ratio"][0]) in view.verdict_label.text()


def test_single_mode_reveals_only_the_target_row(session, view, qtbot):
    assert session.update_settings(mode="single", target=3)
    T = session.T
    assert view.chosen_t == 3 and view.spin.value() == 3
    steps(session, T + 2)  # forward, then backward at k = 3 and k = 2
    settled(qtbot, session)
    expected = np.zeros((T, T), dtype=bool)
    expected[3, [2, 3]] = True
    assert np.array_equal(view.revealed, expected)
    assert np.allclose(image(view)[3, 2:4], np.log10(session.contributions[3, 2:4]))
    steps(session, 2)
    assert view.revealed[3, :4].all() and view.revealed.sum() == 4


def test_hover_reads_the_exact_value_and_click_chooses_the_row(session, view, qtbot):
    T = session.T
    steps(session, 2 * T)
    settled(qtbot, session)
    vb = view.heat_plot.vb
    view._on_mouse_moved(vb.mapViewToScene(QPointF(2, 4)))  # column k = 2, row t = 4
    assert f"{session.contributions[4, 2]:.3e}" in view.hover_label.text()
    assert "= 0" in view.hover_text(4, 0) and "after" in view.hover_text(1, 3)

    class Click:
        def scenePos(self):
            return vb.mapViewToScene(QPointF(1, 3))

    view._on_mouse_clicked(Click())
    assert view.chosen_t == 3 and view.spin.value() == 3
    settled(qtbot, session)  # row 3 comes from the worker
    assert curve_xy(view, "norm")[0].size == 4


def test_reset_and_theme_keep_data(session, view):
    view.spin.setValue(2)
    steps(session, session.T + 1)
    session.reset()  # replaying the same sequence keeps the chosen t
    assert view.chosen_t == 2 and not view.revealed.any()
    session.update_settings(seq_len=9)
    assert session.T == 9 and view.spin.maximum() == 8 and view.chosen_t == 8
    assert np.isnan(image(view)).all()
    before = curve_xy(view, "norm")
    view.apply_theme(style.PRESENTER)
    assert view.curves["ratio"].opts["pen"].widthF() == style.PRESENTER.line_width
    assert np.array_equal(curve_xy(view, "norm")[1], before[1])


def test_rows_chosen_after_the_update_step_come_from_the_traced_parameters(session, view, qtbot):
    """Issue 9, item 3: the update step changes the live model; the curves stay those of the trace."""
    assert session.update_settings(final_update=True, lr=0.5)
    traced = session.rnn.copy()
    steps(session, session.stepper.total_steps)
    assert session.stepper.last.phase == "update" and not np.array_equal(session.rnn.W, traced.W)
    for t in (3, 5, 2):
        view.spin.setValue(t)
        settled(qtbot, session)
        want = traced.jacobian_row(session.x, t)[0][::-1]  # by distance, ascending
        assert np.allclose(curve_xy(view, "norm")[1], want)
    session.back()  # back over the update: the rows seen, and new ones, are still the trace's
    for t in (5, 4):
        view.spin.setValue(t)
        settled(qtbot, session)
        assert np.allclose(curve_xy(view, "norm")[1], traced.jacobian_row(session.x, t)[0][::-1])


@pytest.mark.parametrize("theme", [None, style.PRESENTER])
def test_the_legend_sample_of_the_ratio_shows_its_colour_before_the_row_has_data(session, view, theme):
    """The legend's sample of the ratio curve draws the curve's scatter's brush and pen; PlotDataItem
    hands its symbol brush on to the scatter only with data, so without setting them the sample
    was painted in pyqtgraph's default grey-blue, and stayed so on screen (nothing repaints it)."""
    from PySide6.QtGui import QColor

    if theme is not None:
        view.apply_theme(theme)
    curve = view.sides[0].curves["ratio"]
    assert curve.xData is None or len(curve.xData) == 0  # no row yet
    scatter = curve.scatter.opts
    assert scatter["brush"].color() == QColor(view.theme.backward)
    assert scatter["pen"].color() == QColor(view.theme.backward)


def test_a_forward_step_leaves_the_revealed_cells_alone(session, view, qtbot, monkeypatch):
    """Only backward steps reveal cells: a forward step does no T x T work to find them again, and a
    backward step finds them once."""
    import rnnviz.ui.gradient_side as gradient_side

    computed(qtbot, lambda: session.contributions)
    view.show_state()
    found = []
    real = gradient_side.revealed_cells
    monkeypatch.setattr(gradient_side, "revealed_cells", lambda st: found.append(st.cursor) or real(st))
    steps(session, session.T)  # the forward pass
    assert found == [] and not view.revealed.any()
    steps(session, 1)
    assert found == [session.T + 1] and view.revealed[:, session.T - 1].any()


def test_asking_for_the_least_size_again_lays_the_verdict_out_once(session, view):
    """Qt asks for the view's least size about three times after each step: the verdict's height at
    a width is found once per text (laying its text out was about half of each answer)."""
    first = view.minimumSizeHint()
    laid_out = []
    label = view.verdict_label
    label.heightForWidth = lambda width, _h=label.heightForWidth: laid_out.append(width) or _h(width)
    assert [view.minimumSizeHint() for _ in range(3)] == [first] * 3 and laid_out == []
    label.setText(label.text() + " And one more sentence, long enough to need a line of its own.")
    taller = view.minimumSizeHint()
    assert laid_out and taller.height() >= first.height()


def test_dropped_cells_are_veiled_while_c_is_still_computing(session, view, monkeypatch):
    """Truncated BPTT veils the cells it drops as BPTT reaches them, whether C is in or not (the veil
    does not depend on it; the heatmap's cells stay transparent until it is)."""
    from rnnviz.ui.gradient_side import GradientSide

    monkeypatch.setattr(GradientSide, "take_contributions", lambda side: None)  # C never comes
    assert session.update_settings(truncate=2)
    steps(session, 2 * session.T)
    T = session.T
    t, k = np.indices((T, T))
    alpha = view.veil.image[..., 3]
    assert view.veil.isVisible() and (alpha[(k <= t) & (t - k > 2)] > 0).all()
    assert np.isnan(view.heatmap.image).all()
