"""The numbers behind the views as tables (header, rows), for CSV export. No Qt here."""

from __future__ import annotations

import numpy as np

from rnnviz.ui.masks import masked, normaliser


def _norm(a) -> float:
    return float(np.linalg.norm(a))  # L2 for vectors, Frobenius for matrices


def forward_table(session) -> tuple[list[str], list[list]]:
    """One row per forward step computed so far: ids, printable tokens, E_t, o_t[y_t], |s_t|, s_t;
    for a gated cell also |c_t| (LSTM) and each gate's mean over the units (a masked step's o_t[y_t]
    is empty: it has no target). `session` may be session.side(1), the compared cell."""
    H, cell = session.rnn.hidden_size, session.rnn.spec
    header = ["t", "x_t id", "x_t token", "y_t id", "y_t token", "E_t", "o_t[y_t]", "|s_t|"]
    header += [f"s_t[{i}]" for i in range(H)]
    more = (["|c_t|"] if "c" in cell.states else []) + [
        f"mean {g}_t ({cell.gate_titles[g]})" for g in cell.gates
    ]
    label = session.vocab.label

    def target(ev) -> list:  # y_t id, its token, E_t, o_t[y_t]; a step with no target (y_t = -1) has none
        if ev.y < 0:
            return [ev.y, "(no target)", "", ""]
        return [ev.y, label(ev.y), ev.E, float(ev.o[ev.y])]

    rows = []
    for ev in session.stepper.forward_steps():
        row = [ev.t, ev.x, label(ev.x), *target(ev), _norm(ev.s)]
        extra = ([_norm(ev.c)] if ev.c is not None else []) + [
            float(np.mean(ev.gates[g])) for g in cell.gates
        ]
        rows.append(row + list(map(float, ev.s)) + extra)
    return header + more, rows


def backward_header(st) -> list[str]:
    """Column names that say exactly what each number is: in a full sweep the errors are those of
    L = (1/T) sum_t E_t (the direct error carries 1/T); in single mode those of E_target alone."""
    if st.spec.gates:
        return gated_backward_header(st)
    if st.mode == "full":
        cut = f" (truncated: K = {st.truncate})" if st.truncate is not None else ""
        return [
            "t",
            f"(1/{normaliser(st.y)})|V^T(o_t - y_t)| (direct{'; 0 where y_t = -1' if masked(st.y) else ''})",
            "|W^T delta_{t+1}| (carried)" + cut,
            "|delta_t| = |dL/dz_t|",
            "|delta_t s_(t-1)^T| (step t's share of dL/dW)",
            "|dL/dW| so far",
        ]
    E = f"E_{st.target}"
    return [
        "k",
        f"|V^T(o_k - y_k)| (direct; only k = {st.target}: {E} alone is traced, 0 elsewhere)",
        "|W^T delta_{k+1}| (carried)",
        f"|delta_k| = |d{E}/dz_k|",
        f"|delta_k s_(k-1)^T| (term k of d{E}/dW)",
        f"|d{E}/dW| so far",
    ]


def gated_backward_header(st) -> list[str]:
    """A gated cell's columns: the errors at s_t (and c_t), at every gate's pre-activation, and the W_*."""
    full, cell = st.mode == "full", st.spec
    L = "L" if full else f"E_{st.target}"
    scale = "1/T" if st.n_targets == st.T else "1/|M|"
    direct = (
        f"({scale})|V^T(o_t - y_t)| (direct)" if full else f"|V^T(o_t - y_t)| (direct; only t = {st.target})"
    )
    header = ["t", direct, f"|d{L}/ds_t sent back by step t+1| (carried)", f"|d{L}/ds_t|"]
    if "c" in cell.states:
        header += [f"|d{L}/dc_(t+1) * f_(t+1)| (carried along c)", f"|d{L}/dc_t|"]
    header += [f"|d{L}/da_{g},t| ({cell.gate_titles[g]})" for g in cell.gates]
    return header + [f"|d{L}/da_t| (every gate)", f"|step t's terms of d{L}/dW_*|", f"|d{L}/dW_*| so far"]


def _gated_backward_row(ev) -> list:
    row = [ev.t, _norm(ev.error_direct), _norm(ev.error_carried), _norm(ev.error)]
    if ev.error_c is not None:
        row += [_norm(ev.error_c_carried), _norm(ev.error_c)]
    row += [_norm(d) for d in ev.deltas.values()] + [_norm(ev.delta)]
    terms, grads = ev.step_terms, ev.w_grads
    row.append(float(np.sqrt(sum(np.sum(terms[name] ** 2) for name in grads))))
    row.append(float(np.sqrt(sum(np.sum(g**2) for g in grads.values()))))
    return row


def backward_table(session) -> tuple[list[str], list[list]]:
    """One row per backward step taken so far: the norms of the errors, delta and the dW terms."""
    st = session.stepper
    if st.spec.gates:
        return backward_header(st), [_gated_backward_row(ev) for ev in st.backward_steps()]
    rows = [
        [ev.t, _norm(ev.error_direct), _norm(ev.error_carried), _norm(ev.delta), _norm(ev.dW_step),
         _norm(ev.dW)]
        for ev in session.stepper.backward_steps()
    ]  # fmt: skip
    return backward_header(session.stepper), rows


def contributions_table(session) -> tuple[list[str], list[list]]:
    """C[t, k] = |k-th term of dE_t/dW| (Frobenius; a gated cell: over every W_*): one row per loss
    step t, one column per k."""
    C = session.contributions  # (T, T), or None while the worker computes it
    if C is None:
        raise ValueError("the contributions are still being computed: export again in a moment")
    header = ["t"] + [f"k={k}" for k in range(C.shape[1])]
    return header, [[t, *map(float, C[t])] for t in range(C.shape[0])]


def smoothing_window(history) -> int:
    """The one smoothing of the training loss, used by the curve, its title, the CSV and the status
    message: a moving mean over a thirtieth of the stored points, at least 5."""
    return max(5, history.n // 30)


def smoothed_loss(history, smoothed=None) -> tuple[float, int] | None:
    """(the smoothed loss now, how many iterations its mean covers), or None before any training.
    `smoothed`: history.smoothed(smoothing_window(history)) if the caller has it already."""
    _, loss = history.data()
    if not len(loss):
        return None
    window = smoothing_window(history)
    _, smooth = history.smoothed(window) if smoothed is None else smoothed
    return float(smooth[-1]), min(window, len(loss)) * history.stride


def loss_curve_table(session, window: int | None = None) -> tuple[list[str], list[list]]:
    """The training curve: iteration, loss, smoothed loss (the default window, as the loss view draws it)."""
    h = session.history
    it, loss = h.data()
    window = smoothing_window(h) if window is None else window
    _, smooth = h.smoothed(window)
    header = ["iteration", "loss", f"smoothed loss (moving mean of {window} points)"]
    return header, [[float(a), float(b), float(c)] for a, b, c in zip(it, loss, smooth, strict=True)]


# --- step-through animations -----------------------------------------------------------------------
