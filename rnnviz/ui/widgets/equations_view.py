"""Live equations: the model's formulas (DESIGN.md section 1) with the current step's real numbers.

The block of the phase being stepped (forward, backward, update) gets a coloured bar and tint;
the others are dimmed. Rich text only (Qt's HTML subset): no math renderer, nothing fetched.
"""

from __future__ import annotations

import html
import re

import numpy as np
from PySide6 import QtWidgets

from rnnviz.ui import style

MONO = "'DejaVu Sans Mono', 'Consolas', monospace"
SERIF = "'DejaVu Serif', 'Cambria', serif"  # serif italics read as maths, like the textbook
N_SHOWN = 4  # vector entries shown before the ellipsis


def num(v: float) -> str:
    """4 significant digits with a true minus sign; tiny values keep their exponent (vanishing!)."""
    return f"{float(v):.4g}".replace("-", "−")


def vec(a: np.ndarray) -> str:
    head = ", ".join(num(v) for v in a[:N_SHOWN])
    return f"[{head}{', …' if len(a) > N_SHOWN else ''}]".replace(" ", "&nbsp;")  # wrap before, not inside


def norm(a: np.ndarray) -> str:
    return num(np.linalg.norm(a))


_LETTER = re.compile(r"(?<![A-Za-z])([A-Za-zδη])(?![A-Za-z])")  # lone letters are variables
_SCRIPT = re.compile(r"([_^])\{([^{}]*)\}")
_BIG = re.compile(r"([∑∏])")


def m(src: str) -> str:
    """Mini maths markup to Qt rich text: x_{t} -> sub, s^{2} -> sup, lone letters italic.

    Function names (tanh, softmax, log, diag) stay upright because they are longer than a letter.
    """
    out = _LETTER.sub(r"<i>\1</i>", src)
    out = _SCRIPT.sub(lambda g: f"<{'sub' if g[1] == '_' else 'sup'}>{g[2]}</{'sub' if g[1] == '_' else 'sup'}>", out)
    return _BIG.sub(r'<span class="big">\1</span>', out)  # sized per theme in show_state (Qt ignores %)


def tt(text: str) -> str:
    """Numbers in monospace so digits line up and 1/l/I cannot be confused."""
    return f'<span style="font-family:{MONO}">{text}</span>'


def blend(a: str, b: str, f: float) -> str:
    """Colour f of the way from a to b (hex strings): tints and dimmed text from theme colours."""
    ca, cb = (np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for c in (a, b))
    return "#" + "".join(f"{int(round(v)):02X}" for v in ca + (cb - ca) * f)


FORWARD_EQS = [
    m("z_{t} = U x_{t} + W s_{t−1}") + "&nbsp;&nbsp;&nbsp;" + m("(s_{−1} = 0)"),
    m("s_{t} = tanh(z_{t})"),
    m("o_{t} = softmax(V s_{t})"),
    m("E_{t} = −log o_{t}[y_{t}]"),
    m("L = (1/T) ∑_{t} E_{t}"),
]
BACKWARD_EQS = [
    m("∂E_{t}/∂W = ∑_{k=0..t} (∂E_{t}/∂o_{t})(∂o_{t}/∂s_{t})(∏_{j=k+1..t} ∂s_{j}/∂s_{j−1})(∂s_{k}/∂W)"),
    m("∂s_{j}/∂s_{j−1} = diag(1 − s_{j}^{2}) W"),
    m("δ_{t} = ∂E/∂z_{t} = (V^{⊤}(o_{t} − y_{t}) + W^{⊤}δ_{t+1}) ⊙ (1 − s_{t}^{2})"),
    m("∂E/∂W += δ_{t} s_{t−1}^{⊤}"),
]
UPDATE_EQS = [m("W ← W − η ∂L/∂W") + "&nbsp;&nbsp; (" + m("U, V") + " alike)"]


class EquationsView(QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session = session
        self.active: str | None = None
        self._html = ""
        self.browser = QtWidgets.QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.browser)
        self.apply_theme(theme)
        session.sig_reset.connect(self.show_state)
        session.sig_stepped.connect(self.show_state)
        session.sig_settings_changed.connect(self.show_state)  # η shown in the update block

    def html(self) -> str:
        return self._html

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        self.browser.setFont(style.font(theme))
        self.browser.setStyleSheet(f"QTextBrowser {{ background: {theme.background}; border: none; }}")
        self.show_state()

    # --- rendering ----------------------------------------------------------------------------------

    def show_state(self, *_) -> None:
        """Redraw everything from the Session's stepper (idempotent)."""
        st = self.session.stepper
        ev = st.last
        self.active = None if ev is None else ev.phase
        th = self.theme
        blocks = [
            self._block("forward", "Forward pass", th.forward, FORWARD_EQS, self._forward_numbers(st, ev)),
            self._block("backward", "Backpropagation through time", th.backward, BACKWARD_EQS,
                        self._backward_numbers(st, ev)),
            self._block("update", "Update (gradient descent)", th.foreground, UPDATE_EQS,
                        self._update_numbers(st, ev)),
        ]
        body = (
            f'<body style="font-family:{SERIF}; font-size:{th.font_pt}pt; color:{th.foreground}; '
            f'background-color:{th.background}">{self._header(st)}{"".join(blocks)}</body>'
        )
        big = f'style="font-size:{th.font_pt * 1.4:g}pt"'  # big operators, like display maths
        self._html = f"<html>{body}</html>".replace('class="big"', big)
        bar = self.browser.verticalScrollBar()
        keep = bar.value()
        self.browser.setHtml(self._html)
        if self.active:
            self.browser.scrollToAnchor(self.active)  # the live block stays in view on a small screen
        else:
            bar.setValue(keep)

    def _header(self, st) -> str:
        what = {None: "not started: press Step", "forward": "forward pass", "backward": "backward pass",
                "update": "update"}[self.active]
        traced = m(f"E_{{{st.target}}}") + " alone" if st.mode == "single" else m("L") + " (full BPTT)"
        return (f'<p style="margin:0 0 6px 0"><b>Step {st.cursor} of {st.total_steps}</b> · {what}'
                f" · gradient of {traced}</p>")

    def _block(self, name: str, title: str, accent: str, eqs: list[str], numbers: list[str]) -> str:
        th = self.theme
        live = self.active == name
        dim = self.active is not None and not live
        color = blend(th.foreground, th.muted, 0.75) if dim else th.foreground
        tint = blend(th.background, accent, 0.08) if live else th.background
        bar = accent if live else th.background
        pad = max(4, th.font_pt // 2)
        lines = [f'<p style="margin:0 0 {pad // 2}px 0; color:{accent if not dim else color}"><b>{title}</b></p>']
        lines += [f'<p style="margin:1px 0 1px {pad}px">{e}</p>' for e in eqs]
        if numbers:
            lines += [f'<p style="margin:{pad // 2}px 0 0 {pad}px">{"<br>".join(numbers)}</p>']
        return (
            f'<a name="{name}"></a><table width="100%" cellspacing="0" cellpadding="{pad}">'
            f'<tr><td width="{max(5, th.font_pt // 2)}" bgcolor="{bar}"></td>'
            f'<td bgcolor="{tint}" style="color:{color}">{"".join(lines)}</td></tr></table>'
            f'<p style="margin:0; font-size:{pad}px">&nbsp;</p>'
        )

    def _label(self, i: int) -> str:
        return html.escape(f"'{self.session.vocab.label(i)}'")

    def _forward_numbers(self, st, ev) -> list[str]:
        fw = st.forward_steps()
        if not fw:
            return []
        losses = np.array([f.E for f in fw])
        L_line = (m("L") + f" so far = mean of {len(fw)} of {st.T} " + m("E_{t}") + f" = {tt(f'{losses.mean():.4f}')}"
                  if len(fw) < st.T else m("L") + f" = mean of all {st.T} " + m("E_{t}") + f" = {tt(f'{losses.mean():.4f}')}")
        if ev is None or ev.phase != "forward":
            return [L_line]
        t, eq = ev.t, "&nbsp;=&nbsp;"
        top = int(np.argmax(ev.o))
        s_prev = "s_{−1}" if t == 0 else f"s_{{{t - 1}}}"
        return [
            f"<b>t = {t}</b>: " + m(f"x_{{{t}}}") + f" = {self._label(ev.x)} (id {ev.x}), so "
            + m("U x_{t}") + " is column " + tt(f"U[:, {ev.x}]"),
            m(f"|W {s_prev}|") + eq + tt(norm(st.W @ ev.s_prev)),
            m(f"z_{{{t}}}") + eq + tt(vec(ev.z)),
            m(f"s_{{{t}}}") + eq + tt(vec(ev.s)) + "&nbsp;&nbsp;" + m(f"|s_{{{t}}}|") + eq + tt(norm(ev.s)),
            "predicted " + self._label(top) + " with " + m(f"o_{{{t}}}") + f"[{top}]{eq}" + tt(num(ev.o[top])),
            m(f"o_{{{t}}}[y_{{{t}}}]") + eq + tt(num(ev.o[ev.y])) + f" (target {self._label(ev.y)})",
            m(f"E_{{{t}}}") + eq + "<b>" + tt(f"{ev.E:.4f}") + "</b>",
            L_line,
        ]

    def _backward_numbers(self, st, ev) -> list[str]:
        if ev is None or ev.phase != "backward":
            return []
        t, eq = ev.t, "&nbsp;=&nbsp;"
        s_prev = "s_{−1}" if t == 0 else f"s_{{{t - 1}}}"
        nxt = "δ_{T}" if t == st.T - 1 else f"δ_{{{t + 1}}}"
        lines = [f"<b>t = {t}</b>: error arriving at " + m(f"s_{{{t}}}")]
        if st.mode == "single":
            ts = st.target
            lines[0] += (f" — tracing {m(f'E_{{{ts}}}')} alone: this step's term " + m(f"k = {t}")
                         + " of " + m(f"∂E_{{{ts}}}/∂W"))
            gname = f"∂E_{{{ts}}}/∂W"
        else:
            lines[0] += " (errors carry 1/" + m("T") + ": " + m("L") + " is a mean)"
            gname = "∂L/∂W"
        lines += [
            m(f"|V^{{⊤}}(o_{{{t}}} − y_{{{t}}})|") + eq + tt(norm(ev.error_direct)) + "&nbsp; direct, from "
            + m(f"E_{{{t}}}"),
            m(f"|W^{{⊤}}{nxt}|") + eq + tt(norm(ev.error_carried)) + "&nbsp; carried from later steps",
            m(f"δ_{{{t}}}") + eq + tt(vec(ev.delta)) + "&nbsp;&nbsp;" + m(f"|δ_{{{t}}}|") + eq + tt(norm(ev.delta)),
            m(f"|δ_{{{t}}} {s_prev}^{{⊤}}|") + eq + tt(norm(ev.dW_step)) + "&nbsp; this step's term",
        ]
        if st.mode == "single":
            jac = self.session.jacobian_row(st.target)[0][t]  # ‖∏_{j=t+1..t*} ∂s_j/∂s_{j−1}‖₂
            lines.append(m(f"|∏_{{j={t + 1}}}^{{{st.target}}} ∂s_{{j}}/∂s_{{j−1}}|") + eq + tt(num(jac))
                         + "&nbsp; (spectral norm)")
        lines.append(m(f"|{gname}|") + " so far" + eq + "<b>" + tt(norm(ev.gradients.dW)) + "</b>")
        return lines

    def _update_numbers(self, st, ev) -> list[str]:
        if ev is None or ev.phase != "update":
            lr = self.session.settings.lr
            opt = self.session.settings.optimizer
            note = "" if opt == "sgd" else f"; training uses {html.escape(opt)}, which scales η per weight"
            return [m("η") + " = " + tt(num(lr)) + note] if self.active is None else []
        eq = "&nbsp;=&nbsp;"
        return [
            m("η") + eq + tt(num(ev.lr)) + "&nbsp;&nbsp;" + m("|∂L/∂W|") + eq + tt(norm(ev.gradients.dW)),
            "change " + m("|ΔW|") + eq + tt(norm(ev.new["W"] - ev.old["W"])) + "&nbsp;&nbsp;"
            + m("|ΔU|") + eq + tt(norm(ev.new["U"] - ev.old["U"])) + "&nbsp;&nbsp;"
            + m("|ΔV|") + eq + tt(norm(ev.new["V"] - ev.old["V"])),
        ]
