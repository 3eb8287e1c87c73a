"""The vanilla RNN cell (DESIGN.md section 1): parameters U (H, K), W (H, H), no biases.

z_t = U[:, x_t] + W s_{t-1}        s_{-1} = 0
s_t = f(z_t)                       f = tanh (the default) or ReLU, max(z, 0) (option `activation`)

Backward: dE/dz_t = dE/ds_t ⊙ f'(z_t), with tanh'(z_t) = 1 - s_t^2 and ReLU'(z_t) = 1 where z_t > 0,
else 0 (at the kink z = 0 exactly, 0: a subgradient; finite differences disagree only there).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from rnnviz.core.cells.base import Cell
from rnnviz.core.two_norm import two_norm

ACTIVATIONS = ("tanh", "relu")


def _relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


class RNNCell(Cell):
    name = "rnn"
    title = "vanilla RNN"
    option_defaults = {**Cell.option_defaults, "activation": "tanh"}  # 'tanh' | 'relu'
    equations = ("z_t = U[:, x_t] + W s_{t-1}", "s_t = tanh(z_t)")
    backward_equations = (
        "dE/dz_t = dE/ds_t ⊙ (1 - s_t²)",
        "dE/ds_{t-1} += Wᵀ dE/dz_t",
    )
    # What views say about the activation f, so they never assume tanh (the equations' markup: x_{t}
    # a subscript, s^{2} a superscript; {t} stands for the step index).
    activation_name = "tanh"  # s_t = tanh(z_t)
    derivative = "1 − s_{t}^{2}"  # f'(z_t) written with the cell's own numbers

    def __init__(self, vocab_size: int, hidden_size: int, **options):
        super().__init__(vocab_size, hidden_size, **options)
        self.activation = self.options["activation"]
        self._f = np.tanh if self.activation == "tanh" else _relu  # f(z, out=...)
        if self.activation == "relu":
            self.activation_name, self.derivative = "relu", "[z_{t} > 0]"
            self.state_bounds = (0.0, np.inf)  # max(z, 0): never negative, no upper bound
            self.equations = ("z_t = U[:, x_t] + W s_{t-1}", "s_t = relu(z_t) = max(z_t, 0)")
            self.backward_equations = (
                "dE/dz_t = dE/ds_t ⊙ [z_t > 0]",
                "dE/ds_{t-1} += Wᵀ dE/dz_t",
            )

    def _checked_options(self, options):
        out = super()._checked_options(options)
        if out["activation"] not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {out['activation']!r}")
        return out

    def prepare(self, p):
        return SimpleNamespace(p=p, W=p["W"])  # one block: nothing to stack

    def forward_sequence(self, prep, x):
        T, H = len(x), self.H
        z = self.input_part(prep, x)  # (T, H) U x_t for every t at once, by column indexing
        s = np.empty((T, H))  # (T, H)
        s_prev, W, f = np.zeros(H), prep.W, self._f
        for z_t, s_t in zip(z, s, strict=True):  # row views: step t = 0..T-1
            z_t += np.dot(W, s_prev)  # z_t = U x_t + W s_{t-1} (np.dot: less dispatch than @, same gemv)
            f(z_t, out=s_t)  # s_t = f(z_t)
            s_prev = s_t
        return {"pre": z, "s": s, "s_prev": _shifted(s)}

    def forward_step(self, prep, x_t, state):
        z = prep.p["U"][:, x_t] + prep.W @ state[0]  # z_t = U x_t + W s_{t-1}
        return (self._f(z, out=np.empty_like(z)),), z, None  # s_t = f(z_t)

    def backward_factors(self, prep, cache):
        if self.activation == "tanh":
            cache["slope"] = 1.0 - cache["s"] ** 2  # (T, H) tanh'(z_t) = 1 - s_t^2
        else:
            cache["slope"] = (cache["pre"] > 0).astype(np.float64)  # (T, H) relu'(z_t) = [z_t > 0]

    def backward_step(self, prep, cache, k, errors, carry_rows):
        e_s = errors[0]  # dE/ds_k
        dz = e_s * cache["slope"][k]  # dE/dz_k = dE/ds_k * f'(z_k)
        carry = None if carry_rows is None else (dz[carry_rows] @ prep.W,)  # dE/ds_{k-1} = W^T dE/dz_k
        return dz, carry, (e_s,)

    def backward_sequence(self, prep, cache, ds_direct):
        """The generic loop with the step inlined (the same operations, so the same numbers):
        dL/ds_t = direct_t + W^T dL/dz_{t+1};  dL/dz_t = dL/ds_t * f'(z_t)."""
        T, H = ds_direct.shape
        slope, WT = cache["slope"][:T], prep.W.T
        dz = np.empty((T, H))
        carry = np.zeros(H)
        for dz_t, direct_t, slope_t in zip(dz[::-1], ds_direct[::-1], slope[::-1], strict=True):  # t = T-1..0
            np.add(direct_t, carry, out=dz_t)
            dz_t *= slope_t
            carry = np.dot(WT, dz_t)  # as WT @ dz_t (the same gemv), with less dispatch
        return dz

    def jacobian_extras(self, prep, cache, t):
        """Two factors whose product bounds the norm (Pascanu et al. 2013), since
        d s_j / d s_{j-1} = diag(f'(z_j)) W:  norm[t, k] <= w_factor * <activation>_factor, where
        w_factor        = ||W||_2^(t-k)                     what W alone allows;
        tanh_factor     = prod_{j=k+1..t} max_i (1 - s_j^2)_i   what the tanh slopes allow (<= 1), or
        relu_factor     = prod_{j=k+1..t} max_i [z_j > 0]_i     what the ReLU slopes allow: 1 while some
                          unit is active at every step (then only W bounds the norm), 0 once a step has
                          every unit off (then the product, and the norm, are exactly 0)."""
        slope = cache["slope"]
        dist = t - np.arange(t + 1)
        w_factor = two_norm(prep.W) ** dist  # np.linalg.norm(W, 2), without holding the GIL
        max_slope = slope.max(axis=1)
        tail = np.cumprod(max_slope[t:0:-1])[::-1]  # tail[k] = prod_{j=k+1..t} max slope_j, k < t
        return {"w_factor": w_factor, f"{self.activation}_factor": np.concatenate([tail, [1.0]])}


def _shifted(s: np.ndarray) -> np.ndarray:
    """(T, H) s_{t-1} for every t, with s_{-1} = 0."""
    out = np.empty_like(s)
    out[0] = 0.0
    out[1:] = s[:-1]
    return out
