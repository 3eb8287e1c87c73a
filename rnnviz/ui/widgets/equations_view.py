"""Live equations: the model's formulas (DESIGN.md section 1) with the current step's real numbers.

The block of the phase being stepped (forward, backward, update) gets a coloured bar and tint;
the others are dimmed. Rich text only (Qt's HTML subset): no math renderer, nothing fetched.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.ui import equations_cells, style
from rnnviz.ui.masks import NO_TARGET, masked, mean_loss, normaliser
from rnnviz.ui.maths_text import EQ, GAP, SERIF, bar_mark, blend, kv, loss_eq, m, norm, num, prev_s, tt, vec
from rnnviz.ui.rich_text_patch import patch_span

__all__ = ["EquationsView", "bar_mark", "num"]
HEADER_MARK, LIVE_MARK = "\u2060header\u2060", "\u2060numbers\u2060"  # placeholders, found and replaced


def activation(st) -> str:
    """f in s_t = f(z_t), as the traced cell names it (tanh or relu)."""
    return getattr(st.spec, "activation_name", "tanh")


def slope(st, index: str) -> str:
    """f'(z) at step `index` as the cell writes it: 1 − s_t² (tanh) or [z_t > 0] (ReLU)."""
    text = getattr(st.spec, "derivative", "1 − s_{t}^{2}").replace("{t}", "{" + index + "}")
    return html.escape(text, quote=False)


def forward_eqs(st) -> list[str]:
    """The forward equations; L is the mean over the steps with a target (all of them, or M)."""
    return [
        m("z_{t} = U x_{t} + W s_{t−1}") + "&nbsp;&nbsp;&nbsp;" + m("(s_{−1} = 0)"),
        m(f"s_{{t}} = {activation(st)}(z_{{t}})"),
        m("o_{t} = softmax(V s_{t})"),
        m("E_{t} = −log o_{t}[y_{t}]"),
        loss_eq(st.y),
    ]


def sum_eqs(st) -> list[str]:
    return [
        m("∂E_{t}/∂W = ∑_{k=0..t} (∂E_{t}/∂o_{t})(∂o_{t}/∂s_{t})(∏_{j=k+1..t} ∂s_{j}/∂s_{j−1})(∂s_{k}/∂W)"),
        m(f"∂s_{{j}}/∂s_{{j−1}} = diag({slope(st, 'j')}) W"),
    ]


def backward_eqs(st) -> list[str]:
    """The recursion the stepper runs, for the loss it traces: L (with its 1/T) or E_t* alone."""
    K = st.truncate
    cut = [m(f"truncated BPTT, K = {K}: each E_{{t}} keeps only the terms t−{K} ≤ k ≤ t")] if K else []
    if st.mode == "full":
        direct = "[t∈M] (1/|M|)" if masked(st.y) else "(1/T)"
        return (
            sum_eqs(st)
            + [
                m(f"δ_{{t}} = ∂L/∂z_{{t}} = ({direct} V^{{⊤}}(o_{{t}} − y_{{t}}) + W^{{⊤}}δ_{{t+1}})")
                + " ⊙ "
                + m(f"({slope(st, 't')})"),
                m("∂L/∂W += δ_{t} s_{t−1}^{⊤}"),
            ]
            + cut
        )
    E = f"E_{{{st.target}}}"
    return (
        sum_eqs(st)
        + [
            m(f"δ_{{k}} = ∂{E}/∂z_{{k}} = (W^{{⊤}}δ_{{k+1}} + [k = {st.target}] V^{{⊤}}(o_{{k}} − y_{{k}}))")
            + " ⊙ "
            + m(f"({slope(st, 'k')})"),
            m(f"∂{E}/∂W += δ_{{k}} s_{{k−1}}^{{⊤}}") + "&nbsp;&nbsp; (term " + m("k") + ")",
        ]
        + cut
    )


def update_eqs(st) -> list[str]:
    loss = "L" if st.mode == "full" else f"E_{{{st.target}}}"
    return [m(f"W ← W − η ∂{loss}/∂W") + "&nbsp;&nbsp; (" + m("U, V") + " alike)"]


class _Page(QtWidgets.QTextBrowser):
    """The page's browser: a read of its text first brings it up to date, as showing it does (the
    view puts its redraw off while it is off screen)."""

    def __init__(self, catch_up):
        super().__init__()
        self._catch_up = catch_up

    def toPlainText(self) -> str:
        self._catch_up()
        return super().toPlainText()

    def toHtml(self) -> str:
        self._catch_up()
        return super().toHtml()


class EquationsView(QtWidgets.QWidget):
    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None, on_screen: bool = True):
        """on_screen=False: in a dock that says when it comes into view (set_on_screen), e.g. behind
        another tab at start-up, where drawing the page would be work for nobody."""
        super().__init__(parent)
        self.session = session
        self.source = session  # whose equations: the session's cell, or (compare mode) the other one
        self.active: str | None = None
        self._html = ""
        self._waiting = False  # a number on show is still being computed by the worker
        self._skeleton: str | None = None  # the page as drawn, the changing parts as placeholders
        self._spans: list[list[int]] = []  # [start, end] in the document of the header, live numbers
        self._inserted: list[str] = []  # the rich text each of those spans shows
        self._on_screen = on_screen  # False while its dock is behind another tab or hidden: redraw put off
        self._stale = False  # a redraw was put off while off screen
        self.browser = _Page(self._catch_up)
        self.browser.setOpenLinks(False)
        self.browser.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        # wrap between words only: a "label = number" chunk (joined by &nbsp;) never breaks inside
        self.browser.setWordWrapMode(QtGui.QTextOption.WrapMode.WordWrap)
        self.chooser = QtWidgets.QComboBox(toolTip="Compare mode: whose equations and numbers to show")
        self.chooser.currentIndexChanged.connect(self._choose)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.chooser)
        lay.addWidget(self.browser)
        self.apply_theme(theme)
        session.sig_reset.connect(self.show_state)
        session.sig_stepped.connect(self.show_state)
        session.sig_settings_changed.connect(self.show_state)  # η shown in the update block
        session.sig_numbers.connect(self._numbers_arrived)

    def _choose(self, index: int) -> None:
        if index >= 0 and hasattr(self.session, "side"):
            self.source = self.session.side(index)
            self.show_state()

    def _follow_cells(self) -> None:
        """Compare mode: a choice of the two cells above the page (its entries follow the session's)."""
        tracks = getattr(self.session, "tracks", None) or [self.session]
        names = [t.name for t in tracks]
        if names != [self.chooser.itemText(i) for i in range(self.chooser.count())]:
            with QtCore.QSignalBlocker(self.chooser):
                self.chooser.clear()
                self.chooser.addItems(names)
                self.chooser.setCurrentIndex(0)
            self.source = self.session
        self.chooser.setVisible(len(names) > 1)

    def _numbers_arrived(self) -> None:
        if self._waiting:  # a number shown as "computing…" may be in now
            self.show_state()

    def html(self) -> str:
        self._catch_up()
        return self._html

    def set_on_screen(self, shown: bool) -> None:
        """Its dock came into view (True) or went behind another tab or out of view (False). Off
        screen the page is not redrawn at each step (the dearest part of a step's redraw): it is
        brought up to date when it comes back into view, or when its text is read."""
        self._on_screen = shown
        if shown:
            self._catch_up()

    def _catch_up(self) -> None:
        if self._stale:
            self._stale = False
            self._draw()

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        self.browser.setFont(style.font(theme))
        self.browser.setStyleSheet(f"QTextBrowser {{ background: {theme.background}; border: none; }}")
        self.show_state()

    # --- rendering ----------------------------------------------------------------------------------

    def show_state(self, *_) -> None:
        """Redraw everything from the Session's stepper (idempotent). Within a phase only the header
        and the live block's numbers change: when the rest of the page is as drawn, just those two
        are replaced in the document (Qt lays out only them), instead of setHtml of the whole page."""
        self._follow_cells()
        ev = self.source.stepper.last
        self.active = None if ev is None else ev.phase
        self._stale = not self._on_screen  # off screen: drawn when it comes back into view or is read
        if not self._stale:
            self._draw()

    def _draw(self) -> None:
        st = self.source.stepper
        ev = st.last
        self._waiting = False
        numbers = {
            "forward": self._forward_numbers(st, ev),
            "backward": self._backward_numbers(st, ev),
            "update": self._update_numbers(st, ev),
        }
        header, live = self._header(st), "<br>".join(numbers.get(self.active) or [])
        self._html = self._page(st, header, numbers)
        bar = self.browser.verticalScrollBar()
        keep = bar.value()
        if self.active is None or not live:  # no live block to update in place
            self._skeleton = None
            self.browser.setHtml(self._html)
        else:
            skeleton = self._page(st, HEADER_MARK, {**numbers, self.active: [LIVE_MARK]})
            if skeleton != self._skeleton:  # another phase, trace or theme: the whole page anew
                self._skeleton = skeleton
                self.browser.setHtml(skeleton)
                self._spans = [self._find(HEADER_MARK), self._find(LIVE_MARK)]
                self._inserted = ["", ""]  # the rich text each span shows
            self._replace(1, live)  # the later span first: the header's length does not move it
            self._replace(0, header)
        if self.active:
            self.browser.scrollToAnchor(self.active)  # the live block stays in view on a small screen
        else:
            bar.setValue(keep)

    def _page(self, st, header: str, numbers: dict) -> str:
        th = self.theme
        cells = equations_cells if st.spec.gates else None  # a gated cell: its own equations
        forward = cells.forward_eqs(st.spec) + [loss_eq(st.y)] if cells else forward_eqs(st)
        backward = cells.backward_eqs(st) if cells else backward_eqs(st)
        update = cells.update_eqs(st) if cells else update_eqs(st)
        blocks = [
            self._block("forward", "Forward pass", th.forward, forward, numbers["forward"]),
            self._block(
                "backward", "Backpropagation through time", th.backward, backward, numbers["backward"]
            ),
            self._block("update", "Update (gradient descent)", th.foreground, update, numbers["update"]),
        ]
        body = (
            f'<body style="font-family:{SERIF}; font-size:{th.font_pt}pt; color:{th.foreground}; '
            f'background-color:{th.background}">'
            f'<p style="margin:0 0 6px 0">{header}</p>{"".join(blocks)}</body>'
        )
        return self._big(f"<html>{body}</html>")

    def _big(self, html_text: str) -> str:
        """Big operators, like display maths (Qt ignores font sizes in %, so in pt per theme)."""
        return html_text.replace('class="big"', f'style="font-size:{self.theme.font_pt * 1.4:g}pt"')

    def _find(self, mark: str) -> list[int]:
        """[start, end] of a placeholder in the document."""
        found = self.browser.document().find(mark)
        return [found.selectionStart(), found.selectionEnd()]

    def _replace(self, i: int, html_text: str) -> None:
        """Put html_text where span i is (in the page's font and colour), and remember its new end."""
        start, end = self._spans[i]
        th = self.theme  # the live block is never dimmed: it is in the foreground colour too
        span = f'<span style="font-family:{SERIF}; font-size:{th.font_pt}pt; color:{th.foreground}">'
        rich = f"{span}{self._big(html_text)}</span>"
        # the same markup as last step: only the changed numbers are rewritten (no HTML parsed)
        new_end = patch_span(self.browser.document(), start, end, self._inserted[i], rich)
        if new_end is None:  # patch_span changed nothing: the HTML goes in as before
            cursor = QtGui.QTextCursor(self.browser.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QtGui.QTextCursor.MoveMode.KeepAnchor)
            cursor.insertHtml(rich)
            new_end = cursor.position()
        self._inserted[i] = rich
        self._spans[i] = [start, new_end]
        if i == 0:  # the numbers come after the header: shift them by its change in length
            shift = new_end - end
            self._spans[1] = [p + shift for p in self._spans[1]]

    def _header(self, st) -> str:
        what = {
            None: "not started: press Step",
            "forward": "forward pass",
            "backward": "backward pass",
            "update": "update",
        }[self.active]
        what = "finished: the gradient is complete" if st.done and self.active == "backward" else what
        kind = f"truncated BPTT, K = {st.truncate}" if st.truncate is not None else "full BPTT"
        if st.n_targets != st.T:  # masked targets: L is the mean over the steps that have one
            kind += f"; |M| = {st.n_targets} of {st.T} steps have a target"
        traced = (
            m(f"E_{{{st.target}}}") + f" alone ({kind})" if st.mode == "single" else m("L") + f" ({kind})"
        )
        cell = f" · {self.source.name}" if st.spec.gates or getattr(self.session, "comparing", False) else ""
        return f"<b>Step {st.cursor} of {st.total_steps}</b>{cell} · {what} · gradient of {traced}"

    def _block(self, name: str, title: str, accent: str, eqs: list[str], numbers: list[str]) -> str:
        """One block as plain paragraphs: a tinted background and a bar before the title mark the
        live block (no table: Qt lays a table cell out at several times the cost of paragraphs)."""
        th = self.theme
        live = self.active == name
        dim = self.active is not None and not live
        color = blend(th.foreground, th.muted, 0.75) if dim else th.foreground
        tint = blend(th.background, accent, 0.08) if live else th.background
        pad = max(4, th.font_pt // 2)
        head = color if dim else accent
        bar = bar_mark(accent) if live else ""
        box = f"background-color:{tint}; color:{color}"
        lines = [f'<p style="{box}; margin:0"><span style="color:{head}">{bar}<b>{title}</b></span></p>']
        lines += [f'<p style="{box}; margin:0 0 0 {pad}px">{e}</p>' for e in eqs]
        if numbers:
            lines += [f'<p style="{box}; margin:0 0 0 {pad}px">{"<br>".join(numbers)}</p>']
        return f'<a name="{name}"></a>{"".join(lines)}<p style="margin:0; font-size:{pad}px">&nbsp;</p>'

    def _label(self, i: int) -> str:
        return tt(html.escape(f"'{self.session.vocab.label(i)}'", quote=False))

    def _now(self, t: int, accent: str) -> str:
        # the current timestep, in the phase colour so the eye finds the live numbers first
        return f'<b><span style="color:{accent}">t = {t}</span></b>: '

    def _forward_numbers(self, st, ev) -> list[str]:
        fw = st.forward_steps()
        if not fw:
            return []
        L_line = self._mean_line(st, fw)
        if ev is None or ev.phase != "forward":
            return [L_line]
        t = ev.t
        if st.spec.gates:
            return equations_cells.forward_numbers(self, st, ev, self._now(t, self.theme.forward), L_line)
        top = int(np.argmax(ev.o))
        return [
            self._now(t, self.theme.forward)
            + kv(f"x_{{{t}}}", self._label(ev.x))
            + f" (id {ev.x}), so "
            + m("U x_{t}")
            + " is column "
            + tt(f"U[:, {ev.x}]"),
            kv(f"|W {prev_s(t)}|", norm(st.W @ ev.s_prev)),
            kv(f"z_{{{t}}}", vec(ev.z)),
            kv(f"|s_{{{t}}}|", norm(ev.s)) + GAP + kv(f"s_{{{t}}}", vec(ev.s)),
            "predicted " + self._label(top) + " with " + kv(f"o_{{{t}}}[{top}]", num(ev.o[top])),
            *self._target_numbers(t, ev),
            L_line,
        ]

    def _target_numbers(self, t: int, ev) -> list[str]:
        if ev.y < 0:
            return [m(f"y_{{{t}}}") + f": {NO_TARGET}, so no loss " + m(f"E_{{{t}}}")]
        return [
            kv(f"o_{{{t}}}[y_{{{t}}}]", num(ev.o[ev.y])) + " for the target " + self._label(ev.y),
            kv(f"E_{{{t}}}", "<b>" + tt(f"{ev.E:.4f}") + "</b>"),
        ]

    def _mean_line(self, st, fw) -> str:
        """L (or L so far): the mean of E_t over the steps computed so far that have a target."""
        mean = mean_loss([f.E for f in fw], st.y)
        n = int(np.count_nonzero(np.asarray(st.y) >= 0))
        seen = sum(f.y >= 0 for f in fw)
        if mean is None:
            return kv("L") + f": none of the {len(fw)} steps so far has a target"
        over = f"over the {n} steps with a target" if masked(st.y) else f"over all {st.T} steps"
        if seen < n:
            what = " with a target" if masked(st.y) else ""
            return kv("L") + f" so far: mean of {seen} of {n} " + m("E_{t}") + what + EQ + tt(f"{mean:.4f}")
        return kv("L") + f" {over}" + EQ + tt(f"{mean:.4f}")

    def _backward_numbers(self, st, ev) -> list[str]:
        if ev is None or ev.phase != "backward":
            return []
        if st.spec.gates:
            return equations_cells.backward_numbers(self, st, ev, self._now(ev.t, self.theme.backward))
        t, single, K = ev.t, st.mode == "single", st.truncate
        nxt = "δ_{T}" if t == st.T - 1 else f"δ_{{{t + 1}}}"
        lines = [self._now(t, self.theme.backward) + "the error arriving at " + m(f"s_{{{t}}}")]
        carried = "carried back from later steps"
        if not single and K is not None and t + 1 + K <= st.T - 1:
            carried += f" (errors of {m(f'E_{{{t + 1}}}')}…{m(f'E_{{{t + K}}}')} only: K = {K})"
        if single:
            ts = st.target
            E = m(f"E_{{{ts}}}")
            lines.append(
                f"tracing {E} alone: this step's term " + m(f"k = {t}") + " of " + m(f"∂E_{{{ts}}}/∂W")
            )
            if t == ts:
                direct = (
                    kv(f"|V^{{⊤}}(o_{{{t}}} − y_{{{t}}})|", norm(ev.error_direct)) + GAP + "direct, from " + E
                )
            else:
                direct = (
                    m(f"V^{{⊤}}(o_{{{t}}} − y_{{{t}}})") + f": not part of this trace (only {E} is traced)"
                )
            gname = f"∂E_{{{ts}}}/∂W"
        else:
            n = normaliser(st.y)
            lines[0] += (
                " (the errors of " + m("L") + f" = (1/{m(n)}) ∑ " + m("E_{t}") + f": each carries 1/{m(n)})"
            )
            if st.y[t] < 0:
                direct = m(f"y_{{{t}}}") + f": {NO_TARGET}, so no direct error"
            else:
                direct = kv(f"(1/{n})|V^{{⊤}}(o_{{{t}}} − y_{{{t}}})|", norm(ev.error_direct)) + GAP
                direct += "direct, from " + m(f"E_{{{t}}}")
            gname = "∂L/∂W"
        dz = f"∂E_{{{st.target}}}/∂z_{{{t}}}" if single else f"∂L/∂z_{{{t}}}"
        lines += [
            direct,
            kv(f"|W^{{⊤}}{nxt}|", norm(ev.error_carried)) + GAP + carried,
            kv(f"|δ_{{{t}}}| = |{dz}|", norm(ev.delta)) + GAP + kv(f"δ_{{{t}}}", vec(ev.delta)),
            kv(f"|δ_{{{t}}} {prev_s(t)}^{{⊤}}|", norm(ev.dW_step))
            + GAP
            + (m(f"term k = {t}") if single else "this step's share of " + m("∂L/∂W")),
        ]
        if single:  # the Jacobian product inside term k: what vanishes or explodes with distance
            row = self.source.jacobian_row(st.target)  # None while the worker computes it
            self._waiting = row is None
            jac = self.source.numbers.status(("row", st.target)) if row is None else num(row.norm[t])
            note = "(no factors yet: k = t, the product is I)" if t == st.target else "(spectral norm)"
            lines.append(kv(f"|∏_{{j={t + 1}..{st.target}}} ∂s_{{j}}/∂s_{{j−1}}|", jac) + GAP + note)
        lines.append(kv(f"|{gname}|", "<b>" + tt(norm(ev.dW)) + "</b>") + " so far")
        return lines

    def _update_numbers(self, st, ev) -> list[str]:
        if ev is None or ev.phase != "update":
            opt = self.session.settings.optimizer
            note = f" (training uses {html.escape(opt)}, which scales {m('η')} per weight)"
            note = "" if opt == "sgd" else note
            return [kv("η", num(self.session.settings.lr)) + note] if self.active is None else []
        before, after = self.source.update_losses(ev)
        if st.spec.gates:
            return equations_cells.update_numbers(st, ev, before, after)
        d = {k: norm(ev.new[k] - ev.old[k]) for k in "UWV"}
        loss = "L" if st.mode == "full" else f"E_{{{st.target}}}"
        return [
            kv("η", num(ev.lr)) + GAP + kv(f"|∂{loss}/∂W|", norm(ev.gradients.dW)),
            "change: " + GAP.join(kv(f"|Δ{k}|", d[k]) for k in "WUV"),
            kv("L") + " on this sequence: before " + tt(f"{before:.4f}") + " → after " + tt(f"{after:.4f}"),
        ]
