"""Every visual constant: colours, colour maps, pens, fonts, levels. Views import from here only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont

# Okabe-Ito: a palette that stays distinct for the common kinds of colour blindness.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    forward: str  # the forward pass / current step
    backward: str  # gradients flowing back
    muted: str  # not yet computed
    loss_raw: str
    loss_smooth: str
    w_factor: str
    radius_factor: str
    tanh_factor: str
    diverging: str  # colour map name for signed values (blue - white - red)
    sequential: str  # colour map for magnitudes (log contributions)
    font_pt: int
    line_width: float


NORMAL = Theme(
    name="normal",
    background="#FFFFFF",
    foreground="#202020",
    forward=OKABE_ITO["blue"],
    backward=OKABE_ITO["vermillion"],
    muted="#B8B8B8",
    loss_raw="#9DB7CF",
    loss_smooth=OKABE_ITO["blue"],
    w_factor=OKABE_ITO["orange"],
    radius_factor=OKABE_ITO["purple"],
    tanh_factor=OKABE_ITO["green"],
    diverging="CET-D1A",
    sequential="viridis",
    font_pt=10,
    line_width=2.0,
)
PRESENTER = Theme(
    name="presenter",
    background="#FFFFFF",
    foreground="#000000",
    forward=OKABE_ITO["blue"],
    backward=OKABE_ITO["vermillion"],
    muted="#909090",
    loss_raw="#7FA7C9",
    loss_smooth=OKABE_ITO["black"],
    w_factor=OKABE_ITO["orange"],
    radius_factor=OKABE_ITO["purple"],
    tanh_factor=OKABE_ITO["green"],
    diverging="CET-D1A",
    sequential="viridis",
    font_pt=16,
    line_width=3.5,
)

HIDDEN_LEVELS = (-1.0, 1.0)  # s_t = tanh(z_t) always lies here: fixed, so a colour always means the same
LOG_FLOOR = 1e-12  # contributions below this are drawn as the floor colour


def colormap(name: str) -> pg.ColorMap:
    return pg.colormap.get(name)


def pen(color: str, width: float = 2.0, dashed: bool = False):
    from PySide6.QtCore import Qt

    p = pg.mkPen(QColor(color), width=width)
    if dashed:
        p.setStyle(Qt.PenStyle.DashLine)
    return p


def font(theme: Theme, scale: float = 1.0, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(theme.font_pt * scale)
    f.setBold(bold)
    return f


def log_levels(values: np.ndarray, decades: int = 8) -> tuple[float, float]:
    """Fixed-width log10 levels ending at the largest finite value: `decades` orders of magnitude."""
    finite = values[np.isfinite(values) & (values > 0)]
    top = float(np.log10(finite.max())) if finite.size else 0.0
    top = np.ceil(top)
    return (top - decades, top)


def set_title(plot: pg.PlotItem, title: str, theme: Theme) -> None:
    """Title at the theme's size. Its width must not become the plot's minimum width, or a narrow
    view would overflow and clip its plots (pyqtgraph sizes a title's minimum to its text)."""
    label = plot.titleLabel
    if not getattr(label, "shrinks", False):  # LabelItem re-applies its minimum on every resize
        full_minimum = label.updateMin

        def update_min():
            full_minimum()
            label.setMinimumWidth(0)

        label.updateMin = update_min
        label.shrinks = True
    plot.setTitle(title, color=theme.foreground, size=f"{theme.font_pt + 2}pt")


def label_axis(ax: pg.AxisItem, text: str, theme: Theme) -> None:
    """Axis label at the theme's size; tick labels always show the plain values.

    pyqtgraph rescales an axis with a unit-less label by an SI factor (0.86 -> "860", with only
    "(x0.001)" in the label), and enableAutoSIPrefix(False) would freeze whatever factor was in
    force at that moment. An empty list of SI ranges makes every update choose a factor of 1.
    """
    if text:
        ax.setLabel(
            text, color=theme.foreground, siPrefixEnableRanges=(), **{"font-size": f"{theme.font_pt}pt"}
        )
    else:
        ax.setSIPrefixEnableRanges(())
    ax.enableAutoSIPrefix(True)  # re-evaluates now and at every range change: always factor 1


def style_plot(plot: pg.PlotItem, theme: Theme, title: str, left: str = "", bottom: str = "") -> None:
    """Title and axis labels at the theme's size: readable from the back of a room."""
    set_title(plot, title, theme)
    for side, text in (("left", left), ("bottom", bottom)):
        ax = plot.getAxis(side)
        ax.setPen(pen(theme.foreground, 1))
        ax.setTextPen(pen(theme.foreground, 1))
        ax.setTickFont(font(theme, 0.95))
        label_axis(ax, text, theme)


def integer_ticks(ax: pg.AxisItem) -> None:
    """Ticks on whole numbers only (time steps, units, distances): never a 0.5 or 1.5 step.
    pyqtgraph still chooses how many fit the axis's length; spacings below 1 are dropped."""
    if getattr(ax, "integer_ticks", False):
        return
    choose = ax.tickSpacing

    def whole(min_val: float, max_val: float, size: float):
        levels = [(s, off) for s, off in choose(min_val, max_val, size) if s >= 1]
        return levels or [(1.0, 0.0)]

    ax.tickSpacing = whole
    ax.integer_ticks = True


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def decade_ticks(ax: pg.AxisItem, lo: int, hi: int, max_labels: int = 7) -> None:
    """Log-axis labels at powers of ten only (1, 10⁻³, ...), never a stack of 0.9 0.8 0.7 ...

    lo and hi are log10 values (the axis is in log mode, so its coordinates are exponents)."""
    every = max(1, -(-(hi - lo) // (max_labels - 1)))  # ceil: at most max_labels labels
    major = [(float(e), decade_label(e)) for e in range(lo, hi + 1) if e % every == 0]
    minor = [(float(e), "") for e in range(lo, hi + 1) if e % every]
    ax.setTicks([major, minor])


def decade_label(e: int) -> str:
    return {0: "1", 1: "10"}.get(e, "10" + str(e).translate(SUPERSCRIPT))
