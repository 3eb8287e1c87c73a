"""Numbers derived from a trace for the views, by pure calls to the core (no Qt, no Session state).

They use the parameters the trace was made with (the Stepper's frozen copies), never the live
model, which the update step and training change. They are slow at large sizes (a Jacobian row is
t exact SVDs of a state-sized matrix), so trace_jobs.TraceNumbers runs them in a worker thread;
they share nothing with it. Every cell is handled alike: the core's generic APIs
(delta_norms_row, jacobian_rows) give each cell's exact numbers and the curves it has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rnnviz.core import Model, Stepper, spectral_norm, spectral_radius
from rnnviz.core.cells import param_name


def traced_model(rnn: Model, st: Stepper) -> Model:
    """A private model reading the parameters the Stepper traces (its frozen copies: no new copy)."""
    return rnn.reading(dict(st.params))


def recurrent_radius(model: Model) -> float:
    """rho(W) of the vanilla RNN; for a gated cell the largest of its W_*'s spectral radii."""
    return max(spectral_radius(getattr(model, param_name("W", b))) for b in model.spec.blocks)


def recurrent_norm(model: Model) -> float:
    """||W||_2 of the vanilla RNN; for a gated cell the largest of its W_*'s spectral norms."""
    return max(spectral_norm(getattr(model, param_name("W", b))) for b in model.spec.blocks)


@dataclass(frozen=True)
class DecayRow:
    """Going back from output step t: each array is (t+1,), indexed by the earlier step k.

    ratio  |dE_t/da_k| / |dE_t/da_t|: how big the gradient of E_t really is at step k (the vanilla
           RNN's a_k is z_k; a gated cell's is every gate's pre-activation)
    norm   ||d state_t / d state_k||_2, the Jacobian product (state = s, or (s, c) for the LSTM)
    and the curves the cell has beside it (JacobianNorms): the vanilla RNN's w_factor
    ||W||_2^(t-k), tanh_factor or relu_factor (bounds), and radius_factor rho(W)^(t-k), the rate
    W^(t-k) follows in the long run; the LSTM's cell_path max_i prod_{j=k+1..t} f_j[i]."""

    ratio: np.ndarray
    norm: np.ndarray
    extras: dict = field(default_factory=dict)  # curve name -> (t+1,)

    def __getattr__(self, name: str) -> np.ndarray:
        extras = object.__getattribute__(self, "extras")
        if name in extras:
            return extras[name]
        raise AttributeError(f"this cell has no curve {name!r}; it has {', '.join(self.curves())}")

    def curves(self) -> dict[str, np.ndarray]:
        """Every curve of the row, the measured ratio and the norm first."""
        return {"ratio": self.ratio, "norm": self.norm, **self.extras}


def decay_row(
    model: Model,
    x,
    y,
    t: int,
    radius: Callable[[], float] | None = None,
    rows=None,
    should_stop: Callable | None = None,
    progress: Callable[[DecayRow], None] | None = None,
) -> DecayRow | None:
    """The numbers of the gradient view's right-hand plot for output step t. A step with no target
    (y_t = -1) has no E_t: its ratio is all NaN (0/0), drawn as nothing. `rows`:
    model.jacobian_rows(x) if already made; `radius`: a function giving recurrent_radius(model), asked
    only if the row needs it. None if `should_stop()` ended the Jacobian row early.
    `progress(row)`, called between the Jacobian row's steps back, gets the row so far: every curve
    whole but the norm, NaN where it is not computed yet (it is computed from k = t down to 0)."""
    rows = model.jacobian_rows(x) if rows is None else rows
    d = model.delta_norms_row(x, y, t) if y[t] >= 0 else np.zeros(t + 1)  # (t+1,) |dE_t/da_k|
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = d / d[t]
    made: list[dict] = []  # the curves beside the norm, made once

    def row_of(J) -> DecayRow:
        if not made:
            extras = {k: v for k, v in J.as_dict().items() if k != "norm"}
            if "w_factor" in extras:  # one recurrent matrix: the rate its powers follow, beside the bound
                rho = recurrent_radius(model) if radius is None else radius()
                extras["radius_factor"] = rho ** (t - np.arange(t + 1.0))
            made.append(extras)
        return DecayRow(ratio, J.norm, dict(made[0]))

    J = rows.row(t, should_stop, None if progress is None else lambda J: progress(row_of(J)))
    return None if J is None else row_of(J)


def losses_around_update(rnn: Model, ev, x, y) -> tuple[float, float]:
    """L on (x, y) with the parameters before and after an update step `ev`."""
    model = rnn.copy()
    losses = []
    for params in (ev.old, ev.new):
        model.set_params(**{k: np.array(v) for k, v in params.items()})
        losses.append(model.loss(x, y))
    return losses[0], losses[1]
