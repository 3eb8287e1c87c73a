"""One cell's half of the gradient view: its contribution heatmap C[t, k] and its going-back plot.

The gradient view (widgets/gradient_view.py) holds one of these, or two in compare mode, and gives
them one colour scale and one vertical scale. A side reads everything from its session side (the
session, or session.side(1)): its trace, its contributions and its rows from the worker, always of
the parameters the trace uses.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from rnnviz.ui import style
from rnnviz.ui.column_image import ColumnImage
from rnnviz.ui.plot_area import FittedNote, PlotArea

CURVE_KEYS = ("ratio", "norm", "w_factor", "radius_factor", "tanh_factor", "relu_factor", "cell_path")
VEIL_ALPHA = 200  # cells truncation drops: mostly hidden, still readable on hover


def curves_of(cell) -> tuple[str, ...]:
    """The going-back curves a cell has (those of its DecayRow): the measured ratio, the Jacobian
    norm, and its own: a single recurrent W (the vanilla RNN) the bounds ||W||^(t-k) and its
    activation's slopes and rho(W)^(t-k); a cell state (the LSTM) the path along c."""
    keys = ["ratio", "norm"]
    if len(cell.blocks) == 1:
        keys += ["w_factor", f"{getattr(cell, 'activation', 'tanh')}_factor", "radius_factor"]
    if "c" in cell.states:
        keys.append("cell_path")
    return tuple(k for k in CURVE_KEYS if k in keys)


def positive(d: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop zeros (C[t, 0] = 0 since s_{-1} = 0) and non-finite values: a log axis cannot show them."""
    keep = np.isfinite(y) & (y > 0)
    return d[keep].astype(float), y[keep]


class GradientSide:
    def __init__(self, session, area: PlotArea, index: int = 0, heatmap: ColumnImage | None = None):
        self.session = session  # the Session, or session.side(1)
        self.revealed = np.zeros((0, 0), dtype=bool)
        self.revealed_at: tuple | None = None  # (trace, backward steps taken) the cells revealed are of
        self.nothing = True  # no cell revealed yet
        self.stepper = None  # the trace the cached data belongs to
        self.C: np.ndarray | None = None  # (T, T) from the worker; None until it is in
        self.log_c: np.ndarray | None = None
        self.drawn: tuple | None = None  # what the heatmap's colours are made of
        self.drawn_cells = np.zeros((0, 0), dtype=bool)  # the cells the heatmap shows
        self.row_drawn: tuple | None = None  # the line plot's frame: (t, lo, hi) of its range and ticks
        self.veil_drawn: tuple | None = None  # what the veil shows
        self._kept: tuple = (None, None)  # ((T, K), the terms kept)
        self._marked: int | None = None  # the row the marker outlines

        self.heat_plot = area.addPlot(row=2 * index, col=0)  # until the view places it
        self.heat_plot.invertY(True)  # t = 0 at the top, like a matrix
        self.heat_plot.setMouseEnabled(x=False, y=False)
        self.heat_plot.hideButtons()
        self.heatmap = heatmap if heatmap is not None else ColumnImage()  # (the view's colour bar's)
        self.heat_plot.addItem(self.heatmap)
        self.outline = pg.PlotDataItem()  # lower-triangle outline: where cells will appear
        self.row_marker = pg.PlotDataItem()  # the chosen output step t
        self.fill_text = FittedNote("fills in during BPTT", self.heat_plot.vb)  # fits a small heatmap
        self.veil = pg.ImageItem()  # truncated BPTT: covers the cells it drops
        self.band = pg.PlotDataItem()  # truncated BPTT: the left edge of the band of kept terms
        for item in (self.outline, self.veil, self.band, self.row_marker, self.fill_text):
            self.heat_plot.addItem(item)

        self.line_plot = area.addPlot(row=2 * index + 1, col=0)
        self.line_plot.setLogMode(x=False, y=True)
        self.line_plot.showGrid(x=True, y=True, alpha=0.25)
        self.line_plot.hideButtons()
        self.line_plot.setMouseEnabled(x=False, y=False)
        self.curves = {key: pg.PlotDataItem() for key in CURVE_KEYS}
        for curve in self.curves.values():
            self.line_plot.addItem(curve)
        for plot, side in ((self.heat_plot, "left"), (self.heat_plot, "bottom"), (self.line_plot, "bottom")):
            style.integer_ticks(plot.getAxis(side))  # steps and distances are whole numbers
        self.cut_line = pg.InfiniteLine(angle=90, movable=False, label="cut", labelOpts={"position": 0.92})
        self.line_plot.addItem(self.cut_line)  # truncated BPTT: terms beyond d = K are dropped

    @property
    def name(self) -> str:
        return self.session.name

    def apply_theme(self, th: style.Theme) -> None:
        """Fonts, pens and colours of this cell's plots (each curve keeps its look in both cells)."""
        lw = th.line_width
        style.style_plot(self.heat_plot, th, "", left="output step t", bottom="contributing step k")
        style.style_plot(self.line_plot, th, "", left="ratio to t", bottom="steps back (t − k)")
        self.outline.setPen(style.pen(th.muted, max(1.0, lw / 2)))
        self.row_marker.setPen(style.pen(th.backward, max(1.5, lw * 0.75)))
        self.fill_text.setColor(th.muted)
        self.fill_text.set_base_font(style.font(th))
        self.band.setPen(style.pen(th.backward, max(2.0, lw)))
        self.cut_line.setPen(style.pen(th.backward, max(1.5, lw * 0.75), dashed=True))
        self.cut_line.label.setColor(th.backward)
        self.cut_line.label.setFont(style.font(th, 0.95))
        c = self.curves
        c["ratio"].setPen(style.pen(th.backward, lw))
        c["ratio"].setSymbol("o")
        c["ratio"].setSymbolSize(4 + 2 * lw)
        c["ratio"].setSymbolBrush(th.backward)
        c["ratio"].setSymbolPen(style.pen(th.backward, 1))
        # the legend's sample draws the scatter's own brush and pen, which PlotDataItem hands on only
        # with data: set now, or the sample keeps pyqtgraph's default grey-blue until repainted
        c["ratio"].scatter.setBrush(th.backward)
        c["ratio"].scatter.setPen(style.pen(th.backward, 1))
        c["norm"].setPen(style.pen(th.foreground, lw / 2))
        c["w_factor"].setPen(style.pen(th.w_factor, lw, dashed=True))
        c["radius_factor"].setPen(style.pen(th.radius_factor, lw, dashed=True))
        c["tanh_factor"].setPen(style.pen(th.tanh_factor, lw, dashed=True))
        c["relu_factor"].setPen(style.pen(th.tanh_factor, lw, dashed=True))
        c["cell_path"].setPen(style.pen(style.CELL_STATE, lw))
        for plot in (self.heat_plot, self.line_plot):
            style.usable(plot, th)

    # --- a new trace --------------------------------------------------------------------------------

    def new_trace(self, theme: style.Theme) -> None:
        """Per-reset work: outline and band; C and its levels follow from the worker."""
        st = self.stepper = self.session.stepper
        T = st.T
        self.C, self.log_c, self.drawn, self.row_drawn = None, None, None, None
        self.revealed = revealed_cells(st)
        self.revealed_at, self.nothing = None, not self.revealed.any()  # show_heat finds them again
        xs, ys = [-0.5], [-0.5]  # staircase around the lower triangle (k <= t): where cells will appear
        for k in range(T):
            xs += [k + 0.5, k + 0.5]
            ys += [k - 0.5, k + 0.5]
        self.outline.setData(xs + [-0.5, -0.5], ys + [T - 0.5, -0.5])
        K = st.truncate
        self.band.setVisible(K is not None and K < T - 1)
        if self.band.isVisible():  # staircase along k = t - K: left of it the terms are dropped
            bx, by = [-0.5], [K + 0.5]
            for t in range(K + 1, T):
                bx += [t - K - 0.5, t - K - 0.5]
                by += [t - 0.5, t + 0.5]
            self.band.setData(bx, by)
        self.fill_text.setPos((T - 1) / 2, (T - 1) / 2)  # the middle of the heatmap
        # a fifth of a cell of margin: the row marker stays clear of the axes, no tick past T - 1
        self.heat_plot.setRange(xRange=(-0.7, T - 0.3), yRange=(-0.7, T - 0.3), padding=0)

    def take_contributions(self) -> np.ndarray | None:
        """C of this trace once the worker has it (kept: fixed for the whole pass)."""
        if self.C is None:
            self.C = self.session.contributions
            if self.C is not None:
                self.log_c = np.log10(np.maximum(self.C, style.LOG_FLOOR))  # zeros: the floor colour
        return self.C

    # --- the heatmap ----------------------------------------------------------------------------------

    def kept(self) -> np.ndarray:
        """(T, T) bool: the terms the trace keeps, t - K <= k <= t (the lower triangle without truncation).
        Made once per T and K (read-only), not at every step."""
        T, K = self.stepper.T, self.stepper.truncate
        if self._kept[0] != (T, K):
            t, k = np.indices((T, T))
            keep = k <= t
            if K is not None:
                keep &= t - k <= K
            keep.setflags(write=False)
            self._kept = ((T, K), keep)
        return self._kept[1]

    def show_heat(self, levels: tuple[float, float], theme: style.Theme) -> None:
        """Reveal the cells BPTT has reached, coloured on the shared `levels`."""
        st = self.stepper
        taken = min(max(st.cursor - st.T, 0), st.n_backward)  # backward steps: only they reveal cells
        if self.revealed_at != (st, taken):  # (a forward step changes nothing here: no T x T work)
            self.revealed_at = (st, taken)
            self.revealed = revealed_cells(st)
            self.nothing = not self.revealed.any()
        key = (self.log_c is not None, levels, theme)  # what colours the cells
        if self.drawn != key:  # the whole T x T image anew
            self.drawn, self.drawn_cells = key, self.revealed
            T = st.T
            img = np.where(self.revealed, self.log_c, np.nan) if key[0] else np.full((T, T), np.nan)
            self.heatmap.setImage(img, autoLevels=False, levels=levels)  # NaN -> transparent
            self.heatmap.setRect(QtCore.QRectF(-0.5, -0.5, T, T))  # cell (t, k) centred on (k, t)
            self.show_veil(theme)
        elif self.revealed is not self.drawn_cells:  # only the changed columns drawn again
            changed = np.flatnonzero((self.revealed != self.drawn_cells).any(axis=0))
            self.drawn_cells = self.revealed
            if changed.size and key[0]:  # (without C every cell stays transparent)
                img = self.heatmap.image  # the image on show, made by this side: changed in place
                img[:, changed] = np.where(self.revealed[:, changed], self.log_c[:, changed], np.nan)
                self.heatmap.show_columns(img, changed, self.log_c)  # colours found once a trace
            if changed.size:
                self.show_veil(theme)  # the cells truncation drops are veiled, C in or not
        nothing = self.nothing
        waiting = self.session.numbers.status("contributions")
        self.fill_text.setVisible(nothing or bool(waiting))
        if waiting:
            self.fill_text.setText(f"C[t, k]: {waiting}")
        elif nothing and st.mode == "single":
            self.fill_text.setText(f"row {st.target} fills in during BPTT")
        elif nothing:
            self.fill_text.setText("fills in during BPTT")

    def show_veil(self, theme: style.Theme) -> None:
        """Truncated BPTT: veil the revealed cells it drops (drawn again only when they change)."""
        T = self.stepper.T
        dropped = self.revealed & ~self.kept()
        key = (self.stepper, int(dropped.sum()), theme)
        if key == self.veil_drawn:
            return
        self.veil_drawn = key
        self.veil.setVisible(bool(dropped.any()))  # all transparent: not drawn at all (it is painted
        # again whenever anything over it changes, e.g. at every step)
        rgba = np.zeros((T, T, 4), dtype=np.uint8)  # transparent everywhere else
        bg = theme.background
        rgba[dropped] = [int(bg[i : i + 2], 16) for i in (1, 3, 5)] + [VEIL_ALPHA]
        self.veil.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.veil.setRect(QtCore.QRectF(-0.5, -0.5, T, T))

    def mark_row(self, t: int) -> None:
        if self._marked == t:  # the same row at most steps: its outline stays
            return
        self._marked = t
        self.row_marker.setData(
            [-0.5, t + 0.5, t + 0.5, -0.5, -0.5], [t - 0.5, t - 0.5, t + 0.5, t + 0.5, t - 0.5]
        )

    # --- the going-back plot -------------------------------------------------------------------------

    def row(self, t: int):
        """The worker's numbers for output step t (None if E_t has no target); while they are
        computed, the part so far (norms not yet computed are NaN: not drawn), or None."""
        if self.stepper.y[t] < 0:
            return None
        return self.session.jacobian_row(t, so_far=True)

    def show_curves(self, t: int, row) -> None:
        """Each curve's points for the steps BPTT has reached (distance d = t - k ascending)."""
        shown = self.revealed[t, : t + 1]
        K = self.stepper.truncate
        self.cut_line.setVisible(K is not None and K < t)
        if self.cut_line.isVisible():
            self.cut_line.setPos(K + 0.5)
            self.cut_line.label.setFormat(f"cut: K = {K}")
        values = {} if row is None else row.curves()
        d = t - np.arange(t + 1)  # distance back from t, per k
        for key, curve in self.curves.items():
            y = values.get(key)
            if y is None:
                if curve.xData is not None and len(curve.xData):  # an empty curve stays as it is
                    curve.setData([], [])
            else:
                curve.setData(*positive(d[shown][::-1], y[shown][::-1]))

    def set_row_range(self, t: int, lo: int, hi: int) -> None:
        if self.row_drawn == (t, lo, hi):  # the same frame: no new range, no new ticks
            return
        self.row_drawn = (t, lo, hi)
        self.line_plot.setRange(xRange=(-0.4, max(t, 1) + 0.4), yRange=(lo, hi), padding=0.02)
        style.decade_ticks(self.line_plot.getAxis("left"), lo, hi)


def default_output_step(st) -> int:
    """The loss E_t the going-back plot follows for a new kind of trace: the single mode's target,
    else the last step."""
    return st.target if st.mode == "single" else st.T - 1


def ask_numbers(sides) -> None:
    """Ask the worker for what the gradient view draws of a new trace, as it asks when it draws it:
    each cell's C, then its row for the default output step (if E_t there has a target)."""
    for side in sides:
        side.contributions  # noqa: B018 - asking is what starts the job
    for side in sides:
        t = default_output_step(side.stepper)
        if side.stepper.y[t] >= 0:
            side.jacobian_row(t)


def revealed_cells(st) -> np.ndarray:
    """(T, T) bool: full mode reveals column k (rows t >= k) once the backward step at k is done;
    single mode reveals cell (target, k) only, and once its (truncated) sweep is complete, the
    cells it dropped too (veiled)."""
    bw = st.backward_steps()
    ks = [e.t for e in bw]
    out = np.zeros((st.T, st.T), dtype=bool)
    if st.mode == "single":
        out[st.target, ks] = True
        if len(bw) == st.n_backward:
            out[st.target, : st.target + 1] = True
    else:
        out[:, ks] = True
        out &= np.tri(st.T, dtype=bool)
    return out


def parts_in(row) -> int | None:
    """How many of a row's norms are in (a row computed so far has NaN for the rest), None for none."""
    return None if row is None else int(np.count_nonzero(np.isfinite(row.norm)))


def row_range(rows: list, t: int) -> tuple[int, int]:
    """Decades from every value of the rows, revealed or not, so the axes stay put during the sweep
    (and, in compare mode, are the same for both cells)."""
    values = [y for row in rows if row is not None for y in row.curves().values()]
    every = np.concatenate(values) if values else np.empty(0)
    ok = every[np.isfinite(every) & (every > 0)]
    lo = int(np.floor(np.log10(ok.min()))) if ok.size else -1
    hi = int(np.ceil(np.log10(ok.max()))) if ok.size else 1
    return min(lo, -1), max(hi, 1)  # 1 (every curve's start) never sits on the edge
