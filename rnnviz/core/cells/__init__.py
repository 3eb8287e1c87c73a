"""Recurrent cells, one small file each, all speaking the protocol of `base.Cell`."""

from rnnviz.core.cells.base import Cell, param_name
from rnnviz.core.cells.gru import GRUCell
from rnnviz.core.cells.lstm import LSTMCell
from rnnviz.core.cells.rnn import RNNCell

CELLS: dict[str, type[Cell]] = {c.name: c for c in (RNNCell, LSTMCell, GRUCell)}
CELL_NAMES = tuple(CELLS)


def cell_class(name: str) -> type[Cell]:
    """The cell class for "rnn", "lstm" or "gru" (ValueError otherwise)."""
    if name not in CELLS:
        raise ValueError(f"cell must be one of {', '.join(CELL_NAMES)}, got {name!r}")
    return CELLS[name]


__all__ = ["Cell", "RNNCell", "LSTMCell", "GRUCell", "CELLS", "CELL_NAMES", "cell_class", "param_name"]
