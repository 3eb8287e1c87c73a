"""The LSTM cell (Hochreiter & Schmidhuber 1997, forget gate of Gers et al. 2000), DESIGN.md section 6.

    f_t = σ(U_f[:, x_t] + W_f s_{t-1} + b_f)      forget gate
    i_t = σ(U_i[:, x_t] + W_i s_{t-1} + b_i)      input gate
    g_t = tanh(U_g[:, x_t] + W_g s_{t-1} + b_g)   candidate
    q_t = σ(U_q[:, x_t] + W_q s_{t-1} + b_q)      output gate
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t               cell state      c_{-1} = s_{-1} = 0
    s_t = q_t ⊙ tanh(c_t)                          hidden state

Backward through step t, given e_s = dE/ds_t and e_c = dE/dc_t carried from c_{t+1}:

    dE/dq_t = e_s ⊙ tanh(c_t)
    dE/dc_t = e_c + e_s ⊙ q_t ⊙ (1 - tanh²(c_t))        (the total error at c_t)
    dE/df_t = dE/dc_t ⊙ c_{t-1};  dE/di_t = dE/dc_t ⊙ g_t;  dE/dg_t = dE/dc_t ⊙ i_t
    dE/da_t[f] = dE/df_t ⊙ f_t (1 - f_t), the same for i, q;  dE/da_t[g] = dE/dg_t ⊙ (1 - g_t²)
    carried to t-1:  dE/ds_{t-1} = Σ_b W_bᵀ dE/da_t[b],   dE/dc_{t-1} = dE/dc_t ⊙ f_t
"""

from __future__ import annotations

import numpy as np

from rnnviz.core.cells.base import Cell, carried_rows, sigmoid
from rnnviz.core.cells.rnn import _shifted


class LSTMCell(Cell):
    name = "lstm"
    title = "LSTM"
    blocks = ("f", "i", "g", "q")
    stack = ("f", "i", "q", "g")  # the three sigmoid gates first: one call squashes them all
    gates = ("f", "i", "g", "q")
    states = ("s", "c")
    has_bias = True
    gate_titles = {"f": "forget gate", "i": "input gate", "g": "candidate", "q": "output gate"}
    squash = {"f": "σ", "i": "σ", "g": "tanh", "q": "σ"}
    equations = (
        "f_t = σ(U_f x_t + W_f s_{t-1} + b_f)",
        "i_t = σ(U_i x_t + W_i s_{t-1} + b_i)",
        "g_t = tanh(U_g x_t + W_g s_{t-1} + b_g)",
        "q_t = σ(U_q x_t + W_q s_{t-1} + b_q)",
        "c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t",
        "s_t = q_t ⊙ tanh(c_t)",
    )
    backward_equations = (
        "dE/dc_t = dE/dc_t (from c_{t+1}) + dE/ds_t ⊙ q_t ⊙ (1 - tanh²c_t)",
        "dE/dq_t = dE/ds_t ⊙ tanh c_t",
        "dE/df_t = dE/dc_t ⊙ c_{t-1},  dE/di_t = dE/dc_t ⊙ g_t,  dE/dg_t = dE/dc_t ⊙ i_t",
        "dE/dc_{t-1} = dE/dc_t ⊙ f_t",
        "dE/ds_{t-1} = Σ W_*ᵀ dE/da_*",
    )

    option_defaults = {**Cell.option_defaults, "forget_bias": 1.0}  # b_f at the start

    def _checked_options(self, options):
        out = super()._checked_options(options)
        b = out["forget_bias"]
        if isinstance(b, bool) or not isinstance(b, (int, float)) or not np.isfinite(b):
            raise ValueError(f"forget_bias must be a finite number, got {b!r}")
        out["forget_bias"] = float(b)
        return out

    def bias_init(self, name):
        # Jozefowicz et al. 2015: b_f = 1, start by remembering; larger keeps more (sigma(5) = 0.993)
        return self.options["forget_bias"] if name == "b_f" else 0.0

    # --- forward ----------------------------------------------------------------------------------

    def _step(self, W, a, act, s_prev, c_prev, c, tc, s):
        """One step in place: a (4H,) holds U x_t + b and becomes the pre-activation; act, c, tc, s
        (rows of the caller's arrays) receive the gates, c_t, tanh(c_t) and s_t."""
        H3 = 3 * self.H
        a += W @ s_prev  # a_t = U x_t + W s_{t-1} + b, all four blocks in one product
        sigmoid(a[:H3], out=act[:H3])  # f_t, i_t, q_t = σ(a_t[f, i, q])
        np.tanh(a[H3:], out=act[H3:])  # g_t = tanh(a_t[g])
        f, i, q, g = (act[self.cols[b]] for b in "fiqg")
        np.multiply(f, c_prev, out=c)  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        c += i * g
        np.tanh(c, out=tc)
        np.multiply(q, tc, out=s)  # s_t = q_t ⊙ tanh(c_t)

    def forward_sequence(self, prep, x):
        T, H = len(x), self.H
        pre = self.input_part(prep, x)  # (T, 4H) U x_t + b, becomes the pre-activations
        act = np.empty_like(pre)  # (T, 4H) gate values
        s, c, tc = np.empty((T, H)), np.empty((T, H)), np.empty((T, H))  # (T, H) each
        s_prev, c_prev = np.zeros(H), np.zeros(H)
        with np.errstate(over="ignore"):  # exp(-a) overflows to inf for a < -709: σ(a) = 0, exact
            for t in range(T):
                self._step(prep.W, pre[t], act[t], s_prev, c_prev, c[t], tc[t], s[t])
                s_prev, c_prev = s[t], c[t]
        return {
            "pre": pre,
            "act": act,
            "s": s,
            "s_prev": _shifted(s),
            "c": c,
            "c_prev": _shifted(c),
            "tc": tc,
        }

    def forward_step(self, prep, x_t, state):
        a = self.input_part(prep, np.array([x_t]))[0]  # (4H,)
        act, s, c, tc = np.empty(4 * self.H), np.empty(self.H), np.empty(self.H), np.empty(self.H)
        with np.errstate(over="ignore"):
            self._step(prep.W, a, act, state[0], state[1], c, tc, s)
        return (s, c), a, act

    # --- backward ---------------------------------------------------------------------------------

    def backward_factors(self, prep, cache):
        act, cols = cache["act"], self.cols
        slope = act * (1.0 - act)  # (T, 4H) σ'(a) = σ (1 - σ) for f, i, q ...
        g = act[:, cols["g"]]
        slope[:, cols["g"]] = 1.0 - g * g  # ... and tanh'(a) = 1 - g^2 for g
        tc = cache["tc"]
        # the factors that turn the errors (e_c total, e_s) into dE/da, block by block
        slope[:, cols["f"]] *= cache["c_prev"]  # da_f = e_c ⊙ c_{t-1} ⊙ σ'
        slope[:, cols["i"]] *= g  # da_i = e_c ⊙ g_t ⊙ σ'
        slope[:, cols["q"]] *= tc  # da_q = e_s ⊙ tanh(c_t) ⊙ σ'
        slope[:, cols["g"]] *= act[:, cols["i"]]  # da_g = e_c ⊙ i_t ⊙ tanh'
        cache["da_factor"] = slope
        cache["s_to_c"] = act[:, cols["q"]] * (1.0 - tc * tc)  # (T, H) ds_t/dc_t = q_t ⊙ (1 - tanh²c_t)

    def backward_step(self, prep, cache, k, errors, carry_rows):
        e_s, e_c = errors
        cols, factor = self.cols, cache["da_factor"][k]
        ec = e_c + e_s * cache["s_to_c"][k]  # dE/dc_k = carried + through s_k
        da = np.empty(np.shape(e_s)[:-1] + (4 * self.H,))
        for b in "fig":
            np.multiply(ec, factor[..., cols[b]], out=da[..., cols[b]])
        np.multiply(e_s, factor[..., cols["q"]], out=da[..., cols["q"]])
        if carry_rows is None:
            return da, None, (e_s, ec)
        f = carried_rows(cache["act"][k][..., cols["f"]], k, carry_rows)
        carry = (da[carry_rows] @ prep.W, ec[carry_rows] * f)  # dE/ds_{k-1}, dE/dc_{k-1} = dE/dc_k ⊙ f_k
        return da, carry, (e_s, ec)

    def jacobian_extras(self, prep, cache, t):
        """cell_path[k] = max_i prod_{j=k+1..t} f_j[i]: what the cell-state path alone lets through."""
        f = cache["act"][:, self.cols["f"]]
        out = np.empty(t + 1)
        prod = np.ones(self.H)
        out[t] = 1.0
        for k in range(t - 1, -1, -1):
            prod *= f[k + 1]
            out[k] = prod.max()
        return {"cell_path": out}
