"""Coordinates of the unrolled graph, as plain numbers (the UI only draws them).

Column t holds x_t (bottom row), s_t (middle) and o_t (top). Edges: U from x_t to s_t,
W from s_{t-1} to s_t, V from s_t to o_t. Node id = row * T + t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.validate import check_positive_int

ROWS = ("x", "s", "o")  # bottom to top


@dataclass(frozen=True)
class GraphLayout:
    T: int
    pos: np.ndarray  # (3T, 2) node centres, x = t * dx, y = row * dy
    node_row: np.ndarray  # (3T,) 0 = x, 1 = s, 2 = o
    node_t: np.ndarray  # (3T,)
    edges: np.ndarray  # (E, 2) node ids (from, to)
    edge_kind: tuple[str, ...]  # 'U', 'W' or 'V' per edge
    edge_t: np.ndarray  # (E,) the timestep of the edge's head

    def node(self, row: str, t: int) -> int:
        return ROWS.index(row) * self.T + t

    def edge(self, kind: str, t: int) -> int:
        """Index of the edge of `kind` that ends at step t (W edges exist for t >= 1)."""
        for i, (k, et) in enumerate(zip(self.edge_kind, self.edge_t, strict=True)):
            if k == kind and et == t:
                return i
        raise KeyError((kind, t))


def unrolled_layout(T: int, dx: float = 1.0, dy: float = 1.0) -> GraphLayout:
    T = check_positive_int("T", T)
    t = np.tile(np.arange(T), 3)
    row = np.repeat(np.arange(3), T)
    pos = np.column_stack([t * dx, row * dy]).astype(float)
    edges, kinds, heads = [], [], []
    for step in range(T):
        edges.append((step, T + step)), kinds.append("U"), heads.append(step)
        if step:
            edges.append((T + step - 1, T + step)), kinds.append("W"), heads.append(step)
        edges.append((T + step, 2 * T + step)), kinds.append("V"), heads.append(step)
    return GraphLayout(
        T=T,
        pos=pos,
        node_row=row,
        node_t=t,
        edges=np.array(edges),
        edge_kind=tuple(kinds),
        edge_t=np.array(heads),
    )
