"""How the gradient view arranges its plots, and the least room it needs (a GradientView mixin).

One cell: the heatmap, its colour bar and the going-back plot in a row, the legend below the line
plot when the view is tall enough (never on a curve), else beside it. Two cells (compare mode): the
two heatmaps side by side above their two going-back plots ("grid"), the colour bar and legend at the
right; or, in a view too short for that, all in one row ("row"). The view asks for the room of its
arrangement that needs the least height whatever height it has, so the size it asks for never
depends on the size it is given; ViewDeck asks minimum_width_for a given height.
"""

from __future__ import annotations

from PySide6 import QtCore

from rnnviz.ui.plot_area import min_size

STRETCH = {"below": (4, 0, 5), "beside": (4, 0, 5, 0), "grid": (1, 1, 0, 0), "row": (4, 4, 0, 5, 5, 0)}


class GradientLayout:
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        """Choose the arrangement for the view's size; the verdict keeps the lines it needs."""
        # lines at the width it has, never at a narrower one it had for a moment while being moved
        # (one word a line would make it, and the window, taller for good)
        sizes = self._sizes()
        tall, short = self._arrangements()
        width = max(self.width(), sizes[short].width()) - 8
        self.verdict_label.setMinimumHeight(max(0, self.verdict_label.heightForWidth(int(width))))
        need = sizes[tall]
        fits = self.width() >= need.width() - 1 and self.height() >= need.height() - 1
        place = tall if fits or (len(self.shown_sides) > 1 and self.width() < sizes[short].width()) else short
        if place == self.legend_place:
            return
        self.legend_place = place
        cells = self._cells(place)
        hidden = [p for side in self.sides for p in (side.heat_plot, side.line_plot) if p not in cells]
        self.layout_widget.place(cells, out=tuple(hidden))
        grid = self.layout_widget.ci.layout
        for col, share in enumerate(STRETCH[place] + (0,) * (6 - len(STRETCH[place]))):
            grid.setColumnStretchFactor(col, share)  # plots share the width; bars and legends do not

    def _arrangements(self) -> tuple[str, str]:
        """(the taller arrangement, the shorter one) for the cells on show."""
        return ("grid", "row") if len(self.shown_sides) > 1 else ("below", "beside")

    def _cells(self, place: str) -> dict:
        sides = self.shown_sides
        a = sides[0]
        if place in ("below", "beside"):
            cells = {a.heat_plot: (0, 0, 2, 1), self.colorbar: (0, 1, 2, 1), a.line_plot: (0, 2, 1, 1)}
            cells[self.legend] = (0, 3, 1, 1) if place == "beside" else (1, 2, 1, 1)
            return cells
        b = sides[1]
        if place == "grid":
            return {
                a.heat_plot: (0, 0, 1, 1),
                b.heat_plot: (0, 1, 1, 1),
                self.colorbar: (0, 2, 1, 1),
                a.line_plot: (1, 0, 1, 1),
                b.line_plot: (1, 1, 1, 1),
                self.legend: (0, 3, 2, 1),  # beside both rows: a legend of six curves is taller than a plot
            }
        items = (a.heat_plot, b.heat_plot, self.colorbar, a.line_plot, b.line_plot, self.legend)
        return {item: (0, col, 1, 1) for col, item in enumerate(items)}

    def _sizes(self) -> dict[str, QtCore.QSizeF]:
        """The least room of each arrangement, the row above and the verdict included."""
        grid = self.layout_widget.ci.layout
        left, top, right, bottom = grid.getContentsMargins()
        lay = self.layout()
        m = lay.contentsMargins()
        gap = grid.horizontalSpacing()
        bar, legend = min_size(self.colorbar), min_size(self.legend)
        sides = self.shown_sides
        heats = [min_size(s.heat_plot) for s in sides]
        lines = [min_size(s.line_plot) for s in sides]
        if len(sides) == 1:
            heat, line = heats[0], lines[0]
            plots_w = heat.width() + bar.width() + 2 * gap
            tall = max(heat.height(), bar.height())
            sizes = {
                "below": (
                    plots_w + max(line.width(), legend.width()),
                    max(line.height() + gap + legend.height(), tall),
                ),
                "beside": (
                    plots_w + line.width() + gap + legend.width(),
                    max(line.height(), legend.height(), tall),
                ),
            }
        else:
            cols = [max(h.width(), w.width()) for h, w in zip(heats, lines, strict=True)]
            upper = max(*(h.height() for h in heats), bar.height())
            lower = max(w.height() for w in lines)
            row_w = (
                sum(h.width() for h in heats) + sum(w.width() for w in lines) + bar.width() + legend.width()
            )
            sizes = {  # the grid's legend spans both rows, beside the colour bar
                "grid": (
                    sum(cols) + bar.width() + legend.width() + 3 * gap,
                    max(upper + gap + lower, legend.height()),
                ),
                "row": (row_w + 5 * gap, max(upper, lower, legend.height())),
            }
        out = {}
        for name, (w, h) in sizes.items():
            w += left + right + m.left() + m.right()
            verdict = max(
                self.verdict_label.heightForWidth(int(w)), self.verdict_label.fontMetrics().height()
            )
            h += top + bottom + self.top_row.sizeHint().height()
            out[name] = QtCore.QSizeF(w, h + verdict + 2 * lay.spacing() + m.top() + m.bottom())
        return out

    def minimum_width_for(self, height: float) -> int:
        """The width it needs at this height: the taller arrangement when tall enough, else the shorter."""
        sizes = self._sizes()
        tall, short = self._arrangements()
        return int(sizes[tall if height >= sizes[tall].height() else short].width()) + 1

    def minimumSizeHint(self) -> QtCore.QSize:
        """One cell: room for the legend beside the plot (the shortest arrangement), whatever the
        height. Two cells: the grid, which needs far less width than one row of six items."""
        sizes = self._sizes()
        tall, short = self._arrangements()
        least = sizes[tall] if len(self.shown_sides) > 1 else sizes[short]
        return QtCore.QSize(int(least.width()) + 1, int(least.height()) + 1)
