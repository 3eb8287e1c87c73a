"""Every visual constant: colours, colour maps, pens, fonts, levels. Views import from here only."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF

from rnnviz.ui import fit_text

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

# Usable sizes (issue 10): a plot is never drawn smaller than this; where the room runs out, the
# window moves views into tabs or reflows them instead of shrinking them.
PLOT_MIN_W, PLOT_MIN_H = 200, 150  # a plot with its axes and title, in pixels
DATA_MIN = (110, 70)  # its data area inside the axes

PRESENTER_DESIGN_HEIGHT = 720  # presenter mode is designed for a 1280x720 projector ...
PRESENTER_STEPS = (0.75, 2.0)  # ... and scaled for other screens, in quarter steps between these


def presenter_for(screen_height: int) -> Theme:
    """Presenter mode for a screen this tall (logical pixels): the type keeps the same share of
    the screen's height, so the back of the room reads the same on any projector. Near 720 px
    (648-809) that is PRESENTER itself."""
    lo, hi = PRESENTER_STEPS
    factor = min(max(round(4 * screen_height / PRESENTER_DESIGN_HEIGHT) / 4, lo), hi)
    if factor == 1:
        return PRESENTER
    return replace(
        PRESENTER, font_pt=round(PRESENTER.font_pt * factor), line_width=PRESENTER.line_width * factor
    )


HIDDEN_LEVELS = (-1.0, 1.0)  # s_t = tanh(z_t) always lies here: fixed, so a colour always means the same
CELL_STATE = OKABE_ITO["sky"]  # the LSTM's cell-state line and its error (graph, gradient view)
GATE_LEVELS = (0.0, 1.0)  # a sigmoid gate's values (a tanh candidate's: HIDDEN_LEVELS)
LOG_FLOOR = 1e-12  # contributions below this are drawn as the floor colour


def state_levels(bounds: tuple[float, float], states: np.ndarray) -> tuple[tuple[float, float], tuple]:
    """(colour levels, bar range) for hidden states: the cell's bounds where they are finite (tanh:
    -1..1, HIDDEN_LEVELS); an unbounded activation (ReLU: 0..inf) takes the trace's largest |s|,
    rounded up to 1, 2 or 5 times a power of ten. The levels are symmetric about 0, so white is 0
    for every cell; both stay fixed for the whole trace, so a colour means one value at every step."""
    lo, hi = bounds
    if np.isfinite(lo) and np.isfinite(hi):
        top = max(abs(lo), abs(hi))
    else:
        finite = np.abs(states[np.isfinite(states)]) if np.size(states) else np.zeros(0)
        top = _up_125(float(finite.max()) if finite.size else 1.0)
    bars = (lo if np.isfinite(lo) else -top, hi if np.isfinite(hi) else top)
    return (-top, top), bars


def tick_text(v: float) -> str:
    """A tick label with a true minus sign: -1 -> "−1", 0.5 -> "0.5"."""
    return f"{v:g}".replace("-", "−")


def _up_125(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, ... (times any power of ten) at least `value` (> 0)."""
    value = max(value, 1e-6)
    e = np.floor(np.log10(value))
    return float(next(m * 10**e for m in (1, 2, 5, 10) if m * 10**e >= value * (1 - 1e-12)))


def colormap(name: str) -> pg.ColorMap:
    return pg.colormap.get(name)


def pen(color: str, width: float = 2.0, dashed: bool = False):
    p = pg.mkPen(QColor(color), width=width)
    if dashed:
        p.setStyle(Qt.PenStyle.DashLine)
    return p


def dense_curve(curve: pg.PlotDataItem) -> None:
    """A curve of one point per training iteration (thousands, noisy) is drawn as separate line
    segments: Qt strokes one long zigzag path wider than 1 px very slowly (600 ms for 2,000 points at
    1.5 px, against 6 ms as segments), and training redraws it ten times a second. pyqtgraph does this
    itself only without antialiasing; with it the joints of an opaque line look the same."""
    curve.curve.setSegmentedLineMode("on")


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
    """One-line plain-text title at the theme's size, cut with "…" to the plot's width (the whole
    title is its tooltip): a title never widens its plot, and is never clipped."""
    fit_text.set_plot_title(plot, title, theme.foreground, theme.font_pt + 2)


def label_axis(ax: pg.AxisItem, text: str, theme: Theme) -> None:
    """Axis label at the theme's size; tick labels always show the plain values.

    pyqtgraph rescales an axis with a unit-less label by an SI factor (0.86 -> "860", with only
    "(x0.001)" in the label). An empty list of SI ranges makes it choose a factor of 1; turning the
    automatic prefix off then freezes that 1, and spares a re-render of the label's HTML at every
    range change (hundreds while the window is built). The label still fits its axis on resize.
    """
    fit_text.fit_axis_label(ax)  # a label longer than its axis is cut with "…", never clipped
    if text:
        ax.setLabel(
            text, color=theme.foreground, siPrefixEnableRanges=(), **{"font-size": f"{theme.font_pt}pt"}
        )
    else:
        ax.setSIPrefixEnableRanges(())
    freeze_si_prefix(ax)  # evaluates once now (factor 1), not at every range change


def freeze_si_prefix(ax: pg.AxisItem) -> None:
    """Automatic SI prefix off, once: switching it renders the axis label again, and restyles (every
    theme change, every new trace of the hidden view's colour bar) would repeat that for nothing."""
    if ax.autoSIPrefix:
        ax.enableAutoSIPrefix(False)


def style_plot(plot: pg.PlotItem, theme: Theme, title: str, left: str = "", bottom: str = "") -> None:
    """Title and axis labels at the theme's size: readable from the back of a room."""
    set_title(plot, title, theme)
    for side in ("top", "right"):  # hidden, and unlabelled: a factor of 1, never re-evaluated
        freeze_si_prefix(plot.getAxis(side))
    for side, text in (("left", left), ("bottom", bottom)):
        ax = plot.getAxis(side)
        ax.setPen(pen(theme.foreground, 1))
        ax.setTextPen(pen(theme.foreground, 1))
        ax.setTickFont(font(theme, 0.95))
        label_axis(ax, text, theme)
        roomy_ticks(ax)


def size_scale(theme: Theme) -> float:
    """How much larger than designed a plot must be: presenter type scaled up for a big screen
    (presenter_for) scales the plots with it, so their axes do not eat the data area."""
    return max(1.0, theme.font_pt / PRESENTER.font_pt) if theme.name == PRESENTER.name else 1.0


def plot_minimum(theme: Theme) -> tuple[float, float, float, float]:
    """(plot width, plot height, data width, data height): the least a plot may be."""
    k = size_scale(theme)
    return PLOT_MIN_W * k, PLOT_MIN_H * k, DATA_MIN[0] * k, DATA_MIN[1] * k


def usable(plot: pg.PlotItem, theme: Theme) -> None:
    """Never smaller than plot_minimum, nor than its axes and title need around its least data
    area (a colour bar inside the plot adds its own width)."""
    width, height, data_w, data_h = plot_minimum(theme)
    plot.vb.setMinimumSize(data_w, data_h)
    plot.setMinimumSize(0, 0)  # measure what the parts need, not a minimum set before
    need = plot.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize)
    plot.setMinimumSize(max(width, need.width()), max(height, need.height()))


def style_colorbar(bar: pg.ColorBarItem, label: str, theme: Theme) -> None:
    """A colour bar's name and values at the theme's size, with room for its widest value."""
    for side in ("top", "right", "bottom"):  # hidden, and unlabelled: a factor of 1, never re-evaluated
        freeze_si_prefix(bar.getAxis(side))
    label_axis(bar.getAxis("left"), label, theme)  # the axis that carries the name
    values = bar.axis
    label_axis(values, "", theme)
    values.setPen(pen(theme.foreground, 1))
    values.setTextPen(pen(theme.foreground, 1))
    values.setTickFont(font(theme, 0.95))
    values.setWidth(int(QFontMetricsF(font(theme, 0.95)).horizontalAdvance("−0.55") + 14))
    roomy_ticks(values)


def roomy_ticks(ax: pg.AxisItem) -> None:
    """No more tick labels than the axis has room for in its font. pyqtgraph chooses how many
    from the axis length alone, so large type made neighbours collide ("-0.50.5")."""
    if getattr(ax, "roomy_ticks", False):
        return
    choose = ax.tickSpacing

    def spaced(min_val: float, max_val: float, size: float):
        levels = choose(min_val, max_val, size)
        if not levels or not max_val > min_val or size <= 0:
            return levels
        fm = QFontMetricsF(ax.style["tickFont"] or QFont())
        major = levels[0][0]  # pyqtgraph's labelled spacing, widened until its labels fit
        if ax.orientation in ("left", "right"):
            room = 1.6 * fm.height()
        else:
            texts = ax.tickStrings([min_val, max_val, (min_val + max_val) / 2], ax.scale, major)
            room = max(fm.horizontalAdvance(t) for t in texts) + fm.height()
        most = max(2, int(size / room))
        while (max_val - min_val) / major > most:
            major = _next_125(major)
        return [(major, 0.0)] + [(s, off) for s, off in levels if s < major][:1]

    ax.tickSpacing = spaced
    ax.setStyle(maxTextLevel=0)  # labels on the spaced ticks only; finer ticks stay unlabelled
    ax.roomy_ticks = True


def _next_125(spacing: float) -> float:
    """The next spacing up the 1, 2, 5, 10, ... ladder."""
    e = np.floor(np.log10(spacing))
    m = spacing / 10**e
    return float((2 if m < 1.5 else 5 if m < 3.5 else 10) * 10**e)


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

    lo and hi are log10 values (the axis is in log mode, so its coordinates are exponents). At most
    max_labels labels, and never more than the axis's length has room for (re-counted on resize)."""
    ax.decades = (lo, hi, max_labels)
    if not getattr(ax, "decade_resize", False):
        resize = ax.resizeEvent

        def resize_event(ev=None):
            resize(ev)
            _set_decades(ax)

        ax.resizeEvent = resize_event
        ax.decade_resize = True
    _set_decades(ax)


def _set_decades(ax: pg.AxisItem) -> None:
    lo, hi, max_labels = ax.decades
    length = ax.size().height() if ax.orientation in ("left", "right") else ax.size().width()
    room = 1.6 * QFontMetricsF(ax.style["tickFont"] or QFont()).height()
    if length > 0:
        max_labels = max(2, min(max_labels, int(length / room) + 1))
    every = max(1, -(-(hi - lo) // (max_labels - 1)))  # ceil: at most max_labels labels
    major = [(float(e), decade_label(e)) for e in range(lo, hi + 1) if e % every == 0]
    minor = [(float(e), "") for e in range(lo, hi + 1) if e % every]
    if getattr(ax, "decade_ticks", None) != (major, minor):
        ax.decade_ticks = (major, minor)
        ax.setTicks([major, minor])


def decade_label(e: int) -> str:
    return {0: "1", 1: "10"}.get(e, "10" + str(e).translate(SUPERSCRIPT))


# --- issue 13's lab views ---------------------------------------------------------------------------

# colours of state labels in the hidden-state space (the grammar's nodes: up to 10): Okabe-Ito first,
# then darker tones that stay apart from them; a task without labels gets NEUTRAL_STATE
STATE_COLOURS = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["green"],
    OKABE_ITO["purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky"],
    "#8C6D31",  # brown
    "#444444",  # dark grey
    OKABE_ITO["yellow"],
    "#7B3294",  # violet
)
NEUTRAL_STATE = "#707070"
CLOUD_ALPHA = 90  # the fitted states behind the trajectory: faint, so the current sequence stands out
CLIFF_LEVELS = (-6.0, 0.0)  # log10 E on the cliff's surface: E lies in (0, 0.49]; below 1e-6 is floor colour


def state_colour(label: int | None) -> str:
    return NEUTRAL_STATE if label is None or label < 0 else STATE_COLOURS[label % len(STATE_COLOURS)]


def faded(color: str, alpha: int) -> QColor:
    c = QColor(color)
    c.setAlpha(alpha)
    return c
