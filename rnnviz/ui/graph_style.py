"""How the unrolled graph's items look at each step (a GraphView mixin): pens made once per look, each
edge's width from the gradient it carries back (the cell state's in a colour of its own), and each
node's text lines and tooltip (graph_text.py)."""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui
from PySide6.QtCore import Qt

from rnnviz.ui import graph_text, style
from rnnviz.ui.graph_items import arrow, gradient_width


def _norm(v) -> float:
    return float(np.linalg.norm(v))


class GraphStyle:
    """Needs the GraphView's theme, session, _trace, _pens, _paths, _T, _ends, _labels, edge_items,
    edge_pens and node_items."""

    def _pen(self, color: str, width: float, dashed: bool = False, edge: bool = False) -> QtGui.QPen:
        """style.pen, made once per look (a reset at T = 200 styles 1,200 items)."""
        key = (color, width, dashed, edge)
        if key not in self._pens:
            pen = style.pen(color, width, dashed=dashed)
            if edge:
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)  # pointed arrowheads on thick lines
            self._pens[key] = pen
        return self._pens[key]

    def _carried(self, kind: str, t: int, b, before) -> float | None:
        """The norm of the gradient edge (kind, t) has carried back so far, or None if none yet.
        The W edge s_{t-1} -> s_t carries what step t sends back to s_{t-1} (RNN: W^T delta_t): it
        has once the backward step at t-1 has taken it (its error_carried); the c edge likewise
        (error_c_carried). Until then they carry nothing."""
        if kind in "WC":
            if before is None:
                return None
            return _norm(before.error_carried if kind == "W" else before.error_c_carried)
        if b is None or (kind == "V" and not self._trace.traced(t)):
            return None
        return _norm(b.error_direct if kind == "V" else b.delta)

    def _edge_look(self, kind: str, t: int, f, b, before) -> tuple[str, float | None, bool]:
        """(state, the norm it has carried back or None, untraced) of edge (kind, t), from the
        events of its step (f, b) and, for W and c edges, the backward event of the step before."""
        norm = self._carried(kind, t, b, before)
        state = "todo" if f is None else ("bwd" if norm else "fwd")
        return state, norm, kind == "V" and b is not None and not self._trace.traced(t)

    def _style_edge(self, kind: str, t: int, state: str, norm: float | None, untraced: bool = False) -> None:
        th = self.theme
        if state == "bwd":
            colour = style.CELL_STATE if kind == "C" else th.backward  # the error along c: its own colour
            pen = self._pen(colour, gradient_width(norm, th), edge=True)
        elif state == "fwd":
            pen = self._pen(th.foreground, 0.75 * th.line_width, edge=True)
        else:
            pen = self._pen(th.muted, 0.5 * th.line_width, dashed=True, edge=True)
        vis = self.edge_items[(kind, t)]
        vis.setPen(pen)
        vis.setBrush(pen.color())
        back = state == "bwd"
        path_key = (kind, t, pen.widthF(), back)
        if path_key not in self._paths:  # an edge's path depends only on its ends, width and direction
            if len(self._paths) > 8 * self._T:  # widths of carried gradients vary: keep it bounded
                self._paths.clear()
            self._paths[path_key] = arrow(*self._ends[(kind, t)], pen.widthF(), back=back)
        vis.setPath(self._paths[path_key])
        self.edge_pens[(kind, t)] = pen
        self._edge_restyled((kind, t), pen.widthF())  # drawn again where it was and is (graph_edges.py)

    def _style_node(self, r: str, t: int, state: str, cur, lines: list[str]) -> None:
        th = self.theme
        item = self.node_items[(r, t)]
        col = {"todo": th.muted, "fwd": th.foreground, "bwd": style.CELL_STATE if r == "c" else th.backward}[
            state
        ]
        pen = self._pen(cur or col, th.line_width * (1.4 if cur else 0.6), dashed=state == "todo")
        if item.pen() != pen or item.brush().color() != th.background:  # else its cached pixmap stays
            item.setPen(pen)
            item.setBrush(QtGui.QColor(th.background))
        for i, text in enumerate(lines):
            self._labels[(r, t, i)].set(text, th.muted if state == "todo" else th.foreground)

    def _node_lines(self, r: str, t: int, f) -> list[str]:
        """The text lines inside node (r, t), from its forward event (None: not computed yet)."""
        s, c = self.session, self._compact
        if r == "x":
            return [s.vocab.label(s.x[t])]
        if r == "s":
            return graph_text.s_lines(f, c, t)
        if r == "c":
            return graph_text.c_lines(f, c)
        return graph_text.o_lines(f, s.vocab, int(s.y[t]), c)

    def node_tip(self, r: str, t: int, f, b) -> str:
        """The tooltip of node (r, t), from its forward/backward events: written when hovered."""
        s, trace = self.session, self._trace
        if r == "x":
            tok, i, st = s.vocab.label(s.x[t]), int(s.x[t]), graph_text.sub(t)
            into = "every gate's pre-activation" if trace.gated else f"z{st}"
            return f"input x{st} = '{tok}' (token id {i})\nthe U edge adds column {i} of U to {into}"
        if r == "s":
            return graph_text.s_tip(t, f, b, trace)
        if r == "c":
            return graph_text.c_tip(t, f, b, trace)
        return graph_text.o_tip(t, f, b, trace, s.vocab, int(s.y[t]))
