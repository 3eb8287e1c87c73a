"""What the lab views share about layout: a key (legend) as wrapped rich text, and two arrangements
chosen by the height a view has, with least sizes that never depend on the size it is given.

- stacked (tall enough): the controls above the plot, the texts below it;
- side (short: a small screen, or presenter type): the plot on the left, the controls and the texts in
  a column on its right.

A pyqtgraph legend takes as many columns as its width allows and then asks for that width as its
least (a view once wide stays wide), and a legend in one column under a narrow plot is taller than a
projector's view: a wrapped label reflows both ways. As the loss view does, a view asks for the side
arrangement's size (short, wider) and tells the deck the width it needs at a given height.
"""

from __future__ import annotations

import functools
import html
import math

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

from rnnviz.ui import style

LINE, DASHED, DOT, CROSS = "━━", "╌╌", "●", "✚"  # samples of what the plot draws
COLUMN_EMS = 22  # the side column's width, in the theme's font heights


def key_html(entries, theme: style.Theme) -> str:
    """'(sample, colour, text)' entries as one paragraph that wraps between entries, never inside one."""
    parts = []
    for sample, colour, text in entries:
        words = html.escape(text, quote=False).replace(" ", "&nbsp;")
        parts.append(f'<span style="color:{colour}">{sample}</span>&nbsp;{words}')
    return f'<span style="color:{theme.foreground}">' + " &nbsp; ".join(parts) + "</span>"


def plain_text(rich: str) -> str:
    """What a key reads as (samples and words), without its markup: for tooltips and tests."""
    doc = QtGui.QTextDocument()
    doc.setHtml(rich)
    return doc.toPlainText().replace("\xa0", " ")


def text_height(label: QtWidgets.QLabel, width: int) -> int:
    """The height `label`'s lines need at `width` (0 if empty), measured on a twin label that is in
    no layout: QLabel.heightForWidth never answers less than the label's own minimum height, and
    lifting that minimum on the label itself asks its layout to run again, which asked this again,
    at every turn of the event loop."""
    if not label.text():
        return 0
    m = label.contentsMargins()
    margins = (m.left(), m.top(), m.right(), m.bottom())
    return _twin_height(label.text(), label.textFormat(), label.font().toString(), margins, width)


@functools.lru_cache(maxsize=512)
def _twin_height(text: str, text_format, font: str, margins: tuple, width: int) -> int:
    twin = _twin()
    twin.setTextFormat(text_format)
    f = QtGui.QFont()
    f.fromString(font)
    twin.setFont(f)
    twin.setContentsMargins(*margins)
    twin.setText(text)
    return max(0, twin.heightForWidth(width))


@functools.lru_cache(maxsize=1)
def _twin() -> QtWidgets.QLabel:
    return QtWidgets.QLabel(wordWrap=True)  # never shown, in no layout: asking it changes nothing


def wrapped_label() -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(wordWrap=True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Minimum)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


class LabLayout:
    """A mixin for a lab view: call `_set_parts(plot_area, rows, texts)` once; `rows` are widgets of
    controls (fixed height), `texts` wrapped labels."""

    MARGIN, GAP = 2, 4

    def _set_parts(self, plots: QtWidgets.QWidget, rows=(), texts=()) -> None:
        self._plots, self._rows, self._texts = plots, tuple(rows), tuple(texts)
        self._grid = QtWidgets.QGridLayout(self)
        self._grid.setContentsMargins(*(self.MARGIN,) * 4)
        self._grid.setSpacing(self.GAP)
        self.column = QtWidgets.QWidget()  # the side arrangement's right-hand column
        self._column = QtWidgets.QVBoxLayout(self.column)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(self.GAP)
        self.arrangement: str | None = None
        self._arrange("stacked")

    # --- sizes ------------------------------------------------------------------------------------

    def _column_width(self) -> int:
        font = max((w.font() for w in self._texts), key=lambda f: f.pointSizeF(), default=self.font())
        ems = COLUMN_EMS * QtGui.QFontMetricsF(font).height()
        return math.ceil(max([ems] + [r.minimumSizeHint().width() for r in self._rows]))

    def _texts_height(self, width: int) -> int:
        heights = [text_height(t, width) for t in self._texts if t.text()]
        return sum(heights) + self.GAP * max(0, len(heights) - 1)

    def _sizes(self) -> dict[str, QtCore.QSize]:
        plots = self._plots.minimumSizeHint()
        rows = [r.minimumSizeHint() for r in self._rows]
        m = 2 * self.MARGIN
        stacked_w = max([plots.width()] + [r.width() for r in rows])
        stacked_h = plots.height() + sum(r.height() for r in rows) + self._texts_height(stacked_w)
        stacked_h += self.GAP * (len(rows) + (1 if self._texts else 0))
        column_w = self._column_width()
        column_h = sum(r.height() for r in rows) + self._texts_height(column_w) + self.GAP * len(rows)
        return {
            "stacked": QtCore.QSize(stacked_w + m, stacked_h + m),
            "side": QtCore.QSize(plots.width() + self.GAP + column_w + m, max(plots.height(), column_h) + m),
        }

    def minimum_width_for(self, height: float) -> int:
        """The width it needs at this height: narrow when tall enough to stack, wider side by side."""
        sizes = self._sizes()
        return sizes["stacked" if height >= sizes["stacked"].height() else "side"].width()

    def minimumSizeHint(self) -> QtCore.QSize:
        """Side by side: as short as it gets, wide enough for any height (never the size it was given)."""
        return self._sizes()["side"]

    # --- arranging --------------------------------------------------------------------------------

    def _arrange(self, arrangement: str) -> None:
        if arrangement == self.arrangement:
            return
        self.arrangement = arrangement
        parts = (self._plots, *self._rows, *self._texts, self.column)
        for w in parts:
            self._grid.removeWidget(w)
            self._column.removeWidget(w)
        while self._column.count():  # the stretch
            self._column.takeAt(0)
        for r in range(self._grid.rowCount()):
            self._grid.setRowStretch(r, 0)
        for c in range(self._grid.columnCount()):
            self._grid.setColumnStretch(c, 0)
        if arrangement == "side":
            self._grid.addWidget(self._plots, 0, 0)
            self._grid.addWidget(self.column, 0, 1)
            for w in (*self._rows, *self._texts):
                self._column.addWidget(w)
            self._column.addStretch(1)
            self.column.setFixedWidth(self._column_width())
            self.column.show()
            self._grid.setColumnStretch(0, 1)
            self._grid.setRowStretch(0, 1)
        else:
            order = (*self._rows, self._plots, *self._texts)
            for i, w in enumerate(order):
                self._grid.addWidget(w, i, 0)
            self.column.hide()
            self._grid.setRowStretch(len(self._rows), 1)
            self._grid.setColumnStretch(0, 1)
        for w in (*self._rows, *self._texts, self._plots):
            w.show()

    def _fit_texts(self) -> None:
        """Each wrapped label gets the height its lines need at the width it has in this arrangement
        (never at a narrower one it had for a moment: one word a line would make the window tall)."""
        if self.arrangement == "side":
            width = self._column_width()
        else:
            width = max(self.width(), self._sizes()["stacked"].width()) - 2 * self.MARGIN
        for label in self._texts:  # exactly its lines: the room left goes to the plot
            label.setFixedHeight(text_height(label, width))

    def _relayout(self) -> None:
        sizes = self._sizes()
        self._arrange("stacked" if self.height() >= sizes["stacked"].height() else "side")
        self._fit_texts()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._relayout()
