"""The numbers behind the views as tables (header, rows), for CSV export. No Qt here."""

from __future__ import annotations

import numpy as np


def _norm(a) -> float:
    return float(np.linalg.norm(a))  # L2 for vectors, Frobenius for matrices


def forward_table(session) -> tuple[list[str], list[list]]:
    """One row per forward step computed so far: ids, printable tokens, E_t, o_t[y_t], |s_t|, s_t."""
    H = session.rnn.hidden_size
    header = ["t", "x_t id", "x_t token", "y_t id", "y_t token", "E_t", "o_t[y_t]", "|s_t|"]
    header += [f"s_t[{i}]" for i in range(H)]
    label = session.vocab.label
    rows = [
        [ev.t, ev.x, label(ev.x), ev.y, label(ev.y), ev.E, float(ev.o[ev.y]), _norm(ev.s), *map(float, ev.s)]
        for ev in session.stepper.forward_steps()
    ]
    return header, rows


def backward_table(session) -> tuple[list[str], list[list]]:
    """One row per backward step taken so far: the norms of the errors, delta and the dW terms."""
    header = ["t", "|error_direct|", "|error_carried|", "|delta|", "|dW_step|", "|accumulated dW|"]
    rows = [
        [ev.t, _norm(ev.error_direct), _norm(ev.error_carried), _norm(ev.delta), _norm(ev.dW_step),
         _norm(ev.dW)]
        for ev in session.stepper.backward_steps()
    ]  # fmt: skip
    return header, rows


def contributions_table(session) -> tuple[list[str], list[list]]:
    """C[t, k] = |k-th term of dE_t/dW| (Frobenius): one row per loss step t, one column per k."""
    C = np.asarray(session.contributions)  # (T, T)
    header = ["t"] + [f"k={k}" for k in range(C.shape[1])]
    return header, [[t, *map(float, C[t])] for t in range(C.shape[0])]


def loss_curve_table(session, window: int | None = None) -> tuple[list[str], list[list]]:
    """The training curve: iteration, loss, smoothed loss (the default window, as the loss view draws it)."""
    h = session.history
    it, loss = h.data()
    _, smooth = h.smoothed(window)
    header = ["iteration", "loss", "smoothed loss"]
    return header, [[float(a), float(b), float(c)] for a, b, c in zip(it, loss, smooth, strict=True)]


# --- step-through animations -----------------------------------------------------------------------
