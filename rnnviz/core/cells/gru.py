"""The GRU cell (Cho et al. 2014, as in the WildML GRU/LSTM tutorial), DESIGN.md section 6.

    u_t = σ(U_u[:, x_t] + W_u s_{t-1} + b_u)              update gate
    r_t = σ(U_r[:, x_t] + W_r s_{t-1} + b_r)              reset gate
    h_t = tanh(U_h[:, x_t] + W_h (r_t ⊙ s_{t-1}) + b_h)   candidate (reset before W_h, unlike torch.nn.GRU)
    s_t = (1 - u_t) ⊙ h_t + u_t ⊙ s_{t-1}                 s_{-1} = 0

Backward through step t, given e_s = dE/ds_t:

    dE/da_t[h] = e_s ⊙ (1 - u_t) ⊙ (1 - h_t²)
    dE/da_t[u] = e_s ⊙ (s_{t-1} - h_t) ⊙ u_t (1 - u_t)
    dE/d(r_t ⊙ s_{t-1}) = W_hᵀ dE/da_t[h]
    dE/da_t[r] = dE/d(r_t ⊙ s_{t-1}) ⊙ s_{t-1} ⊙ r_t (1 - r_t)
    carried to t-1:  dE/ds_{t-1} = e_s ⊙ u_t + r_t ⊙ W_hᵀ dE/da_t[h] + W_uᵀ dE/da_t[u] + W_rᵀ dE/da_t[r]
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from rnnviz.core.cells.base import Cell, carried_rows, sigmoid
from rnnviz.core.cells.rnn import _shifted


class GRUCell(Cell):
    name = "gru"
    title = "GRU"
    blocks = ("u", "r", "h")
    stack = ("u", "r", "h")
    gates = ("u", "r", "h")
    has_bias = True
    gate_titles = {"u": "update gate", "r": "reset gate", "h": "candidate"}
    squash = {"u": "σ", "r": "σ", "h": "tanh"}
    equations = (
        "u_t = σ(U_u x_t + W_u s_{t-1} + b_u)",
        "r_t = σ(U_r x_t + W_r s_{t-1} + b_r)",
        "h_t = tanh(U_h x_t + W_h (r_t ⊙ s_{t-1}) + b_h)",
        "s_t = (1 - u_t) ⊙ h_t + u_t ⊙ s_{t-1}",
    )
    backward_equations = (
        "dE/dh_t = dE/ds_t ⊙ (1 - u_t),  dE/du_t = dE/ds_t ⊙ (s_{t-1} - h_t)",
        "dE/dr_t = (W_hᵀ dE/da_h) ⊙ s_{t-1}",
        "dE/ds_{t-1} = dE/ds_t ⊙ u_t + r_t ⊙ W_hᵀ dE/da_h + W_uᵀ dE/da_u + W_rᵀ dE/da_r",
    )

    def prepare(self, p):
        return SimpleNamespace(p=p, W=np.vstack([p["W_u"], p["W_r"]]), W_h=p["W_h"])  # (2H, H), (H, H)

    def group_columns(self):
        H = self.H
        return [slice(0, 2 * H), slice(2 * H, 3 * H)]  # W_u, W_r read s_{t-1}; W_h reads r_t ⊙ s_{t-1}

    def group_inputs(self, cache):
        return [cache["s_prev"], cache["rs"]]

    # --- forward ----------------------------------------------------------------------------------

    def _step(self, prep, a, act, rs, s_prev, s):
        """One step in place: a (3H,) holds U x_t + b and becomes the pre-activation; act, rs, s (rows
        of the caller's arrays) receive the gates, r_t ⊙ s_{t-1} and s_t."""
        H2 = 2 * self.H
        a[:H2] += prep.W @ s_prev  # a_t[u, r] = U x_t + W s_{t-1} + b
        sigmoid(a[:H2], out=act[:H2])  # u_t, r_t
        u, r, h = (act[self.cols[b]] for b in "urh")
        np.multiply(r, s_prev, out=rs)  # r_t ⊙ s_{t-1}
        a[H2:] += prep.W_h @ rs  # a_t[h] = U_h x_t + W_h (r_t ⊙ s_{t-1}) + b_h
        np.tanh(a[H2:], out=h)  # h_t
        np.multiply(1.0 - u, h, out=s)  # s_t = (1 - u_t) ⊙ h_t + u_t ⊙ s_{t-1}
        s += u * s_prev

    def forward_sequence(self, prep, x):
        T, H = len(x), self.H
        pre = self.input_part(prep, x)  # (T, 3H) U x_t + b, becomes the pre-activations
        act = np.empty_like(pre)  # (T, 3H) gate values
        s, rs = np.empty((T, H)), np.empty((T, H))  # (T, H) each
        s_prev = np.zeros(H)
        with np.errstate(over="ignore"):  # σ(a) = 0 exactly where exp(-a) overflows
            for t in range(T):
                self._step(prep, pre[t], act[t], rs[t], s_prev, s[t])
                s_prev = s[t]
        return {"pre": pre, "act": act, "s": s, "s_prev": _shifted(s), "rs": rs}

    def forward_step(self, prep, x_t, state):
        a = self.input_part(prep, np.array([x_t]))[0]  # (3H,)
        act, rs, s = np.empty(3 * self.H), np.empty(self.H), np.empty(self.H)
        with np.errstate(over="ignore"):
            self._step(prep, a, act, rs, state[0], s)
        return (s,), a, act

    # --- backward ---------------------------------------------------------------------------------

    def backward_factors(self, prep, cache):
        act, cols, s_prev = cache["act"], self.cols, cache["s_prev"]
        u, r, h = (act[:, cols[b]] for b in "urh")
        factor = np.empty_like(act)  # (T, 3H): the factors that turn errors into dE/da, block by block
        factor[:, cols["h"]] = (1.0 - u) * (1.0 - h * h)  # da_h = e_s ⊙ (1 - u) ⊙ tanh'
        factor[:, cols["u"]] = (s_prev - h) * u * (1.0 - u)  # da_u = e_s ⊙ (s_{t-1} - h) ⊙ σ'
        factor[:, cols["r"]] = s_prev * r * (1.0 - r)  # da_r = dE/d(r ⊙ s_{t-1}) ⊙ s_{t-1} ⊙ σ'
        cache["da_factor"] = factor

    def backward_step(self, prep, cache, k, errors, carry_rows):
        e_s = errors[0]
        cols, factor = self.cols, cache["da_factor"][k]
        da = np.empty(np.shape(e_s)[:-1] + (3 * self.H,))
        np.multiply(e_s, factor[..., cols["h"]], out=da[..., cols["h"]])
        np.multiply(e_s, factor[..., cols["u"]], out=da[..., cols["u"]])
        d_rs = da[..., cols["h"]] @ prep.W_h  # dE/d(r_k ⊙ s_{k-1}) = W_h^T da_h
        np.multiply(d_rs, factor[..., cols["r"]], out=da[..., cols["r"]])
        if carry_rows is None:
            return da, None, (e_s,)
        act = cache["act"][k]
        u = carried_rows(act[..., cols["u"]], k, carry_rows)
        r = carried_rows(act[..., cols["r"]], k, carry_rows)
        carry = da[..., : 2 * self.H][carry_rows] @ prep.W  # W_u^T da_u + W_r^T da_r
        carry += e_s[carry_rows] * u  # through the u_k ⊙ s_{k-1} term
        carry += d_rs[carry_rows] * r  # through r_k ⊙ s_{k-1} inside the candidate
        return da, (carry,), (e_s,)
