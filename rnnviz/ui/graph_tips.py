"""The unrolled graph's tooltips, written when hovered (a GraphView mixin and its scene).

A reset at T = 200 restyles up to 600 nodes and 600 edges; writing every one's tooltip there (most
never read) was much of the graph's share of the reset's UI-thread time. Nodes and edges carry only their key
(item data); hovering asks tooltip_of(item), which writes the text from the trace's events as they
are now. Items with a tooltip of their own (the truncation marks, the gates' bars) keep it."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Qt

from rnnviz.ui import graph_text

TIP_KEY = 0  # item data slot: ("node", row, t) or ("edge", kind, t)


class TipScene(QtWidgets.QGraphicsScene):
    """Shows the tooltip of the topmost item under the pointer that has one, as QGraphicsScene does,
    but asks tip(item) for it instead of item.toolTip()."""

    def __init__(self, tip, parent=None):
        super().__init__(parent)
        self._tip = tip

    def helpEvent(self, event: QtWidgets.QGraphicsSceneHelpEvent) -> None:
        text = ""
        for item in self._items_at(event):
            text = self._tip(item)
            if text:
                break
        QtWidgets.QToolTip.showText(event.screenPos() if text else QtCore.QPoint(), text, event.widget())
        event.setAccepted(bool(text))

    def _items_at(self, event) -> list:
        """The items under one device pixel at the pointer, topmost first (as Qt picks them)."""
        widget = event.widget()
        view = widget.parentWidget() if widget is not None else None
        if not isinstance(view, QtWidgets.QGraphicsView):
            return self.items(
                event.scenePos(), Qt.ItemSelectionMode.IntersectsItemShape, Qt.SortOrder.DescendingOrder
            )
        pixel = QtCore.QRectF(QtCore.QPointF(widget.mapFromGlobal(event.screenPos())), QtCore.QSizeF(1, 1))
        to_view = view.viewportTransform()
        area = to_view.inverted()[0].map(pixel)
        return self.items(
            area, Qt.ItemSelectionMode.IntersectsItemShape, Qt.SortOrder.DescendingOrder, to_view
        )


class GraphTips:
    """Needs the GraphView's session, node_tip, _edge_look, _trace and _T."""

    def tooltip_of(self, item: QtWidgets.QGraphicsItem) -> str:
        """What hovering this item of the graph shows: a node's or edge's tooltip, written now from
        the trace's events; any other item's own toolTip()."""
        key = item.data(TIP_KEY)
        if key is None:
            return item.toolTip()
        what, name, t = key
        fw, bw = events_by_step(self.session.stepper.events, self._T)
        f, b = fw[t], bw[t]
        if what == "node":
            return self.node_tip(name, t, f, b)
        _, norm, untraced = self._edge_look(name, t, f, b, bw[t - 1] if t else None)
        return graph_text.edge_tip(name, t, int(self.session.x[t]), self._trace, norm, untraced)


def events_by_step(events, T: int) -> tuple[list, list]:
    """(forward, backward): the event of each step t = 0..T-1 so far, None where the stepper has not been."""
    fw, bw = [None] * T, [None] * T
    for ev in events:
        if ev.phase in ("forward", "backward"):
            (fw if ev.phase == "forward" else bw)[ev.t] = ev
    return fw, bw
