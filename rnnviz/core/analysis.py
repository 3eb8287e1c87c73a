"""What the gradient is made of, for every cell: each step's part of dE_t/dθ, and why far steps'
parts vanish or explode (norms of the Jacobian products). Mixed into Model (model.py)."""

from __future__ import annotations

import numpy as np

from rnnviz.core import backprop
from rnnviz.core.jacobian import JacobianRows
from rnnviz.core.results import JacobianNorms
from rnnviz.core.validate import check_sequences, check_time_index, loss_steps


class GradientAnalysis:
    """Methods of Model that take a gradient apart (they use its _targets, _run, spec and V)."""

    def _direct_errors(self, x, y):
        """(prep, cache, ds_direct): dE_t/ds_t through o_t, E_t not divided by |M| (0 where masked)."""
        x, y = self._targets(x, y)
        loss_steps(y)
        prep, cache, o = self._run(x)
        self.spec.backward_factors(prep, cache)
        return prep, cache, backprop.output_errors(o, y, None) @ self.V

    def delta_norms(self, x, y) -> np.ndarray:
        """(T, T): |dE_t/da_k| = |da_k^(t)|, the size of E_t's error at step k's pre-activations (all
        blocks; the vanilla RNN's |dE_t/dz_k|); 0 where k > t and in rows with no target. Holds
        O(T H) numbers, unlike np.linalg.norm(rnn.deltas(x, y), axis=2), which it equals."""
        prep, cache, ds_direct = self._direct_errors(x, y)
        T = len(ds_direct)
        out = np.zeros((T, T))

        def visit(d, da):
            out[np.arange(d, T), np.arange(T - d)] = np.linalg.norm(da, axis=1)

        backprop.diagonals(self.spec, prep, cache, ds_direct, T - 1, visit)
        return out

    def delta_norms_row(self, x, y, t: int) -> np.ndarray:
        """(t+1,) row t of delta_norms alone: |dE_t/da_k| for k = 0..t, from one backward sweep of
        E_t through steps t..0 (O(t H^2) time, O(t H) memory). E_t must have a target."""
        x, y = self._targets(x, y)
        t = check_time_index(t, len(x))
        if y[t] < 0:
            raise ValueError(f"step {t} has no target (y_{t} = -1), so there is no E_{t}")
        prep, cache, o = self._run(x[: t + 1])  # the steps after t do not reach E_t
        self.spec.backward_factors(prep, cache)
        direct = np.zeros((t + 1, self.hidden_size))  # (t+1, H): E_t's error enters at s_t only
        direct[t] = backprop.output_errors(o[t : t + 1], y[t : t + 1], None)[0] @ self.V
        return np.linalg.norm(backprop.full_backward(self.spec, prep, cache, direct), axis=1)

    def contributions(self, x, y) -> np.ndarray:
        """(T, T): C[t, k] = Frobenius norm of step k's term of dE_t/d(every recurrent matrix W_*);
        0 where k > t and in rows with no target. E_t is not divided by |M|."""
        return backprop.contribution_norms(self.spec, *self._direct_errors(x, y))

    def step_terms(self, x, y, t: int) -> dict[str, np.ndarray]:
        """Name -> (t+1, *shape): step k's term of dE_t/dθ for every parameter θ (the gradient with
        respect to the copy of θ used at step k, through every path). Their sum over k is dE_t/dθ.
        Memory grows with the parameters' size times t+1: meant for small models and tests."""
        x, y = self._targets(x, y)
        t = check_time_index(t, len(x))
        if y[t] < 0:
            raise ValueError(f"step {t} has no target (y_{t} = -1), so there is no E_{t}")
        prep, cache, o = self._run(x)
        self.spec.backward_factors(prep, cache)
        d_out = backprop.output_errors(o[t : t + 1], y[t : t + 1], None)[0]  # (K,)
        direct = np.zeros((t + 1, self.hidden_size))
        direct[t] = d_out @ self.V
        da = backprop.full_backward(self.spec, prep, cache, direct)  # (t+1, nB*H) da_k^(t)
        return backprop.step_term_arrays(self.spec, x[: t + 1], cache, da, d_out)

    # --- why gradients vanish or explode ---------------------------------------------------------

    def jacobian_rows(self, x) -> JacobianRows:
        """Rows of jacobian_norms on demand (rows.row(t)), from a snapshot of the parameters: cheap
        to make (one forward pass), safe to use from a worker thread."""
        return JacobianRows(self.spec, self._params, check_sequences(x, None, self.vocab_size))

    def jacobian_norms(self, x) -> JacobianNorms:
        """(T, T) norms of d state_t / d state_k and the cell's own curves (see JacobianNorms)."""
        return self.jacobian_rows(x).all()

    def jacobian_norms_row(self, x, t: int) -> JacobianNorms:
        """Row t of jacobian_norms alone, each curve (t+1,) indexed by k."""
        return self.jacobian_rows(x).row(t)
