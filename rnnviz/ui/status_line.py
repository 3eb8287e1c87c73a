"""The status bar's line: the phase, the timestep and its numbers, named for the loss the trace follows."""

from __future__ import annotations

import numpy as np

from rnnviz.ui.masks import NO_TARGET, has_target, mean_loss


def status_line(session) -> str:
    """One line: the phase, the timestep and its numbers, named for the loss the trace follows."""
    st = session.stepper
    last = st.last
    if last is None:
        return f"ready — press → to start the forward pass (T = {st.T})"
    full = st.mode == "full"
    loss = "L" if full else f"E{_sub(st.target)}"
    if last.phase == "forward":
        E_t = f"E{_sub(last.t)} = {last.E:.4f}" if has_target(last.y) else NO_TARGET
        text = f"forward   t = {last.t} of {st.T - 1}   {E_t}"
    elif last.phase == "backward":
        t = last.t
        text = (
            f"backward  t = {t}   |δ{_sub(t)}| = |∂{loss}/∂z{_sub(t)}| = {np.linalg.norm(last.delta):.3g}"
            f"   |∂{loss}/∂W| so far = {np.linalg.norm(last.dW):.3g}"
        )
    else:
        before, after = session.update_losses(last)
        text = f"update applied (W ← W − η ∂{loss}/∂W): L = {before:.4f} → {after:.4f} on this sequence"
    if st.truncate is not None and last.phase == "backward":
        text += f"   (truncated BPTT, K = {st.truncate})"
    if st.done and last.phase == "backward":
        if full:
            text += f"   — done: L = {mean_loss(session.step_losses, st.y):.4f}"
        else:
            E = session.step_losses[st.target]
            text += f"   — done: ∂{loss}/∂W complete, {loss} = {E:.4f}"
    return text


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
