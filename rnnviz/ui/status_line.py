"""The status bar's line: the phase, the timestep and its numbers, named for the loss the trace follows."""

from __future__ import annotations

import numpy as np


def status_line(session) -> str:
    """One line: the phase, the timestep and its numbers, named for the loss the trace follows."""
    st = session.stepper
    last = st.last
    if last is None:
        return f"ready — press → to start the forward pass (T = {st.T})"
    full = st.mode == "full"
    loss = "L" if full else f"E{_sub(st.target)}"
    if last.phase == "forward":
        text = f"forward   t = {last.t} of {st.T - 1}   E{_sub(last.t)} = {last.E:.4f}"
    elif last.phase == "backward":
        t = last.t
        grads = last.w_grads  # W alone (the vanilla RNN), or every W_* of a gated cell
        W, a = ("W", "z") if len(grads) == 1 else ("W_*", "a")
        norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
        text = (
            f"backward  t = {t}   |δ{_sub(t)}| = |∂{loss}/∂{a}{_sub(t)}| = {np.linalg.norm(last.delta):.3g}"
            f"   |∂{loss}/∂{W}| so far = {norm:.3g}"
        )
    else:
        before, after = session.update_losses(last)
        text = f"update applied (W ← W − η ∂{loss}/∂W): L = {before:.4f} → {after:.4f} on this sequence"
    if st.truncate is not None and last.phase == "backward":
        text += f"   (truncated BPTT, K = {st.truncate})"
    if st.done and last.phase == "backward":
        if full:
            text += f"   — done: L = {session.step_losses.mean():.4f}"
        else:
            E = session.step_losses[st.target]
            text += f"   — done: ∂{loss}/∂W complete, {loss} = {E:.4f}"
    return text


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
