"""What the views should show for a gated cell's trace, from the core alone (never from a widget,
and not from the Stepper either: each loss's error is carried back on its own here, through the
cell's backward step, and the sums are checked against the model's bptt / step_terms)."""

from __future__ import annotations

import numpy as np

from rnnviz.core.cells import param_name


class GatedTruth:
    def __init__(self, model, x, y, mode: str, target: int | None, K: int | None):
        spec = self.spec = model.spec
        T, H = len(x), model.hidden_size
        self.model, self.x, self.y, self.T, self.mode, self.target, self.K = model, x, y, T, mode, target, K
        f = model.forward(x)
        self.s, self.o, self.c, self.gates = f.s, f.o, f.c, f.gates
        self.E = model.step_losses(x, y)
        prep = spec.prepare(model.params())
        cache = spec.forward_sequence(prep, x)
        spec.backward_factors(prep, cache)
        n_states = len(spec.states)
        M = int(np.sum(y >= 0))
        w = 1.0 / M if mode == "full" else 1.0
        origins = [t for t in range(T) if y[t] >= 0 and (mode == "full" or t == target)]
        self.direct = np.zeros((T, H))  # error at s_k straight from E_k (the trace's weight)
        self.carried = np.zeros((T, H))  # what the steps after k send back to s_k
        self.carried_c = np.zeros((T, H))  # LSTM: what c_{k+1} sends back to c_k
        self.total_c = np.zeros((T, H))  # LSTM: dE/dc_k in all
        self.da = np.zeros((T, len(spec.stack) * H))  # every gate's dE/da_k
        self.d_out_norm = np.zeros(T)
        for t in origins:
            d_out = self.o[t].copy()
            d_out[y[t]] -= 1.0
            d_out *= w
            self.d_out_norm[t] = np.linalg.norm(d_out)
            direct = model.V.T @ d_out
            self.direct[t] += direct
            carry = tuple(np.zeros(H) for _ in range(n_states))
            last = 0 if K is None else max(0, t - K)  # truncation: E_t's terms stop at step t - K
            for k in range(t, last - 1, -1):
                if k < t:
                    self.carried[k] += carry[0]
                    if n_states > 1:
                        self.carried_c[k] += carry[1]
                errors = (carry[0] + (direct if k == t else 0.0),) + carry[1:]
                da, carry, totals = spec.backward_step(
                    prep, cache, k, errors, slice(None) if k > last else None
                )
                self.da[k] += da
                if n_states > 1:
                    self.total_c[k] += totals[1]
        self.error = self.direct + self.carried
        self.r = {}  # block -> (T, H) its recurrent input
        for cols, r in spec.weight_groups(cache):
            for b in spec.stack:
                if cols.start <= spec.cols[b].start < cols.stop:
                    self.r[b] = r
        self._check_against_the_model()

    def _check_against_the_model(self) -> None:
        """The truth itself agrees with the model's own gradients (bias terms are the da's sums)."""
        spec, x, y = self.spec, self.x, self.y
        if self.mode == "full":
            want = self.model.bptt(x, y, truncate=self.K).as_dict()
        else:
            terms = self.model.step_terms(x, y, self.target)
            lo = 0 if self.K is None else max(0, self.target - self.K)
            want = {name: v[lo:].sum(axis=0) for name, v in terms.items()}
        for b in spec.blocks:
            got = self.da[:, spec.cols[b]].sum(axis=0)
            assert np.allclose(got, want[param_name("b", b)], rtol=1e-9, atol=1e-13), b
        self.final_gradients = want

    # --- derived numbers ------------------------------------------------------------------------------

    def deltas(self, k: int) -> dict[str, np.ndarray]:
        return {g: self.da[k, self.spec.cols[g]] for g in self.spec.gates}

    def step_share(self, k: int) -> float:
        """|step k's terms of dE/dW_*| (Frobenius over every W_b)."""
        return float(np.sqrt(sum(np.sum(np.outer(self.da[k, self.spec.cols[b]], self.r[b][k]) ** 2)
                                 for b in self.spec.blocks)))  # fmt: skip

    def w_so_far(self, k: int) -> float:
        """|dE/dW_*| accumulated over the backward steps taken down to k."""
        total = 0.0
        for b in self.spec.blocks:
            d = self.da[k:, self.spec.cols[b]]
            total += float(np.sum((d.T @ self.r[b][k:]) ** 2))
        return float(np.sqrt(total))

    def row(self, t: int) -> dict[str, np.ndarray]:
        J = self.model.jacobian_rows(self.x).row(t)
        D = self.model.delta_norms(self.x, self.y)[t, : t + 1]
        return {"ratio": D / D[t], **J.as_dict()}
