"""Every number the app shows for an LSTM or a GRU, checked against the core at every step of a trace:
full sweep, truncated, one loss and masked targets, across the final update step; and in compare
mode the second cell's graph and gradient plots against its own core numbers.

Status bar, Equations panel, the graph's node and edge tooltips and gate bars, the hidden view, the
gradient view's curves. Expected values: tests/ui/gated_truth.py (the core, with each loss's error
carried back on its own, checked against bptt), never the widgets' code.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from rnnviz.core.settings import Settings
from rnnviz.ui.main_window import MainWindow
from rnnviz.ui.masks import NO_TARGET
from tests.ui.gated_truth import GatedTruth
from tests.ui.helpers import settled
from tests.ui.test_numbers_on_screen import agrees, fixed, plain, sub, value_after

CASES = [
    ("full", None, False),
    ("single", None, False),
    ("full", 2, False),
    ("single", 2, False),
    ("full", None, True),
]


def gate_mean(text: str, g: str, t: int, title: str) -> float:
    """The mean printed for gate g at step t in the equations panel."""
    m = re.search(rf"mean {g}{t} = ([−\-+]?[\d.]+(?:e[−\-+]?\d+)?) \({title}\)", text)
    assert m, f"no mean of {g}{t} in\n{text}"
    return float(m[1].replace("−", "-"))


def check_forward(w, truth: GatedTruth, t: int) -> None:
    E, s, o, y, spec = truth.E[t], truth.s[t], truth.o[t], truth.y[t], truth.spec
    eq = plain(w.equations_view)
    if y >= 0:
        assert fixed(value_after(w.status_text(), f"E{sub(t)}"), E, 4)
        assert fixed(value_after(eq, f"E{t}"), E, 4)
    else:  # no target: no loss E_t is shown, the screen says why
        assert NO_TARGET in w.status_text() and f"E{sub(t)} =" not in w.status_text()
        assert f"y{t}: {NO_TARGET}, so no loss E{t}" in eq and f"E{t} =" not in eq
    assert agrees(value_after(eq, f"|s{t}|"), np.linalg.norm(s), 4)
    for g in spec.gates:
        assert agrees(gate_mean(eq, g, t, spec.gate_titles[g]), np.mean(truth.gates[g][t]), 4), g
    if truth.c is not None:
        assert agrees(value_after(eq, f"|c{t}|"), np.linalg.norm(truth.c[t]), 4)
    g = w.graph_view
    s_tip = g.tooltip_of(g.node_items[("s", t)])
    assert fixed(value_after(s_tip, f"|s{sub(t)}|"), np.linalg.norm(s), 4)
    for gate in spec.gates:
        line = f"  {gate}{sub(t)} {spec.gate_titles[gate]}:"
        assert fixed(float(s_tip.split(line)[1].split()[0]), np.mean(truth.gates[gate][t]), 4)
        assert np.isclose(g.gate_bars.values[gate], np.mean(truth.gates[gate][t]), rtol=1e-12, atol=0)
    if truth.c is not None:
        c_tip = g.tooltip_of(g.node_items[("c", t)])
        assert fixed(value_after(c_tip, f"|c{sub(t)}|"), np.linalg.norm(truth.c[t]), 4)
    if y >= 0:
        assert agrees(value_after(eq, f"o{t}[y{t}]"), o[y], 4)
        o_tip = g.tooltip_of(g.node_items[("o", t)])
        assert fixed(value_after(o_tip, "': p"), o[y], 4) and fixed(value_after(o_tip, "−log p"), E, 3)
    else:
        assert "no target at this step" in eq and E == 0
    hidden = w.hidden_view  # what it shows now, column t: the core's numbers
    column = {"s": s, "c": None if truth.c is None else truth.c[t]}
    index, what = hidden.what
    want = column.get(what)
    if want is None:
        want = (
            truth.gates[what][t]
            if what in spec.gates
            else np.concatenate([truth.gates[q][t] for q in spec.gates])
        )
    assert np.allclose(hidden.image[:, t], want, rtol=1e-12, atol=0)


def check_backward(w, truth: GatedTruth, t: int) -> None:
    full = truth.mode == "full"
    L = "L" if full else f"E{sub(truth.target)}"
    Le = "L" if full else f"E{truth.target}"
    status = w.status_text()
    assert agrees(value_after(status, f"|∂{L}/∂a{sub(t)}|"), np.linalg.norm(truth.da[t]), 3)
    assert agrees(value_after(status, f"|∂{L}/∂W_*| so far"), truth.w_so_far(t), 3)
    eq = plain(w.equations_view)
    assert agrees(value_after(eq, f"|δ{t}| = |∂{Le}/∂a{t}|"), np.linalg.norm(truth.da[t]), 4)
    assert agrees(value_after(eq, f"|∂{Le}/∂s{t} from step {t + 1}|"), np.linalg.norm(truth.carried[t]), 4)
    assert agrees(value_after(eq, f"|∂{Le}/∂s{t}|"), np.linalg.norm(truth.error[t]), 4)
    for g, d in truth.deltas(t).items():
        assert agrees(value_after(eq, f"|∂{Le}/∂a{g},{t}|"), np.linalg.norm(d), 4), g
    assert agrees(value_after(eq, f"|step {t}'s terms of ∂{Le}/∂W*|"), truth.step_share(t), 4)
    assert agrees(value_after(eq, f"|∂{Le}/∂W*|"), truth.w_so_far(t), 4)
    if truth.c is not None:
        assert agrees(value_after(eq, f"|∂{Le}/∂c{t + 1} ⊙ f{t + 1}|"), np.linalg.norm(truth.carried_c[t]), 4)
        assert agrees(value_after(eq, f"|∂{Le}/∂c{t}|"), np.linalg.norm(truth.total_c[t]), 4)
    traced = full or t == truth.target
    scale = "1/T" if np.all(truth.y >= 0) else "1/|M|"  # L's normaliser: masked steps do not count
    if full and truth.y[t] < 0:  # no target: no direct error, and the panel says so
        assert f"y{t}: {NO_TARGET}, so no direct error" in eq and not np.any(truth.direct[t])
    elif full:
        assert agrees(value_after(eq, f"({scale})|V⊤(o{t} − y{t})|"), np.linalg.norm(truth.direct[t]), 4)
    elif traced:
        assert agrees(value_after(eq, f"|V⊤(o{t} − y{t})|"), np.linalg.norm(truth.direct[t]), 4)
    else:
        assert f"V⊤(o{t} − y{t}): not part of this trace" in eq
    if not full:
        state = "(s,c)" if truth.c is not None else "s"
        jac = truth.row(truth.target)["norm"][t]
        assert agrees(value_after(eq, f"|∂{state}{truth.target}/∂{state}{t}|"), jac, 4)
    check_graph(w.graph_view, truth, t)


def check_graph(g, truth: GatedTruth, t: int) -> None:
    """Tooltips of column t and of the edges into it, and the gates' bars (the errors at each gate)."""
    full, st = truth.mode == "full", sub(t)
    L = "L" if full else f"E{sub(truth.target)}"
    s_tip = g.tooltip_of(g.node_items[("s", t)])
    if (full or t == truth.target) and truth.y[t] >= 0:
        scale = "1/T" if np.all(truth.y >= 0) else "1/|M|"
        direct = f"({scale})·|Vᵀ(o{st} − y{st})|" if full else f"|Vᵀ(o{st} − y{st})|"
        assert agrees(value_after(s_tip, direct), np.linalg.norm(truth.direct[t]), 5)
        assert agrees(
            value_after(g.tooltip_of(g.edge_items[("V", t)]), f"{direct} (into s{st})"),
            np.linalg.norm(truth.direct[t]),
            5,
        )
        assert agrees(
            value_after(g.tooltip_of(g.node_items[("o", t)]), f"|∂{L}/∂(V s{st})|"), truth.d_out_norm[t], 5
        )
    assert agrees(
        value_after(s_tip, f"|∂{L}/∂s{st} sent back by step {t + 1}|"), np.linalg.norm(truth.carried[t]), 5
    )
    assert agrees(value_after(s_tip, f"total: |∂{L}/∂s{st}|"), np.linalg.norm(truth.error[t]), 5)
    assert agrees(value_after(s_tip, f"|δ{st}|"), np.linalg.norm(truth.da[t]), 5)
    for gate, d in truth.deltas(t).items():
        assert agrees(value_after(s_tip, f"|∂{L}/∂a_{gate}{st}|"), np.linalg.norm(d), 5)
        assert np.isclose(g.gate_bars.values[gate], np.linalg.norm(d), rtol=1e-12, atol=0)
    u_tip = g.tooltip_of(g.edge_items[("U", t)])
    assert agrees(
        value_after(u_tip, f"|∂{L}/∂a{st}| (added to ∂{L}/∂U_*[:, {truth.x[t]}])"),
        np.linalg.norm(truth.da[t]),
        5,
    )
    if truth.c is not None:
        c_tip = g.tooltip_of(g.node_items[("c", t)])
        assert agrees(
            value_after(c_tip, f"|∂{L}/∂c{sub(t + 1)} ⊙ f{sub(t + 1)}|"),
            np.linalg.norm(truth.carried_c[t]),
            5,
        )
        assert agrees(value_after(c_tip, f"total: |∂{L}/∂c{st}|"), np.linalg.norm(truth.total_c[t]), 5)
    if t + 1 < truth.T:  # the edges s_t -> s_{t+1} (and c_t -> c_{t+1}) have now carried their errors
        w_tip = g.tooltip_of(g.edge_items[("W", t + 1)])
        assert agrees(value_after(w_tip, f"(into s{st})"), np.linalg.norm(truth.carried[t]), 5)
        if truth.c is not None:
            c_edge = g.tooltip_of(g.edge_items[("C", t + 1)])
            assert agrees(value_after(c_edge, f"(into c{st})"), np.linalg.norm(truth.carried_c[t]), 5)
    if t >= 1:
        assert "no gradient carried back yet" in g.tooltip_of(g.edge_items[("W", t)])


def check_gradient_view(view, truth: GatedTruth, side, st) -> None:
    """The going-back curves of output step t, as far as BPTT has reached them."""
    t = view.chosen_t
    if truth.y[t] < 0:
        assert all(c.xData is None or len(c.xData) == 0 for c in side.curves.values())
        return
    want = truth.row(t)
    bw = st.backward_steps()
    if st.mode == "single":
        ks = (
            list(range(t + 1))
            if t == st.target and len(bw) == st.n_backward
            else sorted(e.t for e in bw if t == st.target)
        )
    else:
        ks = sorted(e.t for e in bw if e.t <= t)
    ks = np.array(ks, dtype=int)[::-1]  # distance ascending
    for key, y in want.items():
        c = side.curves[key]
        xs = np.empty(0) if c.xData is None else np.asarray(c.xData)
        ys = np.empty(0) if c.yData is None else np.asarray(c.yData)
        keep = np.isfinite(y[ks]) & (y[ks] > 0) if len(ks) else np.zeros(0, bool)
        assert np.array_equal(xs, (t - ks)[keep]), key
        assert np.allclose(ys, y[ks][keep], rtol=1e-10, atol=0), key


def make_session(cell: str, mode: str, K, masked: bool, compare: str = ""):
    from rnnviz.ui.session import Session

    s = Session(
        Settings(task="echo", delay=2, hidden=6, seq_len=6, seed=0, mode=mode, target=4, truncate=K or 0,
                 final_update=True, lr=0.5, cell=cell, compare=compare)
    )  # fmt: skip
    if masked:  # no loss at steps 1 and 3 (as a long-range task's blanks)
        s.y = np.where(np.isin(np.arange(s.T), [1, 3]), -1, s.y)
        s.reset()
    return s


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-K{c[1]}{'-masked' if c[2] else ''}")
def test_every_number_of_a_gated_cell_at_every_step(qtbot, cell, case):
    mode, K, masked = case
    s = make_session(cell, mode, K, masked)
    w = MainWindow(s, restore=False)
    qtbot.addWidget(w)
    truth = GatedTruth(s.rnn.copy(), s.x, s.y, mode, s.stepper.target, K)
    st = s.stepper
    hidden_choices = [w.hidden_view.chooser.itemData(i) for i in range(w.hidden_view.chooser.count())]
    assert {what for _, what in hidden_choices} == {"s", *truth.spec.gates, "gates"} | (
        {"c"} if truth.c is not None else set()
    )

    def check_view():
        settled(qtbot, s)
        check_gradient_view(w.gradient_view, truth, w.gradient_view.sides[0], st)

    check_view()
    n = 0
    while (ev := s.step()) is not None:
        if ev.phase == "forward":
            w.hidden_view.choose(0, hidden_choices[n % len(hidden_choices)][1])  # each in turn
            n += 1
            check_forward(w, truth, ev.t)
        elif ev.phase == "backward":
            settled(qtbot, s)
            check_backward(w, truth, ev.t)
        check_view()
    ev = st.last
    assert ev.phase == "update"
    grads = truth.final_gradients
    for name, value in ev.new.items():  # the update: every parameter moved by -lr times its gradient
        assert np.allclose(value, ev.old[name] - 0.5 * grads[name]), name
    after = truth.model.copy()
    after.set_params(**{k: np.array(v) for k, v in ev.new.items()})
    L_before = truth.model.loss(truth.x, truth.y)  # the mean over the steps with a target
    assert fixed(value_after(w.loss_view.step_plot.titleLabel.text, "dashed: L"), L_before, 3)
    n = int(np.sum(truth.y >= 0))  # L is the mean over the steps with a target, and says so
    over = f"L over all {truth.T} steps" if n == truth.T else f"L over the {n} steps with a target"
    assert fixed(value_after(plain(w.equations_view), over), L_before, 4)
    m = re.search(r"L = ([\d.]+) → ([\d.]+)", w.status_text())
    assert m and fixed(float(m[1]), L_before, 4) and fixed(float(m[2]), after.loss(truth.x, truth.y), 4)
    eq = plain(w.equations_view)
    m = re.search(r"before ([\d.]+) → after ([\d.]+)", eq)
    assert m and fixed(float(m[1]), L_before, 4) and fixed(float(m[2]), after.loss(truth.x, truth.y), 4)
    for t in (2, 5, 3):  # rows chosen after the update still come from the traced parameters
        w.gradient_view.spin.setValue(t)
        check_view()
    while (ev := s.back()) is not None:  # and all the way back
        if ev.phase == "backward" and st.last is not None and st.last.phase == "backward":
            settled(qtbot, s)
            check_backward(w, truth, st.last.t)
        check_view()
    w.close()


def test_compare_mode_draws_each_cell_from_its_own_core_numbers(qtbot):
    s = make_session("rnn", "full", None, False, compare="lstm")
    w = MainWindow(s, restore=False)
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    qtbot.waitExposed(w)
    lstm = s.tracks[1]
    assert lstm.name == "LSTM" and w.compare_graph.isVisible() and np.array_equal(lstm.stepper.x, s.stepper.x)
    truth = GatedTruth(lstm.rnn.copy(), s.x, s.y, "full", None, None)
    gv = w.gradient_view
    while (ev := s.step()) is not None and ev.phase != "update":
        assert lstm.stepper.cursor == s.stepper.cursor  # one cursor drives both
        settled(qtbot, s)
        if ev.phase == "backward":
            check_graph(w.compare_graph, truth, ev.t)
        check_gradient_view(gv, truth, gv.sides[1], lstm.stepper)
    C_rnn, C_lstm = s.contributions, lstm.contributions
    assert np.allclose(C_lstm, truth.model.contributions(s.x, s.y))
    from rnnviz.ui import style

    levels = style.log_levels(np.concatenate([C_rnn.ravel(), C_lstm.ravel()]))
    assert (
        tuple(gv.sides[0].heatmap.levels) == tuple(gv.sides[1].heatmap.levels) == levels
    )  # one colour scale
    assert gv.sides[0].line_plot.viewRange()[1] == gv.sides[1].line_plot.viewRange()[1]  # one vertical scale
    w.close()
