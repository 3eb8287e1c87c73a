"""Labels say exactly what they show: plain axis values, one smoothing, no stale titles, ghost bars,
the verdict's one rule, the 1/T factor in CSV headers, and the truncation band drawn."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from rnnviz.ui.tables import backward_table
from tests.ui.helpers import PATIENCE_MS, settled


def axes(window) -> list[pg.AxisItem]:
    out = []
    for view in window.views.values():
        widget = getattr(view, "layout_widget", None)
        if widget is not None:
            out += [i for i in widget.scene().items() if isinstance(i, pg.AxisItem)]
    return out


def assert_plain_values(window) -> None:
    """No axis shows a scaled value: every tick label is the value itself (or it names its unit)."""
    found = axes(window)
    assert len(found) > 10
    for ax in found:
        ax.updateAutoSIPrefix() if ax.autoSIPrefix else None
        assert ax.autoSIPrefixScale * ax.scale == 1.0 or ax.labelUnits, (ax.labelText, ax.autoSIPrefixScale)
        assert "(x" not in ax.labelString()


def press(window, qtbot, key, times=1):
    for _ in range(times):
        qtbot.keyClick(window, key)


def test_loss_axis_never_scaled_across_presenter_toggles(make_window, qtbot):
    w, s = make_window(task="parity", hidden=8, seq_len=12, seed=0)
    press(w, qtbot, Qt.Key.Key_Right, 4)
    w.set_presenter(True)  # F11
    assert_plain_values(w)
    ax = w.loss_view.step_plot.getAxis("left")
    top = ax.range[1]
    assert 0.5 < top < 2  # E_t of parity is below log 2 ≈ 0.69: the axis reads in the same units
    assert ax.tickStrings([0.6], ax.autoSIPrefixScale * ax.scale, 0.1) == ["0.6"]
    w.set_presenter(False)
    assert_plain_values(w)
    s.train(300)
    qtbot.waitUntil(lambda: not s.training, timeout=PATIENCE_MS)
    for on in (True, False, True, False):
        w.set_presenter(on)
        assert_plain_values(w)


def test_training_loss_has_one_definition_named_on_screen(make_window, qtbot):
    w, s = make_window(task="echo", hidden=8, seq_len=10, seed=0)
    with qtbot.waitSignal(
        s.sig_message, timeout=30000, check_params_cb=lambda m: m.startswith("Trained")
    ) as b:
        s.train(400)
    from rnnviz.ui.tables import smoothed_loss

    value, covered = smoothed_loss(s.history)
    message, title = b.args[0], w.loss_view.curve_plot.titleLabel.text
    assert f"smoothed loss {value:.3f} (mean of the last {covered:,} iterations)" in message
    assert f"smoothed {value:.3f}" in title
    sx, sy = w.loss_view.smooth_curve.getData()
    assert sy[-1] == pytest.approx(value)  # the curve ends where the title and message say
    legend = [label.text for _, label in w.loss_view.legend.items]
    assert f"smoothed: mean of the last {covered:,} iterations" in legend


def test_no_stale_titles_axes_or_progress(make_window, qtbot):
    w, s = make_window(task="echo", hidden=8, seq_len=10, seed=0)
    lv = w.loss_view
    for _ in range(s.T):
        s.step()
    assert "L = " in lv.step_plot.titleLabel.text
    for action in (s.reset, s.new_sequence):
        action()
        assert "L = " not in lv.step_plot.titleLabel.text and "none computed" in lv.step_plot.titleLabel.text
    w.lesson_panel.start(1)
    assert "L = " not in lv.step_plot.titleLabel.text
    w.controls.iterations.setValue(300)
    w.controls.start_training()
    qtbot.waitUntil(lambda: not s.training, timeout=PATIENCE_MS)
    assert "L = " not in lv.step_plot.titleLabel.text  # training resets the trace: no bars, no L
    assert w.controls.progress.value() == 300
    assert lv.curve_plot.vb.autoRangeEnabled()[0] and lv.raw_curve.getData()[0].max() > 250
    s.update_settings(task="parity")  # a new model: no training yet, and nothing left of the old one
    assert "not trained yet" in lv.curve_plot.titleLabel.text
    assert lv.curve_plot.viewRange()[0][1] <= 100  # not the old 0-300 axis
    assert w.controls.progress.value() == 0
    # the legend and the uniform-guess note never sit on the curve: both live outside the plot
    assert lv.legend.parentItem() is not lv.curve_plot.vb and getattr(lv.chance_line, "label", None) is None
    assert (
        lv.legend.mapRectToScene(lv.legend.boundingRect()).bottom()
        > lv.curve_plot.vb.sceneBoundingRect().bottom()
    )


def tick_values(ax: pg.AxisItem, lo: float, hi: float) -> list[float]:
    levels = ax._tickLevels if ax._tickLevels is not None else ax.tickValues(lo, hi, 400)
    out = []
    for level in levels:
        out += [v for v, *_ in level] if level and isinstance(level[0], tuple) else list(level[1])
    return out


def test_gradient_axes_label_decades_and_whole_steps(make_window, qtbot):
    w, s = make_window(task="echo", hidden=8, seq_len=6, seed=0)
    for _ in range(2 * s.T):
        s.step()
    gv = w.gradient_view
    for t in (1, 2, 5):
        gv.spin.setValue(t)
        settled(qtbot, s)  # the row comes from the worker
        left = gv.line_plot.getAxis("left")
        major, _minor = left._tickLevels
        assert major and all(label in ("1", "10") or label.startswith("10") for _, label in major)
        assert all(float(v).is_integer() for v, _ in major)  # log axis: powers of ten only
        bottom = gv.line_plot.getAxis("bottom")
        lo, hi = gv.line_plot.viewRange()[0]
        spacing = bottom.tickSpacing(lo, hi, 400)
        assert all(float(step).is_integer() and step >= 1 for step, _ in spacing)  # never 0.5 steps
    for plot in (gv.heat_plot, w.hidden_view.heat_plot, w.loss_view.step_plot):
        ax = plot.getAxis("bottom")
        lo, hi = plot.viewRange()[0]
        assert all(float(step).is_integer() for step, _ in ax.tickSpacing(lo, hi, 400))


def test_ghost_bars_keep_the_bars_from_before_training_on_one_axis(make_window, qtbot):
    w, s = make_window(task="echo", delay=1, hidden=8, seq_len=8, seed=2)
    before = np.array(s.step_losses)
    lv = w.loss_view
    assert not lv.ghost_text.isVisible()
    s.train(500)
    qtbot.waitUntil(lambda: not s.training, timeout=PATIENCE_MS)
    for _ in range(s.T):
        s.step()
    ghost = lv.ghost_bars.opts
    assert np.allclose(ghost["height"], before) and lv.ghost_text.isVisible()
    now = lv.step_bars.opts["height"]
    assert np.allclose(now, s.step_losses) and now.mean() < 0.5 * before.mean()  # shorter now
    top = lv.step_plot.viewRange()[1][1]
    assert top >= before.max()  # the same axis holds both
    s.new_model()  # another model: the ghost no longer describes it
    assert lv.ghost_for_now() is None and len(lv.ghost_bars.opts["height"]) == 0


def test_verdict_uses_one_rule_stated_in_its_tooltip():
    from rnnviz.ui import verdict

    words = [verdict.word(r) for r in (1e-6, 0.0015, 0.018, 0.1, 0.11, 1, 9.9, 10, 32, 1e6)]
    assert words[:4] == ["vanishing"] * 4 and words[-3:] == ["exploding"] * 3
    assert set(words[4:7]) == {"neither vanishing nor exploding"}
    assert "0.1×" in verdict.RULE and "10×" in verdict.RULE and "|∂E_t/∂z_k| ÷ |∂E_t/∂z_t|" in verdict.RULE
    text = verdict.verdict(5, np.array([0.051, 0.1, 0.3, 0.5, 0.7, 1.0]), np.ones(6, bool))
    assert "|∂E₅/∂z₀| = 0.051 × |∂E₅/∂z₅|" in text and "vanishing" in text


def test_backward_csv_headers_say_which_loss_and_where_1_over_T_is(session):
    session.stepper.run()
    header, rows = backward_table(session)
    assert header[1].startswith("(1/T)") and "dL/dz_t" in header[3] and header[5] == "|dL/dW| so far"
    assert session.update_settings(mode="single", target=3)
    session.stepper.run()
    header, rows = backward_table(session)
    assert "(1/T)" not in " ".join(header) and "dE_3/dz_k" in header[3] and "dE_3/dW" in header[5]
    assert "only k = 3" in header[1]


def test_truncation_band_veil_and_cut_edges(make_window, qtbot):
    w, s = make_window(task="echo", delay=5, hidden=8, seq_len=10, seed=2, truncate=3)
    T, K = s.T, 3
    gv, g = w.gradient_view, w.graph_view
    assert s.stepper.truncate == K and gv.band.isVisible()
    assert set(g.cut_items) == {t for t in range(1, T) if t + K <= T - 1}  # where an E_t's error stops
    assert all("truncation K = 3" in bar.toolTip() for bar in g.cut_items.values())
    for _ in range(2 * T):
        s.step()
    settled(qtbot, s)
    t_idx, k_idx = np.indices((T, T))
    dropped = (k_idx <= t_idx) & (t_idx - k_idx > K)
    alpha = gv.veil.image[..., 3]
    assert (alpha[dropped] > 0).all() and (alpha[~dropped] == 0).all()
    bx, by = gv.band.getData()
    assert bx[0] == -0.5 and by[0] == K + 0.5 and bx[-1] == T - 1 - K - 0.5  # the staircase k = t - K
    assert "dropped by truncation" in gv.hover_text(9, 2) and "dropped" not in gv.hover_text(9, 6)
    assert gv.cut_line.isVisible() and gv.cut_line.value() == K + 0.5
    assert s.update_settings(truncate=0)  # off: full BPTT, nothing drawn for it
    assert s.stepper.truncate is None and not gv.band.isVisible() and not g.cut_items


def test_going_back_axis_label_shown_whole_on_a_projector(make_window, qtbot):
    """At 1024x768 the "Going back" plot's axes name themselves whole (the y-axis was cut to "relative
    to t (l…"; presenter mode cut it to "relative to …" on a 1280x720 screen, and the x-axis to
    "distance t − k (steps …" on 1024x768: see screen_probe's shots)."""
    w, s = make_window(size=(1024, 768), task="echo", hidden=8, seq_len=12, seed=0)
    w.choose_view("gradients")
    for _ in range(2 * s.T):
        s.step()
    settled(qtbot, s)
    left = w.gradient_view.line_plot.getAxis("left")
    qtbot.waitUntil(lambda: left.size().height() > 0, timeout=PATIENCE_MS)
    left.labelString()  # as drawn at the axis's present length
    assert left.shown_label == left.labelText == "ratio to t"
    bottom = w.gradient_view.line_plot.getAxis("bottom")
    bottom.labelString()
    assert bottom.shown_label == bottom.labelText == "steps back (t − k)"
