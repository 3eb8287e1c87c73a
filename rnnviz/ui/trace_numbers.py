"""Numbers derived from a trace for the views, by pure calls to the core (no Qt, no Session state).

They use the parameters the trace was made with (the Stepper's frozen copies), never the live
model, which the update step and training change. The Session caches them; a background worker
can call these functions as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core import RNN, Stepper, spectral_radius


def traced_model(rnn: RNN, st: Stepper) -> RNN:
    """A private copy of rnn holding the parameters the Stepper traces (its frozen copies)."""
    twin = rnn.copy()
    twin.set_params(U=st.U, W=st.W, V=st.V)
    return twin


@dataclass(frozen=True)
class DecayRow:
    """Going back from output step t: each array is (t+1,), indexed by the earlier step k."""

    ratio: np.ndarray  # |dE_t/dz_k| / |dE_t/dz_t|: how big the gradient of E_t really is at step k
    norm: np.ndarray  # ||prod_{j=k+1..t} ds_j/ds_{j-1}||_2, the Jacobian product
    w_factor: np.ndarray  # ||W||_2^(t-k): what W alone allows (a bound)
    radius_factor: np.ndarray  # rho(W)^(t-k): the rate W^(t-k) shrinks or grows at in the long run
    tanh_factor: np.ndarray  # prod_{j=k+1..t} max tanh'(z_j): what the slopes allow (a bound)


def delta_norms(rnn: RNN, x, y) -> np.ndarray:
    """(T, T): |dE_t/dz_k|, zero where k > t (E_t not divided by T)."""
    return np.linalg.norm(rnn.deltas(x, y), axis=2)


def decay_row(rnn: RNN, x, y, t: int, norms: np.ndarray | None = None) -> DecayRow:
    """The numbers of the gradient view's right-hand plot for output step t (pure core calls);
    `norms` is delta_norms(rnn, x, y) if already at hand (it costs a (T, T, H) array)."""
    norm, w_factor, tanh_factor = rnn.jacobian_row(x, t)
    norms = delta_norms(rnn, x, y) if norms is None else norms
    d = norms[t, : t + 1]  # (t+1,) |dE_t/dz_k|
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = d / d[t]
    radius_factor = spectral_radius(rnn.W) ** (t - np.arange(t + 1.0))
    return DecayRow(ratio, norm, w_factor, radius_factor, tanh_factor)


def losses_around_update(rnn: RNN, ev, x, y) -> tuple[float, float]:
    """L on (x, y) with the parameters before and after an update step `ev`."""
    model = rnn.copy()
    losses = []
    for params in (ev.old, ev.new):
        model.set_params(**{k: np.array(v) for k, v in params.items()})
        losses.append(model.loss(x, y))
    return losses[0], losses[1]
