"""Why gradients vanish or explode: norms of d state_t / d state_k, one row t at a time.

A row costs t products of one state-sized matrix (extended one step at a time, never all held) and
t exact SVDs: O(t S^3) time, O(S^2) memory, S = H (RNN, GRU) or 2H (LSTM: the state is (s, c)).
The SVDs run beside the products, without the GIL (backprop.jacobian_norm_row, two_norm.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnviz.core import backprop
from rnnviz.core.cells import Cell
from rnnviz.core.results import JacobianNorms
from rnnviz.core.validate import check_time_index


class JacobianRows:
    """The rows of jacobian_norms for one sequence, computed when asked for.

    Built from copies of the parameters and its own forward pass, so a worker thread can compute
    rows (their products and SVDs release the GIL) while the model it came from trains or changes.
    """

    def __init__(self, spec: Cell, params: dict[str, np.ndarray], x: np.ndarray):
        self.spec, self.T = spec, len(x)
        # the rows read only the recurrent matrices (copied) and this forward pass (made here):
        # U_* and V, large with a large vocabulary, are read now and never again
        mine = {k: v if k[0] in "UV" else v.copy() for k, v in params.items()}
        self._prep = spec.prepare(mine)
        self._cache = spec.forward_sequence(self._prep, x)
        spec.backward_factors(self._prep, self._cache)

    def row(
        self,
        t: int,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[JacobianNorms], None] | None = None,
    ) -> JacobianNorms | None:
        """Row t: each curve (t+1,), indexed by k = 0..t. A worker passes `should_stop` (asked
        between steps back) to end a long row early; then None is returned. `progress(row)`, called
        between steps back, gets the row so far: its norm NaN where not yet computed (the norms
        come from k = t down to 0), every other curve whole."""
        t = check_time_index(t, self.T)
        extras = self.spec.jacobian_extras(self._prep, self._cache, t)  # cheap: before the norms
        report = None
        if progress is not None:

            def report(so_far: np.ndarray) -> None:
                progress(JacobianNorms(norm=so_far.copy(), **extras))

        norm = backprop.jacobian_norm_row(self.spec, self._prep, self._cache, t, should_stop, report)
        if norm is None:
            return None
        return JacobianNorms(norm=norm, **extras)

    def all(self) -> JacobianNorms:
        """Every row: (T, T) curves, zero where k > t."""
        full = {}
        for t in range(self.T):
            for name, row in self.row(t).as_dict().items():
                full.setdefault(name, np.zeros((self.T, self.T)))[t, : t + 1] = row
        return JacobianNorms(**full)
