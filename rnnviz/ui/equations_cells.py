"""What the equations panel says for a gated cell (LSTM, GRU): its equations as the cell writes them,
and the live numbers of the step just taken, forward and backward, from the Stepper's events.

Everything comes from what the cell says it has: its gates and their names, its states, its forward
and backward equations. In a full sweep the errors are those of L = (1/|M|) sum_t E_t (the direct
error carries the 1/T); in single-loss mode those of the traced E_t alone, as for the vanilla RNN.
"""

from __future__ import annotations

import functools

import numpy as np

from rnnviz.ui.masks import NO_TARGET
from rnnviz.ui.maths_text import GAP, cell_markup, kv, m, norm, num, scale, tt, vec


def _loss(st) -> str:
    return "L" if st.mode == "full" else f"E_{{{st.target}}}"


@functools.lru_cache(maxsize=8)
def forward_eqs(cell) -> list[str]:
    """The cell's forward equations and the output layer's, L's aside (it depends on the targets;
    maths_text.loss_eq). Made once per cell: a page is drawn at every step."""
    return (
        [cell_markup(e) for e in cell.equations]
        + [m("(s_{−1} = 0" + (", c_{−1} = 0)" if "c" in cell.states else ")"))]
        + [m("o_{t} = softmax(V s_{t})"), m("E_{t} = −log o_{t}[y_{t}]")]
    )


def backward_eqs(st) -> list[str]:
    """The cell's backward equations and what the stepper adds up, for the loss it traces."""
    return _backward_eqs(st.spec, st.mode, st.target, st.truncate, scale(st))


@functools.lru_cache(maxsize=16)
def _backward_eqs(cell, mode: str, target, K, normaliser: str) -> list[str]:
    L = "L" if mode == "full" else f"E_{{{target}}}"
    direct = (
        f"({normaliser}) V^{{⊤}}(o_{{t}} − y_{{t}})"
        if mode == "full"
        else f"[t = {target}] V^{{⊤}}(o_{{t}} − y_{{t}})"
    )
    lines = [m(f"∂{L}/∂s_{{t}} = {direct} + (what step t+1 sends back to s_{{t}})")]
    lines += [cell_markup(e) for e in cell.backward_equations]
    lines.append(
        m(f"∂{L}/∂W_{{b}} += δ_{{b,t}} r_{{b,t}}^{{⊤}}")
        + " for each gate "
        + m("b")
        + " (its input "
        + m("r")
    )
    lines[-1] += (
        ": "
        + m("s_{t−1}")
        + ("; the candidate h: " + m("r_{t} ⊙ s_{t−1}") if "r" in cell.gates else "")
        + ")"
    )
    if K:
        lines.append(
            m(f"truncated BPTT, K = {K}: each E_{{t}} keeps only the terms t−{K} ≤ k ≤ t")
            + " (along every path)"
        )
    return lines


def update_eqs(st) -> list[str]:
    return [
        m(f"θ ← θ − η ∂{_loss(st)}/∂θ")
        + "&nbsp;&nbsp; for every parameter "
        + m("θ")
        + " ("
        + m("U_{*}, W_{*}, b_{*}, V")
        + ")"
    ]


def forward_numbers(view, st, ev, now: str, L_line: str) -> list[str]:
    """The step just taken: the input, every gate (mean and first entries), the states, o, E_t."""
    t, cell = ev.t, st.spec
    lines = [
        now + kv(f"x_{{{t}}}", view._label(ev.x)) + f" (id {ev.x}): column {ev.x} of every " + m("U_{*}")
    ]
    for g in cell.gates:  # a gate's mean and range: short enough for a narrow panel in large type
        values = ev.gates[g]
        lines.append(
            kv(f"mean {g}_{{{t}}}", num(np.mean(values)))
            + f" ({cell.gate_titles[g]}), from {num(values.min())} to {num(values.max())}"
        )
    if ev.c is not None:
        lines.append(kv(f"|c_{{{t}}}|", norm(ev.c)) + " " + kv(f"c_{{{t}}}", vec(ev.c)))
    top = int(np.argmax(ev.o))
    lines += [
        kv(f"|s_{{{t}}}|", norm(ev.s)) + " " + kv(f"s_{{{t}}}", vec(ev.s)),
        "predicted " + view._label(top) + " with " + kv(f"o_{{{t}}}[{top}]", num(ev.o[top])),
    ]
    if ev.y >= 0:
        lines += [
            kv(f"o_{{{t}}}[y_{{{t}}}]", num(ev.o[ev.y])) + " for the target " + view._label(ev.y),
            kv(f"E_{{{t}}}", "<b>" + tt(f"{ev.E:.4f}") + "</b>"),
        ]
    else:
        lines.append(m(f"y_{{{t}}}") + f": {NO_TARGET}, so no loss " + m(f"E_{{{t}}}"))
    lines.append(L_line)
    return lines


def backward_numbers(view, st, ev, now: str) -> list[str]:
    """The errors arriving at s_t (and c_t), at every gate's pre-activation, and the W_* so far."""
    t, cell, single, L = ev.t, st.spec, st.mode == "single", _loss(st)
    lines = [now + "the error arriving at " + m(f"s_{{{t}}}") + " (gradient of " + m(L) + ")"]
    if not single and st.y[t] < 0:
        lines.append(m(f"y_{{{t}}}") + f": {NO_TARGET}, so no direct error")
    elif not single:
        lines.append(
            kv(f"({scale(st)})|V^{{⊤}}(o_{{{t}}} − y_{{{t}}})|", norm(ev.error_direct))
            + GAP
            + "direct, from "
            + m(f"E_{{{t}}}")
        )
    elif t == st.target:
        lines.append(
            kv(f"|V^{{⊤}}(o_{{{t}}} − y_{{{t}}})|", norm(ev.error_direct)) + GAP + "direct, from " + m(L)
        )
    else:
        lines.append(
            m(f"V^{{⊤}}(o_{{{t}}} − y_{{{t}}})") + f": not part of this trace (only {m(L)} is traced)"
        )
    lines += [
        kv(f"|∂{L}/∂s_{{{t}}} from step {t + 1}|", norm(ev.error_carried))
        + GAP
        + "carried back from later steps",
        kv(f"|∂{L}/∂s_{{{t}}}|", norm(ev.error)) + GAP + "in all",
    ]
    if ev.error_c is not None:
        lines += [
            kv(f"|∂{L}/∂c_{{{t + 1}}} ⊙ f_{{{t + 1}}}|", norm(ev.error_c_carried))
            + GAP
            + "carried along the cell state",
            kv(f"|∂{L}/∂c_{{{t}}}|", norm(ev.error_c))
            + GAP
            + "in all (along c, and through "
            + m(f"s_{{{t}}}")
            + ")",
        ]
    deltas = ev.deltas
    lines.append(GAP.join(kv(f"|∂{L}/∂a_{{{g},{t}}}|", norm(deltas[g])) for g in cell.gates))
    lines.append(kv(f"|δ_{{{t}}}| = |∂{L}/∂a_{{{t}}}|", norm(ev.delta)) + GAP + "every gate's pre-activation")
    step = ev.step_terms
    share = np.sqrt(sum(float(np.sum(step[name] ** 2)) for name in ev.w_grads))
    lines.append(kv(f"|step {t}'s terms of ∂{L}/∂W_{{*}}|", num(share)))
    if single:  # the Jacobian product inside term k: what vanishes or explodes with distance
        row = view.source.jacobian_row(st.target)  # None while the worker computes it
        view._waiting = row is None
        jac = view.source.numbers.status(("row", st.target)) if row is None else num(row.norm[t])
        state = "(s,c)" if ev.error_c is not None else "s"
        note = "(no factors yet: k = t, the product is I)" if t == st.target else "(spectral norm)"
        lines.append(kv(f"|∂{state}_{{{st.target}}}/∂{state}_{{{t}}}|", jac) + GAP + note)
    grads = ev.w_grads
    total = np.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    lines.append(kv(f"|∂{L}/∂W_{{*}}|", "<b>" + num(total) + "</b>") + " so far")
    return lines


def update_numbers(st, ev, before: float, after: float) -> list[str]:
    """The update step: η, the size of the gradient and of the change, per kind of parameter."""
    loss = _loss(st)
    kinds = {"W_{*}": "W", "U_{*}": "U", "b_{*}": "b", "V": "V"}
    parts = []
    for label, first in kinds.items():
        names = [k for k in ev.new if k.split("_")[0] == first]
        change = np.sqrt(sum(float(np.sum((ev.new[k] - ev.old[k]) ** 2)) for k in names))
        parts.append(kv(f"|Δ{label}|", num(change)))
    grads = ev.gradients.as_dict()
    gW = np.sqrt(sum(float(np.sum(grads[k] ** 2)) for k in grads if k.startswith("W")))
    return [
        kv("η", num(ev.lr)) + GAP + kv(f"|∂{loss}/∂W_{{*}}|", num(gW)),
        "change: " + GAP.join(parts),
        kv("L") + " on this sequence: before " + tt(f"{before:.4f}") + " → after " + tt(f"{after:.4f}"),
    ]
