"""Issue 13's tasks and choices in the app: the task list, the length each task sets (the Sequence
length box off, with the reason), steps with no target said honestly in every view, the activation,
W preset and clip kind controls, ||W||_2 beside rho(W), and texts that are true for ReLU too."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from rnnviz.__main__ import build_parser, main
from rnnviz.core import spectral_norm, spectral_radius
from rnnviz.ui.graph_text import sub
from rnnviz.ui.lab_controls import LENGTH_WHY
from rnnviz.ui.masks import NO_TARGET
from rnnviz.ui.tables import forward_table
from tests.ui.helpers import PATIENCE_MS, computed, settled


@pytest.fixture
def window(make_window):
    return make_window(size=(1600, 900), hidden=6, seq_len=6)[0]


def choose_task(w, task: str) -> None:
    combo = w.controls.task
    combo.setCurrentIndex(combo.findData(task))


def test_the_task_list_offers_the_long_range_tasks_and_each_sets_its_length(window):
    w, s = window, window.session
    seq_len, lab = w.controls.fields["seq_len"], w.controls.lab
    choose_task(w, "long-lag")
    assert s.settings.task == "long-lag" and s.T == s.settings.lag == 10
    assert not seq_len.isEnabled() and seq_len.value() == 10 and seq_len.toolTip() == LENGTH_WHY["long-lag"]
    assert lab.fields["lag"].isEnabled() and not lab.fields["order_length"].isEnabled()
    lab.fields["lag"].setValue(4)  # the task's own length parameter
    assert s.T == 4 and seq_len.value() == 4 and len(s.vocab) == 5  # p + 1 symbols
    choose_task(w, "temporal-order")
    lab.fields["order_length"].setValue(30)
    assert 30 <= s.T <= 33 and seq_len.value() == 33 and lab.fields["order_length"].isEnabled()
    assert seq_len.toolTip() == LENGTH_WHY["temporal-order"]
    choose_task(w, "embedded-reber")
    assert seq_len.toolTip() == LENGTH_WHY["embedded-reber"] and 8 <= s.T <= 30
    for _ in range(20):  # new sequences of the grammar's own lengths, never an error
        s.new_sequence()
        assert 8 <= s.T <= 30
    choose_task(w, "echo")
    assert seq_len.isEnabled() and seq_len.toolTip() == "Timesteps in the sequence"


def test_steps_without_a_target_say_so_in_every_view(window, qtbot):
    w, s = window, window.session
    assert s.update_settings(task="temporal-order", order_length=8)
    T, y = s.T, s.y
    assert (y[:-1] == -1).all() and y[-1] >= 0
    s.step()  # t = 0: no target
    assert NO_TARGET in w.phase_label.text() and "E₀" not in w.phase_label.text()
    assert f"y0: {NO_TARGET}" in w.equations_view.browser.toPlainText().replace("\u2009", "")
    while s.stepper.phase == "forward":
        s.step()
    # the graph's output row: no target, no loss, no error
    texts = [w.graph_view._labels[("o", 0, i)].text for i in range(3)]
    assert texts[0] in ("no target", "—") and texts[1:] == ["", ""]
    assert NO_TARGET in w.graph_view.tooltip_of(w.graph_view.node_items[("o", 0)])
    assert "−log p" not in w.graph_view.tooltip_of(w.graph_view.node_items[("o", 0)])  # no loss is claimed
    # the loss bars: none where there is no target, a cross instead; L is the mean over the targets
    lv = w.loss_view
    heights = lv.step_bars.opts["height"]
    assert (heights[:-1] == 0).all() and heights[-1] == s.step_losses[-1] > 0
    assert lv.no_target_marks.data["x"].tolist() == list(range(T - 1))
    L = s.rnn.loss(s.x, s.y)
    assert np.isclose(lv.mean_line.value(), L) and f"L = {L:.3f}" in lv.step_plot.titleLabel.text
    lv._hover(lv.step_plot.vb.mapViewToScene(QPointF(2, 0.01)))
    assert NO_TARGET in lv.layout_widget.toolTip() and "|M| = 1 of T" in lv.layout_widget.toolTip()
    # the backward pass: no direct error where there is no target
    while s.step() is not None:
        pass
    assert f"done: L = {L:.4f}" in w.phase_label.text()
    assert "none: no target at this step" in w.graph_view.tooltip_of(w.graph_view.edge_items[("V", 0)])
    eq = w.equations_view.browser.toPlainText()
    assert "L = (1/|M|)" in eq and "[t∈M] (1/|M|)" in eq
    header, rows = forward_table(s)
    assert rows[0][3:7] == [-1, "(no target)", "", ""] and rows[-1][5] == s.step_losses[-1]
    # the gradient view at a step with no target: no loss to follow back
    settled(qtbot, s)
    w.gradient_view.spin.setValue(2)
    computed(qtbot, lambda: s.jacobian_row(2))
    assert "has no target" in w.gradient_view.verdict_label.text()
    assert w.gradient_view.hover_text(2, 1).endswith("(its row is 0)")


def test_one_loss_mode_never_traces_a_step_without_a_target(window):
    s = window.session
    assert s.update_settings(task="temporal-order", order_length=8, mode="single", target=3)
    assert s.stepper.target == s.T - 1  # the only step with a loss
    s.new_sequence()  # and for every new sequence
    assert s.stepper.target == s.T - 1


def test_relu_texts_levels_and_curves_are_the_cells(window, qtbot):
    w, s = window, window.session
    assert s.update_settings(activation="relu", w_init="identity", seq_len=6)
    assert s.rnn.spec.activation == "relu"
    eq = w.equations_view.browser.toPlainText()
    assert "st = relu(zt)" in eq.replace("\u2009", "") and "diag([zj > 0]) W" in eq and "tanh" not in eq
    while s.stepper.phase == "forward":
        s.step()
    s.step()  # the first backward step
    t = s.stepper.last.t
    tip = w.graph_view.tooltip_of(w.graph_view.node_items[("s", t)])
    assert f"s{sub(t)} = relu(" in tip and f"relu′(z{sub(t)}) = [z{sub(t)} > 0]" in tip and "tanh" not in tip
    hv = w.hidden_view
    assert hv.heat_plot.titleLabel.text == "Hidden state sₜ = relu(zₜ)"
    top = np.abs(s.stepper.states).max()
    lo, hi = hv.levels
    assert lo == -hi and top <= hi < 5 * top  # fixed for the trace, from its largest s
    assert tuple(hv.heatmap.levels) == (lo, hi) and hv.bar_range == (0.0, hi)  # ReLU states are >= 0
    settled(qtbot, s)
    gv = w.gradient_view
    names = [label.text for _, label in gv.legend.items]
    assert "∏ max relu′" in names and "∏ max tanh′" not in names and "relu′" in gv.verdict_label.toolTip()
    T = s.T
    row = computed(qtbot, lambda: s.jacobian_row(T - 1))
    _norm, _w, relu_factor = s.rnn.jacobian_row(s.x, T - 1)
    assert np.array_equal(row.relu_factor, relu_factor) and "tanh_factor" not in row.curves()
    # the ratio uses ReLU's slopes: |dE_t/dz_k| from the core's deltas
    d = np.linalg.norm(s.rnn.deltas(s.x, s.y)[T - 1], axis=1)  # (T,) |dE_t/dz_k|, E_t not divided by T
    assert np.allclose(s.rnn.delta_norms_row(s.x, s.y, T - 1), d, rtol=1e-12, atol=1e-15)


def test_activation_w_preset_and_clip_kind_controls_reach_the_settings(window):
    s, lab = window.session, window.controls.lab
    lab.combos["activation"].setCurrentIndex(lab.combos["activation"].findData("relu"))
    lab.combos["w_init"].setCurrentIndex(lab.combos["w_init"].findData("identity"))
    assert (s.settings.activation, s.settings.w_init) == ("relu", "identity")
    assert np.array_equal(s.rnn.W, np.eye(6))  # IRNN
    lab.combos["clip_kind"].setCurrentIndex(lab.combos["clip_kind"].findData("element"))
    assert s.trainer.config.clip_kind == "element"
    assert s.update_settings(w_init="orthogonal")  # written back from the session
    assert lab.combos["w_init"].currentData() == "orthogonal"


def test_the_largest_singular_value_is_shown_beside_rho(window, qtbot):
    s, c = window.session, window.controls
    assert s.update_settings(w_init="orthogonal", spectral_radius=0.0)
    qtbot.waitUntil(lambda: c.norm_label.text() not in ("", "computing…"), timeout=PATIENCE_MS)
    assert c.norm_label.text() == f"{spectral_norm(s.stepper.W):.3f}" == "1.000"  # orthogonal: all 1
    assert c.radius_label.text() == f"{spectral_radius(s.stepper.W):.3f}"
    assert s.update_settings(w_init="uniform")
    qtbot.waitUntil(lambda: c.norm_label.text() not in ("", "computing…"), timeout=PATIENCE_MS)
    assert float(c.norm_label.text()) >= float(c.radius_label.text())  # ||W||_2 >= rho(W)


def test_the_command_line_takes_the_tasks_and_their_lengths(capsys):
    a = build_parser().parse_args(["--task", "long-lag", "--lag", "7"])
    assert (a.task, a.lag) == ("long-lag", 7)
    a = build_parser().parse_args(["--task", "temporal-order", "--order-length", "50"])
    assert a.order_length == 50
    with pytest.raises(SystemExit):
        main(["--order-length", "3"])
    assert "between 4 and 182" in capsys.readouterr().err
