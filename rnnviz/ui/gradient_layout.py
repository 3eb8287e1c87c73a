"""Where the gradient view's legend goes, and the least room the view needs (a GradientView mixin).

Below the line plot when the view is tall enough (never on a curve), else beside it; the view asks
for room for the legend beside the plot whatever height it has, so the size it asks for never
depends on the size it is given, and ViewDeck asks minimum_width_for a given height.
"""

from __future__ import annotations

from PySide6 import QtCore

from rnnviz.ui.plot_area import min_size


class GradientLayout:
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        """The legend (one column) goes below the line plot when the view is tall enough for both,
        else beside it (the view is never narrower than that: minimumSizeHint). The verdict keeps
        the lines it needs."""
        # lines at the width it has, never at a narrower one it had for a moment while being moved
        # (one word a line would make it, and the window, taller for good)
        sizes = self._sizes()
        width = max(self.width(), sizes["beside"].width()) - 8
        self.verdict_label.setMinimumHeight(max(0, self.verdict_label.heightForWidth(int(width))))
        below = sizes["below"]
        place = (
            "below" if self.width() >= below.width() - 1 and self.height() >= below.height() - 1 else "beside"
        )
        if place == self.legend_place:
            return
        self.legend_place = place
        cells = {self.heat_plot: (0, 0, 2, 1), self.colorbar: (0, 1, 2, 1), self.line_plot: (0, 2, 1, 1)}
        cells[self.legend] = (0, 3, 1, 1) if place == "beside" else (1, 2, 1, 1)
        self.layout_widget.place(cells)

    def _sizes(self) -> dict[str, QtCore.QSizeF]:
        """The least room of each arrangement, the row above and the verdict included: legend
        "below" the line plot or "beside" it (in one column)."""
        grid = self.layout_widget.ci.layout
        left, top, right, bottom = grid.getContentsMargins()
        heat, bar, line = (min_size(i) for i in (self.heat_plot, self.colorbar, self.line_plot))
        lay = self.layout()
        m = lay.contentsMargins()
        legend = min_size(self.legend)
        gap = grid.horizontalSpacing()
        plots_w = heat.width() + bar.width() + 2 * gap
        sizes = {
            "below": (plots_w + max(line.width(), legend.width()), line.height() + gap + legend.height()),
            "beside": (plots_w + line.width() + gap + legend.width(), max(line.height(), legend.height())),
        }
        out = {}
        for name, (w, h) in sizes.items():
            w += left + right + m.left() + m.right()
            verdict = max(
                self.verdict_label.heightForWidth(int(w)), self.verdict_label.fontMetrics().height()
            )
            h = max(h, heat.height(), bar.height()) + top + bottom + self.top_row.sizeHint().height()
            out[name] = QtCore.QSizeF(w, h + verdict + 2 * lay.spacing() + m.top() + m.bottom())
        return out

    def minimum_width_for(self, height: float) -> int:
        """The width it needs at this height: the legend below the plot when tall enough, else beside."""
        sizes = self._sizes()
        return int(sizes["below" if height >= sizes["below"].height() else "beside"].width()) + 1

    def minimumSizeHint(self) -> QtCore.QSize:
        """Room for the legend beside the plot, whatever the height: the size it asks for never
        depends on the size it is given (ViewDeck asks minimum_width_for a given height)."""
        beside = self._sizes()["beside"]
        return QtCore.QSize(int(beside.width()) + 1, int(beside.height()) + 1)
