"""The layout rules of issue 10, measured from the widgets of a shown MainWindow.

Each check returns a list of violations (sentences naming the widget and the numbers); a count of
what was checked goes with them, so a check that found nothing to look at cannot pass silently.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.ui import style
from rnnviz.ui.fit_text import ELLIPSIS, ElidedLabel, css_font
from rnnviz.ui.graph_scroll import GRAPH_MIN_H
from tests.ui.helpers import in_front

SLACK = 1.0  # px of rounding allowed


TYPE_SHARE = 0.025  # presenter mode: every text at least this share of the screen's height


class Report:
    def __init__(self, min_pt: float = 0.0):
        self.violations: list[str] = []
        self.counts: dict[str, int] = {}
        self.min_pt = min_pt  # the least type size presenter mode may use here, in points

    def saw(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def bad(self, text: str) -> None:
        self.violations.append(text)


def rect_in(widget: QtWidgets.QWidget, ancestor: QtWidgets.QWidget) -> QtCore.QRect:
    return QtCore.QRect(widget.mapTo(ancestor, QtCore.QPoint(0, 0)), widget.size())


def on_screen(widget: QtWidgets.QWidget) -> bool:
    """Shown, with a size, and not in a dock behind another dock's tab (offscreen, Qt calls those
    visible too)."""
    if not (widget.isVisible() and widget.width() > 0 and widget.height() > 0):
        return False
    window, parent = widget.window(), widget
    while parent is not None:
        if isinstance(parent, QtWidgets.QDockWidget) and not in_front(window, parent):
            return False
        parent = parent.parentWidget()
    return True


# --- the window --------------------------------------------------------------------------------------


def check_window(w, r: Report) -> None:
    available = w.screen().availableGeometry()
    r.saw("window")
    if not available.contains(w.frameGeometry()):
        r.bad(f"window {w.frameGeometry()} (title bar included) is not inside the screen's {available}")
    need = w.minimumSizeHint()
    if need.width() > available.width() or need.height() > available.height():
        r.bad(f"window needs at least {need.width()}x{need.height()}, the screen has {available.size()}")
    parts = [w.menuBar(), w.toolbar, w.centralWidget(), w.statusBar()]
    parts += [d for d in w.findChildren(QtWidgets.QDockWidget) if not d.isFloating()]
    shown = [(p, rect_in(p, w)) for p in parts if on_screen(p)]
    for i, (a, ra) in enumerate(shown):
        r.saw("window part")
        if not w.rect().contains(ra):
            r.bad(f"{_name(a)} at {ra} sticks out of the window {w.rect()}")
        for b, rb in shown[i + 1 :]:
            if ra.intersects(rb):
                r.bad(f"{_name(a)} {ra} overlaps {_name(b)} {rb}")


def _name(widget) -> str:
    return widget.objectName() or type(widget).__name__


# --- the graph ---------------------------------------------------------------------------------------


def check_graph(graph, r: Report) -> None:
    r.saw("graph")
    if graph.height() < GRAPH_MIN_H - SLACK:
        r.bad(f"graph is {graph.height()} px tall, below {GRAPH_MIN_H}")
    if graph.verticalScrollBar().isVisible():
        r.bad("graph scrolls vertically: its three rows must fit the height")
    view = graph.viewport().rect()
    for row in "xso":
        for t in range(graph.session.T):
            box = graph.mapFromScene(graph.node_items[(row, t)].sceneBoundingRect()).boundingRect()
            r.saw("graph node")
            if box.top() < view.top() - SLACK or box.bottom() > view.bottom() + SLACK:
                r.bad(f"graph node {row}{t} {box} is cut by the top or bottom of the view {view}")
    for key in (("row", "o"), ("row", "s"), ("row", "x"), ("sub", "o")):
        box = graph.mapFromScene(graph._labels[key].item.sceneBoundingRect()).boundingRect()
        r.saw("graph row name")
        if box.top() < view.top() - SLACK or box.bottom() > view.bottom() + SLACK:
            r.bad(f"graph row label {key} is cut vertically")
        if box.left() < view.left() - SLACK and not graph.labels_pinned():
            r.bad(f"graph row label {key} is scrolled out of view and not pinned to the edge")


# --- pyqtgraph views ---------------------------------------------------------------------------------


def plot_items(layout_widget) -> list[pg.PlotItem]:
    return [i for i in layout_widget.scene().items() if type(i) is pg.PlotItem and i.isVisible()]


def check_plots(name: str, view, r: Report, presenting: bool) -> None:
    lw = view.layout_widget
    area = QtCore.QRectF(lw.rect())
    boxes = []
    theme = getattr(view, "theme", style.NORMAL)
    least_w, least_h, data_w, data_h = style.plot_minimum(theme)  # PLOT_MIN, larger for large type
    for plot in plot_items(lw):
        box = plot.sceneBoundingRect()
        r.saw("plot")
        if box.width() < least_w - SLACK or box.height() < least_h - SLACK:
            r.bad(
                f"{name}: a plot is {box.width():.0f}x{box.height():.0f}, below {least_w:.0f}x{least_h:.0f}"
            )
        data = plot.vb.sceneBoundingRect()
        if data.width() < data_w - SLACK or data.height() < data_h - SLACK:
            r.bad(f"{name}: a plot's data area is {data.width():.0f}x{data.height():.0f}")
        boxes.append((f"plot '{plot.titleLabel.text}'", box, plot))
        check_title(name, plot, r, presenting)
        for side in ("left", "bottom", "right"):
            check_axis(f"{name} '{plot.titleLabel.text}' {side} axis", plot.getAxis(side), r, presenting)
    for item in lw.scene().items():
        if isinstance(item, pg.TextItem) and item.isVisible() and item.toPlainText().strip():
            r.saw("text in a plot")
            box, room = item.sceneBoundingRect(), item.getViewBox().sceneBoundingRect()
            if not room.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(box):
                r.bad(f"{name}: '{item.toPlainText()}' {_r(box)} runs off its plot {_r(room)}")
        if isinstance(item, pg.ColorBarItem) and item.isVisible():
            r.saw("colour bar")
            boxes.append(("colour bar", item.sceneBoundingRect(), item))
            check_axis(f"{name} colour bar", item.axis, r, presenting)
            check_axis(f"{name} colour bar name", item.getAxis("left"), r, presenting)
        elif isinstance(item, pg.LegendItem) and item.isVisible() and item.parentItem() is not None:
            r.saw("legend")
            boxes.append(("legend", item.sceneBoundingRect(), item))
            check_legend(name, item, r, presenting)
    for i, (a, ra, ia) in enumerate(boxes):
        if not area.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(ra):
            others = ", ".join(f"{b} {_r(rb)}" for b, rb, _ in boxes if b != a)
            r.bad(f"{name}: {a} {_r(ra)} sticks out of its view {_r(area)} (clipped; beside {others})")
        for b, rb, ib in boxes[i + 1 :]:
            if ia.isAncestorOf(ib) or ib.isAncestorOf(ia):
                continue  # a colour bar drawn inside its plot
            overlap = ra.intersected(rb)
            if overlap.width() > SLACK and overlap.height() > SLACK:
                r.bad(f"{name}: {a} {_r(ra)} overlaps {b} {_r(rb)}")


def _r(rect) -> str:
    return f"({rect.x():.0f},{rect.y():.0f} {rect.width():.0f}x{rect.height():.0f})"


def check_title(name: str, plot, r: Report, presenting: bool) -> None:
    label = plot.titleLabel
    if not label.isVisible() or not label.text:
        return
    r.saw("title")
    drawn = label.item.toPlainText()
    text_w = label.item.boundingRect().width() - 2 * label.item.document().documentMargin()
    if text_w > label.width() + SLACK:
        r.bad(f"{name}: title '{drawn}' is {text_w:.0f} px wide in a {label.width():.0f} px room (clipped)")
    margin = label.item.document().documentMargin()
    if label.item.boundingRect().height() - 2 * margin > label.height() + SLACK:
        r.bad(f"{name}: title '{drawn}' is taller than its row (clipped)")
    if drawn != label.text:
        r.saw("elided title")
        if not drawn.endswith(ELLIPSIS) or label.toolTip() != label.text:
            r.bad(f"{name}: title '{drawn}' is cut without '…' and a tooltip with '{label.text}'")
    if presenting:
        size = css_font(label.opts.get("size")).pointSizeF()
        if size < r.min_pt:
            r.bad(f"{name}: title '{label.text}' at {size} pt in presenter mode (< {r.min_pt:.1f})")


def check_axis(name: str, ax, r: Report, presenting: bool) -> None:
    if not ax.isVisible():
        return
    if ax.label.isVisible() and ax.labelText:
        r.saw("axis label")
        along = ax.size().height() if ax.orientation in ("left", "right") else ax.size().width()
        text_w = ax.label.boundingRect().width() - 2 * ax.label.document().documentMargin()
        drawn = ax.label.toPlainText()
        if text_w > along + SLACK:
            r.bad(f"{name}: label '{drawn}' is {text_w:.0f} px long on a {along:.0f} px axis (clipped)")
        if drawn != ax.labelText and (not drawn.endswith(ELLIPSIS) or ax.label.toolTip() != ax.labelText):
            r.bad(f"{name}: label '{drawn}' is cut without '…' and a tooltip")
    if not ax.style["showValues"]:
        return
    image = QtGui.QImage(1, 1, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        specs = ax.generateDrawSpecs(painter)
    finally:
        painter.end()
    texts = [(rect, text) for rect, _, text in (specs[2] if specs else [])]
    r.saw("tick label", len(texts))
    for i, (a, ta) in enumerate(texts):
        for b, tb in texts[i + 1 :]:
            if a.intersects(b):
                r.bad(f"{name}: tick labels '{ta}' and '{tb}' overlap")
    if presenting and texts:
        size = (ax.style["tickFont"] or QtGui.QFont()).pointSizeF()
        if size < r.min_pt:
            r.bad(f"{name}: tick labels at {size} pt in presenter mode (< {r.min_pt:.1f})")


def check_legend(name: str, legend, r: Report, presenting: bool) -> None:
    for _, label in legend.items:
        r.saw("legend entry")
        text_w = label.item.boundingRect().width()
        if text_w > label.width() + SLACK:
            r.bad(f"{name}: legend entry '{label.text}' is cut")
        if presenting:
            size = css_font(label.opts.get("size")).pointSizeF()
            if size < r.min_pt:
                r.bad(
                    f"{name}: legend entry '{label.text}' at {size} pt in presenter mode (< {r.min_pt:.1f})"
                )


# --- Qt widgets: labels, buttons ---------------------------------------------------------------------


def scrolled(widget) -> bool:
    """Inside a scroll area (its text scrolls into view: not clipped for good)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QtWidgets.QAbstractScrollArea) and not isinstance(
            parent, QtWidgets.QGraphicsView
        ):
            return True
        parent = parent.parentWidget()
    return False


def check_texts(window, r: Report, presenting: bool, window_wide: bool = True) -> None:
    for label in window.findChildren(QtWidgets.QLabel):
        if not on_screen(label) or scrolled(label) or not label.text():
            continue
        r.saw("label")
        name = f"label '{label.text()[:40]}'"
        if isinstance(label, ElidedLabel):
            drawn = label.shown_text()
            if label.fontMetrics().horizontalAdvance(drawn) > label.contentsRect().width() + SLACK:
                r.bad(f"{name} does not fit its {label.contentsRect().width()} px")
            if drawn != label.text() and label.toolTip() != label.text():
                r.bad(f"{name} is cut without a tooltip")
        elif label.wordWrap():
            need = label.heightForWidth(label.width())
            if need > label.height() + SLACK:
                r.bad(f"{name} needs {need} px of height, has {label.height()} (lines cut)")
        elif label.sizeHint().width() > label.width() + SLACK:
            r.bad(f"{name} needs {label.sizeHint().width()} px, has {label.width()} (clipped)")
        if presenting and label.font().pointSizeF() < r.min_pt:
            r.bad(f"{name} at {label.font().pointSizeF()} pt in presenter mode (< {r.min_pt:.1f})")
    for button in window.findChildren(QtWidgets.QAbstractButton):
        if not on_screen(button) or scrolled(button) or not button.text():
            continue
        r.saw("button")
        if button.minimumSizeHint().width() > button.width() + SLACK:
            r.bad(
                f"button '{button.text()}' is {button.width()} px,"
                f" its text needs {button.minimumSizeHint().width()}"
            )
    if presenting and window_wide:
        size = QtWidgets.QToolTip.font().pointSizeF()
        if size < r.min_pt:
            r.bad(f"tooltips at {size} pt in presenter mode (< {r.min_pt:.1f})")


# --- all of it -------------------------------------------------------------------------------------------


def check_caption(window, r: Report, presenting: bool) -> None:
    """A running lesson's caption is on screen, whole, and the strip is not a third of the screen."""
    panel = window.lesson_panel
    if panel.lesson is None:
        return
    r.saw("caption")
    if not on_screen(panel.caption):
        r.bad("a lesson runs but its caption is not on screen")
        return
    need = panel.caption.heightForWidth(panel.caption.width())
    if need > panel.caption.height() + SLACK:
        r.bad(f"the caption needs {need} px of height, has {panel.caption.height()} (lines cut)")
    if presenting and window.lesson_dock.height() > STRIP_SHARE * window.height():
        r.bad(f"the caption strip takes {window.lesson_dock.height()} of {window.height()} px")


STRIP_SHARE = 0.25  # the caption strip's most of the window's height in presenter mode


def check_all(window, presenting: bool, settle) -> Report:
    """Every rule, with each view of the deck brought to the front in turn when they are tabbed."""
    r = Report(TYPE_SHARE * window.screen().geometry().height() * 72 / 96)
    check_window(window, r)
    check_caption(window, r, presenting)
    check_graph(window.graph_view, r)
    if window.compare_graph.isVisible():  # compare mode: the second cell's graph beside the first
        check_graph(window.compare_graph, r)
    check_texts(window, r, presenting)
    deck = window.deck
    front = deck.current()
    for name in deck.shown:
        deck.bring_to_front(name)
        settle()
        view = deck.views[name]
        r.saw("view")
        if not deck.in_view(name) or not on_screen(view):
            r.bad(f"{name} view is not on screen although shown")
        if not window.rect().contains(rect_in(view, window)):
            r.bad(f"{name} view {rect_in(view, window)} sticks out of the window")
        check_plots(name, view, r, presenting)
        check_texts(view, r, presenting, window_wide=False)
    if front is not None:
        deck.bring_to_front(front)
        settle()
    if deck.mode == "tabs":
        check_tabs(deck.tabs.tabBar(), r)
    return r


def check_tabs(bar: QtWidgets.QTabBar, r: Report) -> None:
    """Each tab shows its whole name (tabs at the side: along their height)."""
    fm = bar.fontMetrics()
    vertical = bar.shape() in (QtWidgets.QTabBar.Shape.RoundedWest, QtWidgets.QTabBar.Shape.TriangularWest)
    for i in range(bar.count()):
        r.saw("tab")
        room = bar.tabRect(i).height() if vertical else bar.tabRect(i).width()
        if fm.horizontalAdvance(bar.tabText(i)) > room - 8:
            r.bad(f"tab '{bar.tabText(i)}' has {room} px for its name")
        if not bar.rect().contains(bar.tabRect(i)):
            r.bad(f"tab '{bar.tabText(i)}' {bar.tabRect(i)} is outside its bar {bar.rect()}")
