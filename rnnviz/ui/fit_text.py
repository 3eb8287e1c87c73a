"""Text that never clips: a title, an axis label or a label shows as much as fits its room, ending
in "…", and its whole text is the tooltip. Plain text only (rich text cannot be cut safely).

pyqtgraph draws titles and axis labels at their full width and lets the plot clip them; the
functions here patch one item each (once), so every later resize re-fits the text.
"""

from __future__ import annotations

import html

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

ELLIPSIS = "…"


def elide(text: str, font: QtGui.QFont, width: float) -> str:
    """`text` cut to `width` pixels in `font`, ending in "…" when cut."""
    return QtGui.QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, max(0.0, width))


def css_font(size: str | None) -> QtGui.QFont:
    """The font a pyqtgraph label with this CSS size ("12pt", "16px") is drawn in."""
    f = QtGui.QFont()
    if size and size.endswith("pt"):
        f.setPointSizeF(float(size[:-2]))
    elif size and size.endswith("px"):
        f.setPixelSize(round(float(size[:-2])))
    return f


def _span(text: str, color: str, size: str | None) -> str:
    style = f"color: {color}" + (f"; font-size: {size}" if size else "")
    return f"<span style='{style}'>{html.escape(text, quote=False)}</span>"


# --- plot titles -------------------------------------------------------------------------------------


def set_plot_title(plot, text: str, color: str, size_pt: float) -> None:
    """Title across the whole plot (axes included), one line at `size_pt`, cut to fit with a
    tooltip. `plot.titleLabel.text` keeps the whole title; `shown_title(plot)` is what is drawn.
    Cheap when nothing changed (views set their titles at every step)."""
    label = plot.titleLabel
    if not getattr(label, "fits", False):
        _patch_title(plot, label)
    size = f"{size_pt:g}pt"
    if label.isVisible() and (label.text, label.opts.get("color"), label.opts.get("size")) == (
        text,
        color,
        size,
    ):
        return
    if label.opts.get("size") != size or not label.isVisible():  # the row's height follows the font
        height = QtGui.QFontMetricsF(css_font(size)).height() + 8
        label.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)  # pyqtgraph fixes 30 px: a large font would be cut
        label.setVisible(True)
    label.text = text  # what LabelItem.setText would do, without drawing the whole text first
    label.opts.update(color=color, size=size)
    label.resizeEvent(None)  # cuts it to the room, draws it, centres it


def _patch_title(plot, label) -> None:
    # span the axis columns too: the title may use the plot's whole width, not only the data area's
    plot.layout.removeItem(label)
    plot.layout.addItem(label, 0, 0, 1, 3)
    original_resize = label.resizeEvent

    def update_min():
        """No minimum or preferred width: a title never widens (or squeezes) its plot."""
        h = label.item.boundingRect().height()
        if label._sizeHint.get(Qt.SizeHint.MinimumSize) == (0, h):
            return  # unchanged: no new layout pass
        label.setMinimumWidth(0)
        label.setMinimumHeight(h)
        label._sizeHint = {
            Qt.SizeHint.MinimumSize: (0, h),
            Qt.SizeHint.PreferredSize: (0, h),
            Qt.SizeHint.MaximumSize: (-1, -1),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        label.updateGeometry()

    def resize_event(ev):
        _fit_title(label)
        # a new text of the same width in the same room keeps its place: pyqtgraph's resizeEvent
        # would move it to (0, 0) and back, and ask for the whole label to be drawn again
        placed = (label.rect(), label.item.boundingRect(), label.item.rotation())
        if ev is None and placed == getattr(label, "placed", None):
            return
        original_resize(ev)
        label.placed = (label.rect(), label.item.boundingRect(), label.item.rotation())

    label.updateMin = update_min
    label.resizeEvent = resize_event
    label.fits = True


def _fit_title(label) -> None:
    full = label.text if isinstance(label.text, str) else ""
    size = label.opts.get("size")
    shown = elide(full, css_font(size), label.width() - 4) if label.width() > 0 else full
    before = getattr(label, "shown", None)
    now = (shown, size, label.opts.get("color"))
    if before != now:
        label.shown = now
        if before is not None and before[1:] == now[1:] and before[0] and shown:
            _replace_text(label.item, shown)  # the same span, only its characters change
        else:
            label.item.setHtml(_span(shown, str(label.opts.get("color")), size))
    tip = full if shown != full else ""
    if label.toolTip() != tip:  # each setToolTip sends the item an event, changed or not
        label.setToolTip(tip)


def _replace_text(item: QtWidgets.QGraphicsTextItem, text: str) -> None:
    """The item's text replaced in its document, in the format it has (one span of one colour and
    size): the pixels setHtml draws, without parsing HTML again (a plot title changes at every step)."""
    document = item.document()
    if document.isUndoRedoEnabled():  # an edit keeps the text it replaced to undo: a step's worth each
        document.setUndoRedoEnabled(False)
    cursor = QtGui.QTextCursor(document)
    cursor.select(QtGui.QTextCursor.SelectionType.Document)
    cursor.insertText(text)


def shown_title(plot) -> str:
    """The title as drawn (possibly cut, ending in "…")."""
    return plot.titleLabel.item.toPlainText()


# --- axis labels -------------------------------------------------------------------------------------


def fit_axis_label(ax) -> None:
    """Cut the axis label to the axis's length (its tooltip then says it whole); once per axis."""
    if getattr(ax, "fits", False):
        return
    original_resize = ax.resizeEvent

    def label_string() -> str:
        size = ax.labelStyle.get("font-size")
        length = ax.size().height() if ax.orientation in ("left", "right") else ax.size().width()
        full = ax.labelText
        shown = elide(full, css_font(size), length - 8) if length > 0 else full
        ax.label.setToolTip(full if shown != full else "")
        ax.shown_label = shown
        return _span(shown, str(ax.labelStyle.get("color", "#000")), size)

    def resize_event(ev=None):
        if ax.label is not None and ax.label.isVisible():
            ax.label.setHtml(label_string())
        original_resize(ev)

    ax.labelString = label_string
    ax.resizeEvent = resize_event
    ax.fits = True


# --- widgets -----------------------------------------------------------------------------------------


class ElidedLabel(QtWidgets.QLabel):
    """A one-line plain-text label that shows as much of its text as fits, ending in "…", with the
    whole text as its tooltip. text() is the whole text; shown_text() what is drawn.

    It draws its text itself: QLabel.setText asks its parents for a new layout at every change, and
    the status line changes at every step (each time the whole window was laid out again). Here only
    a change of the width the text needs does; with `steady`, not even that while the text needs
    less than it once did, until let_shrink() (so a line that changes at every step keeps its place)."""

    def __init__(self, text: str = "", parent=None, tip: str = "", steady: bool = False):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full, self._shown, self._tip = None, "", tip
        self._steady, self._need = steady, QtCore.QSize(0, 0)  # what its size hint asks for
        self._may_shrink = True
        self._twin, self._heights = None, {}  # a QLabel never shown, and the heights it measured
        self.setText(text)

    def setText(self, text: str) -> None:
        if text == self._full:
            return
        self._full = text
        self.setAccessibleName(text)  # what QLabel's own text would have told a screen reader
        self._ask_width()
        self._refit()

    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        return self._shown

    def let_shrink(self) -> None:
        """A steady label's next text sets its width alone (it may ask for less room again)."""
        self._may_shrink = True

    def _ask_width(self) -> None:
        m = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + m.left() + m.right() + 4
        need = QtCore.QSize(width, self._text_height() + m.top() + m.bottom())
        if self._steady and not self._may_shrink:
            need = need.expandedTo(self._need)
        self._may_shrink = False
        if need != self._need:
            self._need = need
            self.updateGeometry()

    def _text_height(self) -> int:
        """The height a QLabel showing the text would ask for (a glyph from a fallback font, such
        as δ or a subscript, may make it a pixel taller than the font's height). It depends on
        which characters the text holds, not their order: measured once per set of characters."""
        key = (self.font().key(), frozenset(self._full))
        heights = self._heights
        if key not in heights:
            if self._twin is None:  # no parent: its text changes lay nothing out
                self._twin = QtWidgets.QLabel(textFormat=Qt.TextFormat.PlainText)
            twin = self._twin
            twin.setFont(self.font())
            twin.setText(self._full)
            if len(heights) > 256:  # a long session's many texts: measured again when met again
                heights.clear()
            heights[key] = twin.sizeHint().height()
        return heights[key]

    def sizeHint(self) -> QtCore.QSize:
        return self._need

    def minimumSizeHint(self) -> QtCore.QSize:
        m = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance("M" + ELLIPSIS) + m.left() + m.right()
        return QtCore.QSize(width, self._need.height())  # one line, never cut in height

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._refit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._may_shrink = True
            self._ask_width()
            self._refit()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)  # the frame, if any: QLabel's own text is empty
        painter = QtGui.QPainter(self)
        align = QtWidgets.QStyle.visualAlignment(self.layoutDirection(), self.alignment())
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(align),
            self.palette(),
            self.isEnabled(),
            self._shown,
            self.foregroundRole(),
        )
        painter.end()

    def _refit(self) -> None:
        shown = elide(self._full, self.font(), self.contentsRect().width())
        if shown != self._shown:
            self._shown = shown
            self.update()
        tip = self._full if shown != self._full else self._tip
        if tip != self.toolTip():
            self.setToolTip(tip)
