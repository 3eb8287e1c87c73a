"""How the gradient view arranges its plots, and the least room it needs (a GradientView mixin).

One cell: the heatmap, its colour bar and the going-back plot in a row, the legend below the line
plot when the view is tall enough (never on a curve), else beside it. Two cells (compare mode): the
two heatmaps side by side above their two going-back plots, the colour bar and the legend at the
right ("grid"); in a view too short for that, all in one row ("row"); and where neither fits (a
small screen), one cell at a time, chosen above the plots ("one": as one cell, on the same scales).
The view asks for the room of the arrangement that needs least, so the size it asks for never
depends on the size it is given; ViewDeck asks minimum_width_for a given height, which names the
room of the best arrangement for that height, so the deck gives two cells the room to stand side by side.
"""

from __future__ import annotations

from PySide6 import QtCore

from rnnviz.ui.plot_area import min_size

STRETCH = {"below": (4, 0, 5), "beside": (4, 0, 5, 0), "grid": (1, 1, 0, 0), "row": (4, 4, 0, 5, 5, 0)}
STRETCH["one"] = STRETCH["beside"]


class GradientLayout:
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _arrangements(self) -> tuple[str, ...]:
        """The arrangements for the cells on show, best first; the last one needs the least room."""
        return ("grid", "row", "one") if len(self.shown_sides) > 1 else ("below", "beside")

    def _fits(self, size: QtCore.QSizeF) -> bool:
        return self.width() >= size.width() - 1 and self.height() >= size.height() - 1

    def _reflow(self) -> None:
        """Choose the arrangement for the view's size; the verdict keeps the lines it needs."""
        sizes = self._sizes(self.width())
        names = self._arrangements()
        # lines at the width it has, never at a narrower one it had for a moment while being moved
        # (one word a line would make it, and the window, taller for good)
        width = max(self.width(), sizes[names[-1]].width()) - 8
        need = self._text_height(self.verdict_label.text(), int(width))  # (the label's own answer is
        if need != self.verdict_label.minimumHeight():  # never below the minimum it was given)
            self.verdict_label.setMinimumHeight(need)
        place = next((n for n in names[:-1] if self._fits(sizes[n])), names[-1])
        if place == self.legend_place:
            return
        self.legend_place = place
        cells = self._cells(place)
        hidden = [p for side in self.sides for p in (side.heat_plot, side.line_plot) if p not in cells]
        for plot in hidden:
            plot.setVisible(False)
        for plot in cells:
            plot.setVisible(True)
        self.layout_widget.place(cells, out=tuple(hidden))
        grid = self.layout_widget.ci.layout
        for col, share in enumerate(STRETCH[place] + (0,) * (6 - len(STRETCH[place]))):
            grid.setColumnStretchFactor(col, share)  # plots share the width; bars and legends do not
        self._placed()

    @property
    def placed_sides(self) -> list:
        """The cells whose plots are on screen: both in compare mode, unless shown one at a time."""
        sides = self.shown_sides
        return [sides[min(self.alone, len(sides) - 1)]] if self.legend_place == "one" else sides

    def _cells(self, place: str) -> dict:
        sides = self.shown_sides
        a = sides[min(self.alone, len(sides) - 1)] if place == "one" else sides[0]
        if place in ("below", "beside", "one"):
            cells = {a.heat_plot: (0, 0, 2, 1), self.colorbar: (0, 1, 2, 1), a.line_plot: (0, 2, 1, 1)}
            cells[self.legend] = (0, 3, 1, 1) if place != "below" else (1, 2, 1, 1)
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

    def _sizes(self, width: int = 0) -> dict[str, QtCore.QSizeF]:
        """The least room of each arrangement, the row above and the verdict included; with a
        `width`, the verdict's lines at that width if wider (what the view would need at that width)."""
        grid = self.layout_widget.ci.layout
        left, top, right, bottom = grid.getContentsMargins()
        lay = self.layout()
        m = lay.contentsMargins()
        gap = grid.horizontalSpacing()
        bar, legend = min_size(self.colorbar), min_size(self.legend)
        sides = self.shown_sides
        heats = [min_size(s.heat_plot) for s in sides]
        lines = [min_size(s.line_plot) for s in sides]
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
        verdicts = {"below": 1, "beside": 1}  # lines of verdict: one per cell on screen
        if len(sides) > 1:
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
                "one": sizes["beside"],
            }
            verdicts = {"grid": 2, "row": 2, "one": 1}
        out = {}
        fm = self.verdict_label.fontMetrics()
        for name, (w, h) in sizes.items():
            w += left + right + m.left() + m.right()
            verdict = max(self._verdict_height(int(w)), fm.height())
            if len(sides) > 1:  # compare mode: a verdict per cell on screen (one at a time: that cell's),
                # as long as the longest can be: the arrangement must not depend on the words of the moment
                longest = "\n".join([self._longest_verdict()] * verdicts[name])
                verdict = max(self._text_height(longest, int(max(w, width))), verdicts[name] * fm.height())
            h += top + bottom + self.top_row.sizeHint().height()
            out[name] = QtCore.QSizeF(w, h + verdict + 2 * lay.spacing() + m.top() + m.bottom())
        return out

    def _verdict_height(self, width: int) -> int:
        """verdict_label.heightForWidth(width), kept per text, font and width: Qt asks for the view's
        least size about three times after each step, and each answer laid the verdict's text out
        twice (~20 us each time)."""
        label = self.verdict_label
        key = (label.text(), label.font().key(), width)
        known = self.__dict__.setdefault("_verdict_heights", {})
        if key not in known:
            if len(known) > 64:  # the verdicts of a sweep (one a step): keep a few
                known.clear()
            known[key] = label.heightForWidth(width)
        return known[key]

    def _longest_verdict(self) -> str:
        K = self.shown_sides[0].stepper.truncate if self.shown_sides[0].stepper is not None else None
        text = "LSTM: 199 steps back (so far): |∂E₁₉₉/∂a₁₉₉| = 0.00098 × |∂E₁₉₉/∂a₁₉₉|"
        text += " → neither vanishing nor exploding."
        if K is not None:
            text += f"  Truncated at K = {K}: the trace drops every term more than {K} steps back."
        return text

    def _text_height(self, text: str, width: int) -> int:
        """The height the verdict label would need for `text` at `width` (measured on a twin label)."""
        twin = getattr(self, "_twin_label", None)
        if twin is None:
            twin = self._twin_label = type(self.verdict_label)(self)  # a child: the same style as the label
            twin.setWordWrap(True)
            twin.hide()
        twin.setFont(self.verdict_label.font())
        twin.setText(text)
        return max(0, twin.heightForWidth(width))  # -1: no text to lay out

    def minimum_width_for(self, height: float) -> int:
        """The width the best arrangement that fits this height needs (two cells: side by side when
        the height allows it, so the deck makes room for them; one at a time only when it does not)."""
        sizes = self._sizes()
        names = self._arrangements()
        name = next((n for n in names[:-1] if height >= sizes[n].height()), names[-1])
        return int(sizes[name].width()) + 1

    def minimumSizeHint(self) -> QtCore.QSize:
        """Room for the arrangement that needs the least (the legend beside the plot; two cells: one
        at a time), whatever the height: the size it asks for never depends on the size it is given."""
        least = self._sizes()[self._arrangements()[-1]]
        return QtCore.QSize(int(least.width()) + 1, int(least.height()) + 1)
