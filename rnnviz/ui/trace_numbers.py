"""Numbers derived from a trace for the views, by pure calls to the core (no Qt, no Session state).

They use the parameters the trace was made with (the Stepper's frozen copies), never the live
model, which the update step and training change. They are slow at large sizes (a Jacobian row is
t exact SVDs), so trace_jobs.TraceNumbers runs them in a worker thread; they share nothing with it.
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
    tanh_factor: np.ndarray  # prod_{j=k+1..t} max f'(z_j): what the activation's slopes allow (a bound;
    # named for tanh, it holds the ReLU's relu_factor when the cell uses ReLU)


def delta_norm_row(rnn: RNN, x, y, t: int) -> np.ndarray:
    """(t+1,): |dE_t/dz_k| for k = 0..t (E_t not divided by T), by the backward recursion of one loss:
    delta_t = V^T(o_t - onehot(y_t)) * f'(z_t);  delta_{k-1} = (W^T delta_k) * f'(z_{k-1}), with the
    cell's own slopes f' (tanh: 1 - s^2; ReLU: [z > 0]). O(t H^2) time and O(H) memory: never the
    (T, T, H) array of every loss's deltas. A step with no target (y_t = -1) has no E_t: all zeros."""
    if y[t] < 0:
        return np.zeros(t + 1)
    f = rnn.forward(x[: t + 1])  # steps after t do not reach E_t
    spec = rnn.spec
    prep = spec.prepare(rnn.params())
    cache = spec.forward_sequence(prep, np.asarray(x[: t + 1]))
    spec.backward_factors(prep, cache)
    slope = cache["slope"]  # (t+1, H) f'(z_k), as the cell's backward pass uses it
    d_out = f.o[t].copy()
    d_out[y[t]] -= 1.0  # o_t - onehot(y_t)
    delta = (rnn.V.T @ d_out) * slope[t]  # (H,) delta_t^(t)
    out = np.empty(t + 1)
    for k in range(t, -1, -1):
        out[k] = np.linalg.norm(delta)
        if k:
            delta = (delta @ rnn.W) * slope[k - 1]  # W^T delta_k, as a row vector
    return out


def decay_row(rnn: RNN, x, y, t: int, radius: float | None = None) -> DecayRow:
    """The numbers of the gradient view's right-hand plot for output step t (core calls, plus the
    one-loss recursion above); `radius` is spectral_radius(rnn.W) if already at hand."""
    norm, w_factor, tanh_factor = rnn.jacobian_row(x, t)
    d = delta_norm_row(rnn, x, y, t)  # (t+1,) |dE_t/dz_k|
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = d / d[t]
    radius = spectral_radius(rnn.W) if radius is None else radius
    radius_factor = radius ** (t - np.arange(t + 1.0))
    return DecayRow(ratio, norm, w_factor, radius_factor, tanh_factor)


def losses_around_update(rnn: RNN, ev, x, y) -> tuple[float, float]:
    """L on (x, y) with the parameters before and after an update step `ev`."""
    model = rnn.copy()
    losses = []
    for params in (ev.old, ev.new):
        model.set_params(**{k: np.array(v) for k, v in params.items()})
        losses.append(model.loss(x, y))
    return losses[0], losses[1]
