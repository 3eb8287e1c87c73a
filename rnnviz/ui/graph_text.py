"""What the graph's nodes and edges say: their text lines and tooltips, from the trace's events.

No Qt here. Every number names exactly what it is: in a full sweep the errors are those of
L = (1/T) sum_t E_t, so the direct error carries the factor 1/T and is written with it; in
single-loss mode they are those of the traced E_t* alone, and the other losses are not part of it.
Gated cells are described from what the cell says it has (its gates, states and equations);
their parts (the gates inside the s node, the LSTM's cell-state row) are in graph_gates.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rnnviz.ui.masks import NO_TARGET, has_target, normaliser

SUB = str.maketrans("0123456789-tjk", "₀₁₂₃₄₅₆₇₈₉₋ₜⱼₖ")
SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def sub(t: int) -> str:
    return str(t).translate(SUB)


def plain(markup: str, t) -> str:
    """A cell's formula in the equations' markup (e.g. "1 − s_{t}^{2}") as plain text at step t:
    "1 − s₃²". {t} stands for the step."""
    text = markup.replace("{t}", "{" + str(t) + "}")
    text = re.sub(r"_\{([^{}]*)\}", lambda g: g[1].translate(SUB), text)
    return re.sub(r"\^\{([^{}]*)\}", lambda g: g[1].translate(SUP), text)


def norm(v) -> float:
    return float(np.linalg.norm(v))


def vec(v: np.ndarray, n: int = 12) -> str:
    body = ", ".join(f"{a:+.3f}" for a in v[:n])
    return f"[{body}{', …' if len(v) > n else ''}]"


@dataclass(frozen=True)
class Trace:
    """What the words depend on: the kind of trace being stepped."""

    T: int
    full: bool  # full sweep of L, or one loss E_target
    target: int | None
    truncate: int | None  # K, or None for full BPTT
    no_target: frozenset = frozenset()  # the steps with no target (y_t = -1): no loss there
    norm: str = "T"  # what L divides by: T, or |M| (the steps with a target) when some have none
    cell: object = None  # the cell (core.cells.Cell): its gates, states, equations and activation

    @classmethod
    def of(cls, st) -> Trace:
        return cls(
            st.T,
            st.mode == "full",
            st.target,
            st.truncate,
            frozenset(int(t) for t in np.flatnonzero(np.asarray(st.y) < 0)),
            normaliser(st.y),
            st.spec,
        )

    @property
    def activation(self) -> str:
        """f in s_t = f(z_t), as the vanilla cell names it: tanh or relu."""
        return getattr(self.cell, "activation_name", "tanh")

    @property
    def derivative(self) -> str:
        """f'(z_t) as the vanilla cell writes it, in the equations' markup."""
        return getattr(self.cell, "derivative", "1 − s_{t}^{2}")

    @property
    def scale(self) -> str:
        """L's normaliser: 1/T, or 1/|M| when some steps have no target."""
        return f"1/{self.norm}"

    @property
    def gated(self) -> bool:
        return bool(self.cell is not None and self.cell.gates)

    def equation(self, state: str, t: int) -> str:
        """The cell's forward equation of a state ('s' or 'c') at step t, as its cell writes it."""
        line = next(e for e in self.cell.equations if e.startswith(f"{state}_t"))
        return line.replace("_{t-1}", sub(t - 1)).replace("_t", sub(t))

    @property
    def loss(self) -> str:
        """The loss whose gradient the trace computes: L, or E_t* alone."""
        return "L" if self.full else f"E{sub(self.target)}"

    def traced(self, t: int) -> bool:
        """Whether E_t's own error is part of this trace (a step with no target has no E_t)."""
        return (self.full or t == self.target) and t not in self.no_target

    def direct(self, t: int) -> str:
        """The name of the direct error at s_t, with 1/T (or 1/|M|) where it applies."""
        return f"{f'({self.scale})·' if self.full else ''}|Vᵀ(o{sub(t)} − y{sub(t)})|"

    def untraced(self, t: int | None = None) -> str:
        if t is not None and t in self.no_target:
            return f"none: {NO_TARGET} (no loss E{sub(t)})"
        return f"not part of this trace (only {self.loss} is traced)"

    def carried(self, t: int, state: str = "s") -> str:
        """The name of the error carried into s_{t-1} (or c_{t-1}) by step t: through the W edge
        s_{t-1} -> s_t (a gated cell: through every gate and path), or along c."""
        if state == "c":
            name = f"|∂{self.loss}/∂c{sub(t)} ⊙ f{sub(t)}|"
        elif self.gated:
            name = f"|∂{self.loss}/∂s{sub(t - 1)} sent back by step {t}|"
        else:
            name = f"|Wᵀ δ{sub(t)}|"
        K = self.truncate
        if self.full and K is not None and t + K <= self.T - 1:  # E_{t+K}.. stopped at s_t
            name += f" (errors of E{sub(t)}…E{sub(t + K - 1)} only: truncation K = {K})"
        return name

    def cut(self, t: int) -> str | None:
        """Why truncation cuts the W edge s_{t-1} -> s_t, or None if it cuts nothing there."""
        K = self.truncate
        if K is None:
            return None
        if self.full and t + K <= self.T - 1:
            return (
                f"cut (truncation K = {K}): the error of E{sub(t + K)} stops at s{sub(t)}, {K} steps back;"
                f" only E{sub(t)}…E{sub(t + K - 1)} pass into s{sub(t - 1)}"
            )
        if not self.full and t <= self.target - K:
            return f"cut (truncation K = {K}): the error of {self.loss} stops at s{sub(self.target - K)}"
        return None


def edge_tip(kind: str, t: int, token_id: int, trace: Trace, value: float | None, untraced: bool) -> str:
    """Tooltip of edge (kind, t): what it does forward and, once it has, what it carries back."""
    st, sp, i = sub(t), sub(t - 1), token_id
    if trace.gated:
        letters = ", ".join(trace.cell.blocks)
        tip = {
            "U": f"U_*: x{st} → s{st}  (adds column {i} of each U_* to the gates {letters} at t = {t})",
            "W": f"W_*: s{sp} → s{st}  (each W_* s{sp} enters a gate at t = {t}: {letters})",
            "V": f"V: s{st} → o{st}  (o{st} = softmax(V s{st}))",
            "C": f"c{sp} → c{st}  (c{st} = f{st} ⊙ c{sp} + i{st} ⊙ g{st}: the cell state, scaled by f{st})",
        }[kind]
    else:
        tip = {
            "U": f"U: x{st} → s{st}  (adds column U[:, {i}] to z{st})",
            "W": f"W: s{sp} → s{st}  (adds W s{sp} to z{st})",
            "V": f"V: s{st} → o{st}  (o{st} = softmax(V s{st}))",
        }[kind]
    cut = trace.cut(t) if kind in "WC" else None
    if cut:
        tip += "\n" + cut
    if untraced:
        return tip + f"\ngradient: {trace.untraced(t)}"
    if value is None:
        return tip + "\nno gradient carried back yet"
    a, u = ("a", "U_*") if trace.gated else ("z", "U")  # δ: of z_t, or of every gate's pre-activation a_t
    what = {
        "U": f"|δ{st}| = |∂{trace.loss}/∂{a}{st}| (added to ∂{trace.loss}/∂{u}[:, {i}])",
        "W": f"{trace.carried(t)} (into s{sp})",
        "V": f"{trace.direct(t)} (into s{st})",
        "C": f"{trace.carried(t, 'c')} (into c{sp})",
    }[kind]
    return tip + f"\ngradient carried back: {what} = {value:.4e}"


def s_lines(f, compact: bool, t: int) -> list[str]:
    """The text lines inside the s node of step t."""
    if f is None:
        return [""] if compact else [f"s{sub(t)}", ""]
    n = norm(f.s)
    return [f"{n:.1f}"] if compact else ["|s|", f"{n:.2f}"]


def s_tip(t: int, f, b, trace: Trace) -> str:
    st = sub(t)
    if f is None:
        return f"s{st}: not computed yet"
    if trace.gated:
        return gated_s_tip(t, f, b, trace)
    n = norm(f.s)
    f_name = trace.activation  # the cell's: tanh or relu
    tip = f"s{st} = {f_name}(U x{st} + W s{sub(t - 1)})\n|s{st}| = {n:.4f}   (H = {len(f.s)})\n"
    tip += f"s{st} = {vec(f.s)}"
    if b is not None:
        L = trace.loss
        direct = f"{trace.direct(t)} = {norm(b.error_direct):.4e}" if trace.traced(t) else trace.untraced(t)
        tip += (
            f"\n\nBackward: the error arriving at s{st} (gradient of {L})\n"
            f"direct from E{st}: {direct}\n"
            f"carried from s{sub(t + 1)}: {trace.carried(t + 1)} = {norm(b.error_carried):.4e}\n"
            f"total: |∂{L}/∂s{st}| = {norm(b.error):.4e}\n"
            f"δ{st} = ∂{L}/∂z{st} = ∂{L}/∂s{st} ⊙ {f_name}′(z{st})"
            f" with {f_name}′(z{st}) = {plain(trace.derivative, t)}\n|δ{st}| = {norm(b.delta):.4e}"
        )
    return tip


def o_lines(f, vocab, y_t: int, compact: bool) -> list[str]:
    """The text lines inside the o node: the target, p(target) and E, once computed."""
    if not has_target(y_t):
        return ["—", "", ""] if compact else ["no target", "", ""]
    tok = vocab.label(y_t)
    if f is None:
        return [tok if compact else f"y={tok}", "", ""]
    p = float(f.o[f.y])
    return [tok, f"{p:.2f}", f"{f.E:.2f}"] if compact else [f"y={tok}", f"p={p:.2f}", f"E={f.E:.2f}"]


def o_tip(t: int, f, b, trace: Trace, vocab, y_t: int) -> str:
    st = sub(t)
    if not has_target(y_t):  # the output is computed, but there is no loss and no error
        why = f"{NO_TARGET}: no loss E{st}, so no error starts here and L does not count this step"
        if f is None:
            return f"o{st}: not computed yet\n{why}"
        return f"o{st} = softmax(V s{st})\ntop 3: {_top3(f.o, vocab)}\n{why}"
    tok = vocab.label(y_t)
    if f is None:
        return f"o{st}: not computed yet\ntarget y{st} = '{tok}'"
    p = float(f.o[f.y])
    best = _top3(f.o, vocab)
    tip = f"o{st} = softmax(V s{st})\ntop 3: {best}\ntarget y{st} = '{tok}': p = {p:.4f}\n"
    tip += f"E{st} = −log p = {f.E:.3f}"
    if b is not None:
        if trace.traced(t):
            scale = f"({trace.scale})·" if trace.full else ""
            tip += f"\n\nBackward: {scale}|o{st} − y{st}| = |∂{trace.loss}/∂(V s{st})| = {norm(b.d_out):.4e}"
        else:
            tip += f"\n\nBackward: E{st} is {trace.untraced()}"
    return tip


def _top3(o: np.ndarray, vocab) -> str:
    top = np.argpartition(o, -3)[-3:] if len(o) > 3 else np.arange(len(o))  # O(K), not a sort of K
    top = top[np.argsort(o[top])[::-1]]
    return ", ".join(f"'{vocab.label(i)}' {o[i]:.3f}" for i in top)


def _direct_line(t: int, b, trace: Trace) -> str:
    if trace.traced(t):
        return f"{trace.direct(t)} = {norm(b.error_direct):.4e}"
    return trace.untraced(t)


def gated_s_tip(t: int, f, b, trace: Trace) -> str:
    """The s node of a gated cell: its equation, its gates (mean over the units) and, in the
    backward pass, the errors arriving at s_t and at every gate's pre-activation."""
    st, cell, L = sub(t), trace.cell, trace.loss
    tip = f"{trace.equation('s', t)}\n|s{st}| = {norm(f.s):.4f}   (H = {len(f.s)})"
    tip += f"\ns{st} = {vec(f.s)}"
    tip += f"\ngates at t = {t} (mean over the units):"
    for g in cell.gates:
        tip += f"\n  {g}{st} {cell.gate_titles[g]}: {float(np.mean(f.gates[g])):.4f}"
    if b is None:
        return tip
    tip += (
        f"\n\nBackward: the error arriving at s{st} (gradient of {L})\n"
        f"direct from E{st}: {_direct_line(t, b, trace)}\n"
        f"carried from step {t + 1}: {trace.carried(t + 1)} = {norm(b.error_carried):.4e}\n"
        f"total: |∂{L}/∂s{st}| = {norm(b.error):.4e}\n"
        f"δ{st} = ∂{L}/∂a{st} (every gate's pre-activation): |δ{st}| = {norm(b.delta):.4e}"
    )
    for g, d in b.deltas.items():
        tip += f"\n  |∂{L}/∂a_{g}{st}| = {norm(d):.4e}   ({cell.gate_titles[g]})"
    return tip


def c_lines(f, compact: bool) -> list[str]:
    """The LSTM's cell-state node c_t: |c_t| once computed."""
    if f is None:
        return [""]
    n = norm(f.c)
    return [f"{n:.1f}" if compact else f"{n:.2f}"]


def c_tip(t: int, f, b, trace: Trace) -> str:
    """c_t's equation, |c_t| and c_t and, backward, the error at c_t."""
    st, L = sub(t), trace.loss
    if f is None:
        return f"c{st}: not computed yet"
    tip = f"{trace.equation('c', t)}   (the cell state)\n|c{st}| = {norm(f.c):.4f}\nc{st} = {vec(f.c)}"
    if b is not None:
        tip += (
            f"\n\nBackward: the error arriving at c{st} (gradient of {L})\n"
            f"carried along c from c{sub(t + 1)}: {trace.carried(t + 1, 'c')}"
            f" = {norm(b.error_c_carried):.4e}\n"
            f"through s{st} = q{st} ⊙ tanh(c{st}): |∂{L}/∂s{st} ⊙ q{st} ⊙ (1 − tanh²c{st})| ="
            f" {norm(b.error_c - b.error_c_carried):.4e}\n"
            f"total: |∂{L}/∂c{st}| = {norm(b.error_c):.4e}"
        )
    return tip
