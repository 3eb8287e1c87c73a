"""The gradient view's verdict: one documented rule for "vanishing" and "exploding". No Qt here.

What is measured is the real gradient of one loss, from the trace's parameters:
    ratio(k) = |dE_t/dz_k| / |dE_t/dz_t|      (a gated cell: a_k, every gate's pre-activation)
how big the gradient of E_t is at the earlier step k, relative to its size at step t itself.
The rule, applied at the farthest step back the backward pass has reached so far:
    ratio <= 1/10  -> vanishing      ratio >= 10  -> exploding      otherwise -> neither
"""

from __future__ import annotations

import numpy as np

VANISH, EXPLODE = 0.1, 10.0  # a tenth of its size, or ten times it: the only thresholds


def rule(activation: str = "tanh") -> str:
    """The rule in words, for a cell whose activation is `activation` (its slopes bound the product)."""
    return (
        "What is measured: |∂E_t/∂z_k| ÷ |∂E_t/∂z_t|, the gradient of the loss E_t at the earlier\n"
        "step k relative to its size at step t, from the numbers this trace uses\n"
        "(for an LSTM or GRU: ∂E_t/∂a_k, the pre-activations of all its gates at step k).\n"
        f"Rule, at the farthest step back reached so far: at most {VANISH:g}× is vanishing,\n"
        f"at least {EXPLODE:g}× is exploding, anything between is neither.\n"
        f"The dashed lines are references, not measurements: ‖W‖₂^(t−k) · ∏ max {activation}′ bounds the\n"
        "Jacobian product ‖∏ ∂s_j/∂s_{j−1}‖₂; ρ(W)^(t−k) is the rate W^(t−k) follows in the long run."
    )


RULE = rule()


def word(ratio: float) -> str:
    if ratio <= VANISH:
        return "vanishing"
    if ratio >= EXPLODE:
        return "exploding"
    return "neither vanishing nor exploding"


def verdict(
    t: int,
    ratio: np.ndarray,
    revealed: np.ndarray,
    truncate: int | None = None,
    a: str = "z",
    no_target: bool = False,
) -> str:
    """The sentence under the plot for output step t; ratio and revealed are (t+1,), indexed by k;
    `a` names what the gradient is taken at (z for the vanilla RNN, a for a gated cell's gates);
    `no_target`: step t has no target (y_t = -1), so there is no loss E_t to follow back."""
    if no_target:
        return f"Step t = {t} has no target, so there is no loss E{_sub(t)} to follow back: choose another t."
    if t == 0:
        return "At t = 0 there is no earlier step: choose t ≥ 1 to see the gradient travel back."
    ks = np.flatnonzero(revealed)
    if ks.size == 0:
        return f"BPTT has not reached the terms of E{_sub(t)} yet: the curves appear as it computes them."
    k = int(ks.min())  # the farthest step back computed so far
    d = t - k
    if d == 0:
        return f"BPTT is at step t = {t} itself (ratio 1): step on to follow the gradient back."
    r = float(ratio[k])
    steps = "1 step" if d == 1 else f"{d} steps"
    so_far = "" if k == 0 else " (so far)"
    if not np.isfinite(r):
        text = f"{steps} back{so_far}: the ratio is undefined (the gradient at step t is 0)."
    else:
        e, zk, zt = f"E{_sub(t)}", f"{a}{_sub(k)}", f"{a}{_sub(t)}"
        text = f"{steps} back{so_far}: |∂{e}/∂{zk}| = {r:.2g} × |∂{e}/∂{zt}| → {word(r)}."
    if truncate is not None and truncate < t:
        text += f"  Truncated at K = {truncate}: the trace drops every term more than {truncate} steps back."
    return text


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
