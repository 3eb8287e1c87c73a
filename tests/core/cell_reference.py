"""An independent, deliberately plain re-implementation of DESIGN.md sections 1 and 6 for tests:
one loop, one cell at a time, straight from the equations (no stacking, no caches, no shared code
with rnnviz.core), with an optional nudge to a state so derivatives can be taken numerically."""

import numpy as np

from rnnviz.core import make_model


def sigma(a):
    return 1.0 / (1.0 + np.exp(-a))


def states(cell: str, P: dict, x, nudge=None):
    """(S, C): lists of s_t (and c_t for the LSTM). nudge = (t, which, vector) is added to a state
    of step t: which = "s" to s_t; "c" to c_t before s_t = q_t tanh(c_t) reads it (so the change
    reaches s_t too: the total dE/dc_t); "c_state" to c_t as a coordinate of the state (s_t, c_t)
    that the next step receives, s_t left alone (for d state_t / d state_k)."""
    H = P["V"].shape[1]
    s, c = np.zeros(H), np.zeros(H)
    S, C = [], []
    for t, tok in enumerate(x):
        if cell == "rnn":
            s = np.tanh(P["U"][:, tok] + P["W"] @ s)
        elif cell == "lstm":
            f = sigma(P["U_f"][:, tok] + P["W_f"] @ s + P["b_f"])
            i = sigma(P["U_i"][:, tok] + P["W_i"] @ s + P["b_i"])
            g = np.tanh(P["U_g"][:, tok] + P["W_g"] @ s + P["b_g"])
            q = sigma(P["U_q"][:, tok] + P["W_q"] @ s + P["b_q"])
            c = f * c + i * g
            if nudge is not None and nudge[0] == t and nudge[1] == "c":
                c = c + nudge[2]
            s = q * np.tanh(c)
            if nudge is not None and nudge[0] == t and nudge[1] == "c_state":
                c = c + nudge[2]
        else:
            u = sigma(P["U_u"][:, tok] + P["W_u"] @ s + P["b_u"])
            r = sigma(P["U_r"][:, tok] + P["W_r"] @ s + P["b_r"])
            h = np.tanh(P["U_h"][:, tok] + P["W_h"] @ (r * s) + P["b_h"])
            s = (1 - u) * h + u * s
        if nudge is not None and nudge[0] == t and nudge[1] == "s":
            s = s + nudge[2]
        S.append(s)
        C.append(c)
    return S, C


def step_losses(cell, P, x, y, nudge=None):
    """(T,) E_t = -log softmax(V s_t)[y_t], 0 where y_t = -1."""
    S, _ = states(cell, P, x, nudge)
    out = np.zeros(len(x))
    for t, s in enumerate(S):
        if y[t] >= 0:
            a = P["V"] @ s
            out[t] = -(a[y[t]] - a.max() - np.log(np.exp(a - a.max()).sum()))
    return out


def loss(cell, P, x, y, nudge=None) -> float:
    """L = (1/|M|) sum over the steps with a target."""
    return float(step_losses(cell, P, x, y, nudge).sum() / np.count_nonzero(np.asarray(y) >= 0))


def numeric_state_gradient(f, H: int, t: int, which: str, eps: float = 1e-6) -> np.ndarray:
    """(H,) d f / d state_t[which] by central differences; f(nudge) -> float."""
    out = np.zeros(H)
    for i in range(H):
        e = np.zeros(H)
        e[i] = eps
        out[i] = (f((t, which, e)) - f((t, which, -e))) / (2 * eps)
    return out


def random_case(cell: str, K: int, H: int, T: int, seed: int, saturate: bool = False, mask: bool = False):
    """A model of this cell and a random sequence. saturate: weights x10 and biases +-5, so sigmoid
    and tanh gates sit near 0 or 1 and their slopes near 0. mask: about a third of the targets -1."""
    rng = np.random.default_rng(seed + 7000)
    m = make_model(cell, K, H, seed=seed)
    if saturate:
        for name, p in m.params().items():
            if name != "V":
                p *= 10.0
                if name.startswith("b"):
                    p += rng.choice([-5.0, 5.0], size=p.shape)
    x, y = rng.integers(0, K, T), rng.integers(0, K, T)
    if mask:
        y[rng.random(T) < 0.35] = -1
        if (y < 0).all():
            y[-1] = 0
    return m, x, y
