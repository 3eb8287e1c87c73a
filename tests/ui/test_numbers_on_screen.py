"""Every number the app shows, checked against the core's arrays at every step of a full trace.

Status bar, Equations panel, node and edge tooltips, gradient-view curves and verdict; full sweep and
single loss, with and without truncation, across the final update step and back over it. Expected
values come from rnnviz.core on a copy of the traced parameters (deltas, forward, bptt,
contribution_terms, jacobian_row), never from the widgets' code; text rounding aside they must agree.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from rnnviz.core import RNN, spectral_radius
from rnnviz.core.settings import Settings
from rnnviz.ui.main_window import MainWindow
from tests.ui.helpers import settled

VANISH, EXPLODE = 0.1, 10.0  # the verdict's documented rule (rnnviz/ui/verdict.py), stated independently

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
NUMBER = r"(?:\s*\([^)]*\))?\s*=\s*([−\-+]?\d[\d.,]*(?:e[−\-+]?\d+)?)"  # an aside may sit before '='


def sub(t: int) -> str:
    return str(t).translate(SUB)


def value_after(text: str, label: str) -> float:
    """The number printed right after 'label = ' (its first occurrence followed by a number)."""
    m = re.search(re.escape(label) + NUMBER, text)
    assert m, f"no number after {label!r} in\n{text}"
    return float(m.group(1).replace("−", "-").replace(",", ""))


def agrees(shown: float, true: float, digits: int) -> bool:
    """Equal up to the rounding of a number printed with `digits` significant digits."""
    if true == 0:
        return shown == 0
    ulp = 10.0 ** (np.floor(np.log10(abs(true))) - digits + 1)
    return abs(shown - true) <= 0.51 * ulp


def fixed(shown: float, true: float, decimals: int) -> bool:
    return abs(shown - true) <= 0.51 * 10.0**-decimals


class Truth:
    """What every view should show, from the core alone, for one trace's parameters."""

    def __init__(self, rnn: RNN, x, y, mode: str, target: int | None, K: int | None):
        T = len(x)
        self.rnn, self.x, self.y, self.T, self.mode, self.target, self.K = rnn, x, y, T, mode, target, K
        f = rnn.forward(x)
        self.s, self.o = f.s, f.o
        self.E = rnn.step_losses(x, y)
        D = rnn.deltas(x, y)  # (T, T, H): D[t, k] = dE_t/dz_k, E_t not divided by T
        slope = 1.0 - f.s**2
        t_idx, k_idx = np.indices((T, T))
        keep = k_idx <= t_idx
        if K is not None:
            keep &= t_idx - k_idx <= K
        if mode == "single":
            keep &= t_idx == target
        w = 1.0 / T if mode == "full" else 1.0  # L = (1/T) sum E_t, or E_target alone
        Dk = D * keep[:, :, None] * w
        self.dz = Dk.sum(axis=0)  # (T, H) the trace's delta_k
        diag = np.eye(T, dtype=bool)[:, :, None]
        self.direct = (Dk * diag).sum(axis=0) / slope  # (T, H) direct error at s_k
        self.carried = (Dk * ~diag).sum(axis=0) / slope  # (T, H) carried error at s_k
        self.d_out_norm = np.linalg.norm(f.o - np.eye(rnn.vocab_size)[y], axis=1) * w  # |dE/d(V s_t)|
        s_prev = np.vstack([np.zeros((1, rnn.hidden_size)), f.s[:-1]])
        self.terms = self.dz[:, :, None] * s_prev[:, None, :]  # (T, H, H) outer(delta_k, s_{k-1})
        self.delta_norms = np.linalg.norm(D, axis=2)  # (T, T) |dE_t/dz_k|

    def traced(self, t: int) -> bool:
        return self.mode == "full" or t == self.target

    def dW_so_far(self, k: int) -> np.ndarray:
        return self.terms[k:].sum(axis=0)

    def row(self, t: int) -> dict[str, np.ndarray]:
        norm, w_factor, tanh_factor = self.rnn.jacobian_row(self.x, t)
        d = self.delta_norms[t, : t + 1]
        radius = spectral_radius(self.rnn.W) ** (t - np.arange(t + 1))
        return {
            "ratio": d / d[t],
            "norm": norm,
            "w_factor": w_factor,
            "radius_factor": radius,
            "tanh_factor": tanh_factor,
        }


def plain(view) -> str:
    return view.browser.toPlainText().replace("\xa0", " ")


def check_forward(w, truth: Truth, t: int) -> None:
    E, s, o, y = truth.E[t], truth.s[t], truth.o[t], truth.y[t]
    assert fixed(value_after(w.status_text(), f"E{sub(t)}"), E, 4)
    eq = plain(w.equations_view)
    assert fixed(value_after(eq, f"E{t}"), E, 4)
    assert agrees(value_after(eq, f"|s{t}|"), np.linalg.norm(s), 4)
    assert agrees(value_after(eq, f"o{t}[y{t}]"), o[y], 4)
    W_s_prev = truth.rnn.W @ (truth.s[t - 1] if t else np.zeros_like(s))
    assert agrees(value_after(eq, f"|W s{t - 1 if t else '−1'}|"), np.linalg.norm(W_s_prev), 4)
    g = w.graph_view
    assert fixed(value_after(g.tooltip_of(g.node_items[("s", t)]), f"|s{sub(t)}|"), np.linalg.norm(s), 4)
    o_tip = g.tooltip_of(g.node_items[("o", t)])
    assert fixed(value_after(o_tip, "': p"), o[y], 4) and fixed(value_after(o_tip, "−log p"), E, 3)


def check_backward(w, truth: Truth, t: int) -> None:
    full = truth.mode == "full"
    L = "L" if full else f"E{sub(truth.target)}"
    dz, dW = truth.dz[t], truth.dW_so_far(t)
    status = w.status_text()
    assert agrees(value_after(status, f"|∂{L}/∂z{sub(t)}|"), np.linalg.norm(dz), 3)
    assert agrees(value_after(status, f"|∂{L}/∂W| so far"), np.linalg.norm(dW), 3)
    eq = plain(w.equations_view)
    Le = "L" if full else f"E{truth.target}"
    assert agrees(value_after(eq, f"|δ{t}| = |∂{Le}/∂z{t}|"), np.linalg.norm(dz), 4)
    nxt = "T" if t == truth.T - 1 else str(t + 1)
    assert agrees(value_after(eq, f"|W⊤δ{nxt}|"), np.linalg.norm(truth.carried[t]), 4)
    prev = f"s{t - 1}" if t else "s−1"
    assert agrees(value_after(eq, f"|δ{t} {prev}⊤|"), np.linalg.norm(truth.terms[t]), 4)
    assert agrees(value_after(eq, f"|∂{Le}/∂W|"), np.linalg.norm(dW), 4)
    if full:
        assert agrees(value_after(eq, f"(1/T)|V⊤(o{t} − y{t})|"), np.linalg.norm(truth.direct[t]), 4)
    elif t == truth.target:
        assert agrees(value_after(eq, f"|V⊤(o{t} − y{t})|"), np.linalg.norm(truth.direct[t]), 4)
    else:  # never "= 0": E_t's error exists, it is just not part of this trace
        assert f"V⊤(o{t} − y{t}): not part of this trace" in eq
    if not full:
        jac = truth.rnn.jacobian_row(truth.x, truth.target)[0][t]
        assert agrees(value_after(eq, f"|∏j={t + 1}..{truth.target} ∂sj/∂sj−1|"), jac, 4)
    check_tooltips(w, truth, t)


def check_tooltips(w, truth: Truth, t: int) -> None:
    """Node and edge tooltips of column t, and of the W edge into s_t (carried once s_{t-1} is reached)."""
    g, st = w.graph_view, sub(t)
    full = truth.mode == "full"
    L = "L" if full else f"E{sub(truth.target)}"
    s_tip = g.tooltip_of(g.node_items[("s", t)])
    if truth.traced(t):
        direct = f"(1/T)·|Vᵀ(o{st} − y{st})|" if full else f"|Vᵀ(o{st} − y{st})|"
        assert agrees(value_after(s_tip, direct), np.linalg.norm(truth.direct[t]), 5)
        assert agrees(
            value_after(g.tooltip_of(g.edge_items[("V", t)]), f"{direct} (into s{st})"),
            np.linalg.norm(truth.direct[t]),
            5,
        )
        o_tip = g.tooltip_of(g.node_items[("o", t)])
        assert agrees(value_after(o_tip, f"|∂{L}/∂(V s{st})|"), truth.d_out_norm[t], 5)
    else:
        assert f"direct from E{st}: not part of this trace" in s_tip
        assert "not part of this trace" in g.tooltip_of(g.edge_items[("V", t)])
        assert "not part of this trace" in g.tooltip_of(g.node_items[("o", t)])
    assert agrees(value_after(s_tip, f"|Wᵀ δ{sub(t + 1)}|"), np.linalg.norm(truth.carried[t]), 5)
    assert agrees(value_after(s_tip, f"|∂{L}/∂s{st}|"), np.linalg.norm(truth.direct[t] + truth.carried[t]), 5)
    assert agrees(value_after(s_tip, f"|δ{st}| = "[:-3]), np.linalg.norm(truth.dz[t]), 5)
    u_tip = g.tooltip_of(g.edge_items[("U", t)])
    assert agrees(
        value_after(u_tip, f"|∂{L}/∂z{st}| (added to ∂{L}/∂U[:, {truth.x[t]}])"),
        np.linalg.norm(truth.dz[t]),
        5,
    )
    if t + 1 < truth.T:  # the W edge s_t -> s_{t+1} has now carried W^T delta_{t+1} into s_t
        w_tip = g.tooltip_of(g.edge_items[("W", t + 1)])
        assert agrees(value_after(w_tip, f"(into s{st})"), np.linalg.norm(truth.carried[t]), 5)
    if t >= 1:  # ... but the W edge into s_t has not carried anything into s_{t-1} yet
        assert "no gradient carried back yet" in g.tooltip_of(g.edge_items[("W", t)])


def revealed_ks(st, t: int) -> list[int]:
    """The steps k <= t the backward pass has reached for output step t (from the stepper's events)."""
    bw = st.backward_steps()
    if st.mode == "single":
        if t != st.target:
            return []
        if len(bw) == st.n_backward:  # done: the dropped terms are shown (veiled) too
            return list(range(t + 1))
    return sorted(e.t for e in bw if e.t <= t)


def check_gradient_view(w, truth: Truth, st) -> None:
    view = w.gradient_view
    t = view.chosen_t
    want = truth.row(t)
    ks = np.array(revealed_ks(st, t), dtype=int)
    for key, y in want.items():
        c = view.curves[key]
        xs = np.empty(0) if c.xData is None else np.asarray(c.xData)
        ys = np.empty(0) if c.yData is None else np.asarray(c.yData)
        k_sorted = ks[::-1]  # distance ascending
        keep = y[k_sorted] > 0
        assert np.array_equal(xs, (t - k_sorted)[keep]), key
        assert np.allclose(ys, y[k_sorted][keep], rtol=1e-10), key
    text = view.verdict_label.text()
    far = [k for k in ks if k < t]
    if t == 0 or not far:
        assert "×" not in text
        return
    k = min(far)
    r = want["ratio"][k]
    assert agrees(value_after(text, f"|∂E{sub(t)}/∂z{sub(k)}|"), r, 2)
    word = "vanishing" if r <= VANISH else "exploding" if r >= EXPLODE else "neither vanishing nor exploding"
    assert f"→ {word}." in text and f"{t - k} step" in text


CASES = [("full", None), ("single", None), ("full", 2), ("single", 2)]


@pytest.fixture(params=CASES, ids=lambda c: f"{c[0]}-K{c[1]}")
def traced(request, qtbot):
    from rnnviz.ui.session import Session

    mode, K = request.param
    s = Session(
        Settings(task="echo", delay=2, hidden=8, seq_len=6, seed=0, mode=mode, target=4,
                 truncate=K or 0, final_update=True, lr=0.5)
    )  # fmt: skip
    w = MainWindow(s, restore=False)
    qtbot.addWidget(w)
    truth = Truth(s.rnn.copy(), s.x, s.y, mode, s.stepper.target, K)
    yield w, s, truth
    w.close()


def test_every_number_at_every_step_and_across_the_update(traced, qtbot):
    w, s, truth = traced

    st = s.stepper

    def check_view():  # once the worker's numbers for what is on screen are in
        settled(qtbot, s)
        check_gradient_view(w, truth, st)

    assert "ready" in w.status_text()
    check_view()
    while (ev := s.step()) is not None:
        if ev.phase == "forward":
            check_forward(w, truth, ev.t)
        elif ev.phase == "backward":
            settled(qtbot, s)
            check_backward(w, truth, ev.t)
        check_view()
    # the end of the backward pass equals the core's own gradient
    if truth.mode == "full":
        want = truth.rnn.bptt(truth.x, truth.y, truncate=truth.K).dW
    else:
        terms = truth.rnn.contribution_terms(truth.x, truth.y, truth.target)
        lo = 0 if truth.K is None else max(0, truth.target - truth.K)
        want = terms[lo:].sum(axis=0)
    assert np.allclose(st.backward_steps()[-1].dW, want)
    # the update step: the loss before and after, from the core
    ev = st.last
    assert ev.phase == "update"
    after = truth.rnn.copy()
    after.set_params(U=ev.new["U"], W=ev.new["W"], V=ev.new["V"])
    assert np.allclose(ev.new["W"], truth.rnn.W - 0.5 * want)
    before_L, after_L = truth.E.mean(), after.loss(truth.x, truth.y)
    status = w.status_text()
    m = re.search(r"L = ([\d.]+) → ([\d.]+)", status)
    assert m and fixed(float(m[1]), before_L, 4) and fixed(float(m[2]), after_L, 4), status
    eq = plain(w.equations_view)
    m = re.search(r"before ([\d.]+) → after ([\d.]+)", eq)
    assert m and fixed(float(m[1]), before_L, 4) and fixed(float(m[2]), after_L, 4)
    # after the update the live model has changed; every number drawn still comes from the trace
    assert not np.array_equal(s.rnn.W, truth.rnn.W)
    for t in (2, 5, 3):
        w.gradient_view.spin.setValue(t)
        check_view()
    s.back()  # back over the update: the model is the traced one again; the rows still are
    assert np.array_equal(s.rnn.W, truth.rnn.W)
    for t in (4, 1, 2):
        w.gradient_view.spin.setValue(t)
        check_view()
    settled(qtbot, s)
    check_backward(w, truth, st.last.t)
    while (ev := s.back()) is not None:  # and all the way back
        if ev.phase == "backward" and st.last is not None and st.last.phase == "backward":
            settled(qtbot, s)
            check_backward(w, truth, st.last.t)
        check_view()


def test_single_mode_status_names_the_traced_loss(qtbot):
    """Item 2: in single-loss mode the status bar never calls the gradient of E_t that of L."""
    from rnnviz.ui.session import Session

    s = Session(Settings(task="echo", hidden=8, seq_len=7, seed=0, mode="single", target=6))
    w = MainWindow(s, restore=False)
    qtbot.addWidget(w)
    while s.step() is not None:
        assert "∂L/∂W" not in w.status_text() and "L =" not in w.status_text()
    assert "|∂E₆/∂W| so far" in w.status_text()
    assert fixed(value_after(w.status_text(), "E₆"), s.step_losses[6], 4)
    w.close()
