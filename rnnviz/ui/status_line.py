"""The status bar's line: the phase, the timestep and its numbers, named for the loss the trace follows.
In compare mode the second cell's numbers follow the first's, named by their cells."""

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
    tracks = getattr(session, "tracks", [session])
    if last.phase == "forward":
        E_t = f"E{_sub(last.t)} = {last.E:.4f}" if has_target(last.y) else NO_TARGET
        if len(tracks) > 1 and has_target(last.y):
            E_t = "   ".join(f"{t.name} E{_sub(last.t)} = {t.stepper.last.E:.4f}" for t in tracks)
        text = f"forward   t = {last.t} of {st.T - 1}   {E_t}"
    elif last.phase == "backward":
        parts = [_backward(t.stepper.last, loss) for t in tracks]
        if len(tracks) > 1:
            parts = [f"{t.name} {part}" for t, part in zip(tracks, parts, strict=True)]
        text = f"backward  t = {last.t}   " + "   ".join(parts)
    else:
        before, after = session.update_losses(last)
        what = "W ← W − η ∂{0}/∂W" if not st.spec.gates else "θ ← θ − η ∂{0}/∂θ"
        text = f"update applied ({what.format(loss)}): L = {before:.4f} → {after:.4f} on this sequence"
    if st.truncate is not None and last.phase == "backward":
        text += f"   (truncated BPTT, K = {st.truncate})"
    if st.done and last.phase == "backward":
        if full:
            text += f"   — done: L = {mean_loss(session.step_losses, st.y):.4f}"
        else:
            E = session.step_losses[st.target]
            text += f"   — done: ∂{loss}/∂W complete, {loss} = {E:.4f}"
    return text


def _backward(ev, loss: str) -> str:
    """|δ_t| and the recurrent matrices' gradient so far (W alone, or every W_* of a gated cell)."""
    t, grads = ev.t, ev.w_grads
    W, a = ("W", "z") if len(grads) == 1 else ("W_*", "a")
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    return (
        f"|δ{_sub(t)}| = |∂{loss}/∂{a}{_sub(t)}| = {np.linalg.norm(ev.delta):.3g}"
        f"   |∂{loss}/∂{W}| so far = {norm:.3g}"
    )


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
