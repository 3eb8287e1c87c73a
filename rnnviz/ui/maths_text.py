"""Maths as Qt rich text (Qt's HTML subset): a mini markup for equations and the number formats of
the equations panel. No widgets here: the panel and its per-cell contents share it."""

from __future__ import annotations

import functools
import re

import numpy as np

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


@functools.lru_cache(maxsize=4096)  # the same formulas come back at every step: three regexes each
def m(src: str) -> str:
    """Mini maths markup to Qt rich text: x_{t} -> sub, s^{2} -> sup, lone letters italic.

    Function names (tanh, softmax, log, diag) stay upright because they are longer than a letter.
    """
    out = _LETTER.sub(r"<i>\1</i>", src)
    out = _SCRIPT.sub(lambda g: "<{0}>{1}</{0}>".format("sub" if g[1] == "_" else "sup", g[2]), out)
    return _BIG.sub(r'<span class="big">\1</span>', out)  # sized per theme in show_state (Qt ignores %)


def tt(text: str) -> str:
    """Numbers in monospace so digits line up and 1/l/I cannot be confused."""
    return f'<span style="font-family:{MONO}">{text}</span>'


@functools.lru_cache(maxsize=64)
def blend(a: str, b: str, f: float) -> str:
    """Colour f of the way from a to b (hex strings): tints and dimmed text from theme colours."""
    ca, cb = (np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for c in (a, b))
    return "#" + "".join(f"{int(round(v)):02X}" for v in ca + (cb - ca) * f)


BAR = "▌"  # before the live block's title, in its phase colour


def bar_mark(accent: str) -> str:
    return f'<span style="color:{accent}">{BAR}&nbsp;</span>'


EQ = "&nbsp;=&nbsp;"
GAP = "&nbsp;&nbsp;&nbsp;"


def prev_s(t: int) -> str:
    return "s_{−1}" if t == 0 else f"s_{{{t - 1}}}"


def kv(label: str, value: str | None = None) -> str:
    """'label = value': the label in maths markup, a plain number string in monospace."""
    if value is None:
        return m(label)
    return m(label) + EQ + (value if value.startswith("<") else tt(value))


def cell_markup(line: str) -> str:
    """A cell's equation as its cell writes it ("f_t = σ(U_f x_t + W_f s_{t-1} + b_f)") in the markup
    of m(): every single-character subscript braced, t-1 with a true minus."""
    line = line.replace("t-1", "t−1").replace(" - ", " − ").replace("dE/d", "∂E/∂")
    return m(re.sub(r"_([A-Za-z0-9*])(?!\{)", r"_{\1}", line))


def scale(st) -> str:
    """L's normaliser in a trace: 1/T, or 1/|M| when some steps have no target (y = -1)."""
    return "1/T" if st.n_targets == st.T else "1/|M|"


def loss_eq(y) -> str:
    """L's equation: the mean of E_t over every step, or over M, the steps with a target (y_t >= 0)."""
    if np.any(np.asarray(y) < 0):
        return m("L = (1/|M|) ∑_{t∈M} E_{t}") + "&nbsp;&nbsp; (" + m("M") + ": the steps with a target)"
    return m("L = (1/T) ∑_{t} E_{t}")
