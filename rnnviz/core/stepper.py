"""Stepper: the forward pass and BPTT of any cell, one timestep per step(), with exact undo.

Forward steps t = 0..T-1 compute the state, o_t and E_t. Backward steps then walk t = T-1..0:

    dE/ds_t = V^T (o_t - y_t) [direct, from E_t]  +  what step t+1 sends back [carried]
    da_t    = the cell's backward step (RNN: dE/dz_t = dE/ds_t * (1 - s_t^2))
    dU_b[:, x_t] += da_t[b];  dW_b += outer(da_t[b], r_t[b]);  db_b += da_t[b];  dV += outer(o_t - y_t, s_t)

mode="full" sweeps the gradient of L = (1/|M|) sum_{t in M} E_t (errors scaled by 1/|M|, so the
final gradients equal model.bptt). mode="single" traces one loss E_target alone, not divided by
|M|, from k = target down: each backward step's dW term is then the k-th term of the seed's dE_t/dW
sum. With truncate=K only the terms t-K <= k <= t of each E_t count: in full mode every event's
error and delta are the truncated ones (sums over the origins t' with t' - K <= t), and the final
gradients equal model.bptt(x, y, truncate=K); in single mode the walk stops at target - K.
An optional final step applies one SGD update (lr) to the model; back() over it restores the old
parameters. The Stepper traces the parameters as they were when it was created.
"""

from __future__ import annotations

import numpy as np

from rnnviz.core.events import (
    BackwardStep,
    ForwardStep,
    Trace,
    UpdateStep,
    frozen,
    frozen_gradients,
    frozen_map,
)
from rnnviz.core.model import Model, outputs, step_losses_of
from rnnviz.core.results import EMPTY
from rnnviz.core.validate import check_positive_int, check_sequences, check_time_index, loss_steps

__all__ = ["Stepper", "ForwardStep", "BackwardStep", "UpdateStep"]


class Stepper:
    """Step-through engine for one sequence; see the module docstring."""

    def __init__(
        self,
        rnn: Model,
        x,
        y,
        mode: str = "full",
        target: int | None = None,
        update_lr: float | None = None,
        truncate: int | None = None,
        like: Stepper | None = None,
    ):
        """`like`: an earlier trace of the same model, whose frozen copies of the parameters are
        reused where the model's still hold the same bits (a new sequence then copies nothing)."""
        self.x, self.y = check_sequences(x, y, rnn.vocab_size, masked_ok=True)
        if mode not in ("full", "single"):
            raise ValueError(f"mode must be 'full' or 'single', got {mode!r}")
        T = len(self.x)
        self.n_targets = loss_steps(self.y)  # |M|
        if mode == "single":
            target = T - 1 if target is None else check_time_index(target, T)
            if self.y[target] < 0:
                raise ValueError(f"step {target} has no target (y = -1), so it has no loss to trace")
        if update_lr is not None and not (np.isfinite(update_lr) and update_lr > 0):
            raise ValueError(f"update_lr must be a positive number, got {update_lr!r}")
        if truncate is not None:
            truncate = check_positive_int("truncate", truncate, allow_zero=True)
        self.rnn = self.model = rnn
        self.mode, self.target, self.update_lr, self.truncate = mode, target, update_lr, truncate
        self.spec = rnn.spec
        self.params = _frozen_params(rnn.params(), None if like is None else like.params)  # traced
        for name, value in self.params.items():
            setattr(self, name, value)  # st.U, st.W, st.V (vanilla RNN), st.W_f, ... (gated cells)
        self._prep = self.spec.prepare(self.params)
        self._cache = self.spec.forward_sequence(self._prep, self.x)  # states and gates, bit for bit
        self.spec.backward_factors(self._prep, self._cache)
        self._trace = Trace(self.spec, self._cache)
        self.T = T
        depth = T if truncate is None else truncate + 1  # how many steps one loss reaches back
        self.n_backward = T if mode == "full" else min(target + 1, depth)
        self._window = truncate is not None and mode == "full" and truncate < T - 1
        self.total_steps = T + self.n_backward + (1 if update_lr else 0)
        self._events: list = []
        self._cursor = 0
        self._carried = self.spec.zero_state()  # what the last backward event sends to the step before
        self._origins = tuple(np.zeros((0, rnn.hidden_size)) for _ in self.spec.states)  # per-origin rows

    # --- state ------------------------------------------------------------------------------------

    @property
    def cursor(self) -> int:
        """How many steps have been taken (0 .. total_steps)."""
        return self._cursor

    @property
    def done(self) -> bool:
        return self._cursor >= self.total_steps

    @property
    def events(self) -> list:
        """The events up to the cursor, oldest first."""
        return self._events[: self._cursor]

    @property
    def last(self):
        return self._events[self._cursor - 1] if self._cursor else None

    @property
    def phase(self) -> str:
        """'forward', 'backward' or 'update': the phase of the next step; 'done' when finished."""
        c = self._cursor
        if c < self.T:
            return "forward"
        if c < self.T + self.n_backward:
            return "backward"
        return "update" if not self.done else "done"

    @property
    def states(self) -> np.ndarray:
        """(T, H) every hidden state s_t of the trace (a read-only copy), e.g. to fix a colour scale
        before the forward pass has revealed them."""
        return frozen(self._cache["s"])

    def step_losses(self) -> np.ndarray:
        """(T,) E_t of every step at once: model.step_losses(x, y) with the traced parameters, bit for
        bit (the same batched operations), from the states this trace holds (no second forward pass)."""
        return step_losses_of(outputs(self._cache["s"], self.params["V"]), self.y)

    def largest(self, name: str) -> float:
        """The largest |value| the state `name` ("s", or the LSTM's "c") or gate takes anywhere in
        this sequence: views fix their colour levels with it before the steps reveal the values."""
        if name in self._cache:
            return float(np.max(np.abs(self._cache[name]))) if self.T else 0.0
        return float(np.max(np.abs(self._cache["act"][:, self.spec.cols[name]])))

    def forward_steps(self) -> list[ForwardStep]:
        return [e for e in self.events if e.phase == "forward"]

    def backward_steps(self) -> list[BackwardStep]:
        return [e for e in self.events if e.phase == "backward"]

    @property
    def gradients(self):
        """Gradients accumulated so far (zeros before the backward phase)."""
        for e in reversed(self.events):
            if e.phase in ("backward", "update"):
                return e.gradients
        return frozen_gradients({k: np.zeros_like(v) for k, v in self.params.items()})

    # --- stepping ---------------------------------------------------------------------------------

    def step(self):
        """Take one step and return its event, or None when finished."""
        if self.done:
            return None
        if self._cursor < len(self._events):  # redo a step that back() undid
            ev = self._events[self._cursor]
        else:
            ev = self._compute_next()
            self._events.append(ev)
        self._cursor += 1
        if ev.phase == "update":
            self.rnn.set_params(**{k: np.array(v) for k, v in ev.new.items()})
        return ev

    def back(self):
        """Undo one step; returns the event undone (None at the start)."""
        if self._cursor == 0:
            return None
        self._cursor -= 1
        ev = self._events[self._cursor]
        if ev.phase == "update":
            self.rnn.set_params(**{k: np.array(v) for k, v in ev.old.items()})
        return ev

    def run(self) -> None:
        while self.step() is not None:
            pass

    def _compute_next(self):
        c = self._cursor
        if c < self.T:
            return self._forward(c)
        if c < self.T + self.n_backward:
            start = self.T - 1 if self.mode == "full" else self.target
            return self._backward(start - (c - self.T))
        return self._update()

    def _forward(self, t: int) -> ForwardStep:
        cache, spec = self._cache, self.spec
        s = cache["s"][t]  # the cell's step, computed with the same code as model.forward
        a = self.V @ s
        o = np.exp(a - a.max())
        o /= o.sum()  # o_t = softmax(V s_t)
        y = int(self.y[t])
        with np.errstate(divide="ignore"):  # o_t[y_t] = 0 (underflow): E_t = +inf, shown as it is
            E = float(-np.log(o[y])) if y >= 0 else 0.0  # E_t = -log o_t[y_t]
        gated = bool(spec.gates)
        return ForwardStep(
            t=t,
            x=int(self.x[t]),
            y=y,
            s_prev=frozen(cache["s_prev"][t]),
            z=None if gated else frozen(cache["pre"][t]),
            s=frozen(s),
            o=frozen(o),
            E=E,
            gates=frozen_map(spec.gate_dict(cache["act"][t])) if gated else EMPTY,
            pre=frozen_map(spec.gate_dict(cache["pre"][t])) if gated else EMPTY,
            c=frozen(cache["c"][t]) if "c" in cache else None,
            c_prev=frozen(cache["c_prev"][t]) if "c" in cache else None,
        )

    def _backward(self, t: int) -> BackwardStep:
        fw = self._events[t]
        prev = self._events[-1]
        traced = (self.mode == "full" or t == self.target) and fw.y >= 0  # E_t counts here
        d_out = fw.o.copy()
        if traced:
            d_out[fw.y] -= 1.0  # dE_t/d(V s_t) = o_t - onehot(y_t)
            d_out *= (1.0 / self.n_targets) if self.mode == "full" else 1.0
        else:
            d_out[:] = 0.0
        error_direct = self.V.T @ d_out  # through o_t
        if self._window:
            carried = tuple(rows.sum(axis=0) for rows in self._origins)  # origins t' in (t, t+K]
        else:
            carried = self._carried
        error = error_direct + carried[0]
        errors = (error,) + carried[1:]
        carry_rows = slice(None) if t > 0 and not self._window else None  # no step before t = 0
        delta, carry, totals = self.spec.backward_step(self._prep, self._cache, t, errors, carry_rows)
        self._carried = carry if carry is not None else self.spec.zero_state()
        if self._window and t > 0:
            self._advance_window(t, error_direct)
        more = self.spec.states[1:]
        extra = dict(zip(more, totals[1:], strict=True))
        extra_carried = dict(zip(more, carried[1:], strict=True))
        ev = BackwardStep(
            t=t,
            x=fw.x,
            s=fw.s,
            s_prev=fw.s_prev,
            error_direct=frozen(error_direct),
            error_carried=frozen(carried[0]),
            error=frozen(error),
            delta=frozen(delta),
            d_out=frozen(d_out),
            trace=self._trace,
            previous=prev if prev.phase == "backward" else None,
            gates=fw.gates,
            c=fw.c,
            error_c=frozen(extra["c"]) if "c" in extra else None,
            error_c_carried=frozen(extra_carried["c"]) if "c" in extra else None,
        )
        self._trace.sums(ev)  # dW_* so far: one outer product now, ready when a view asks
        return ev

    def _advance_window(self, t: int, error_direct: np.ndarray) -> None:
        """Send each origin's own error from step t to step t-1, dropping the origin t + K, which
        may not reach further back. Afterwards row j of the window is origin t + j."""
        H = self.rnn.hidden_size
        first = (error_direct[None, :],) + tuple(np.zeros((1, H)) for _ in self.spec.states[1:])
        per_origin = tuple(np.vstack([f, w]) for f, w in zip(first, self._origins, strict=True))
        _, carry, _ = self.spec.backward_step(self._prep, self._cache, t, per_origin, slice(None))
        self._origins = tuple(c[: self.truncate] for c in carry)  # origins t .. t + K - 1

    def _update(self) -> UpdateStep:
        g = self.gradients
        old = dict(self.params)
        new = {k: frozen(old[k] - self.update_lr * d) for k, d in g.as_dict().items()}
        return UpdateStep(lr=float(self.update_lr), old=old, new=new, gradients=g)


def _frozen_params(
    live: dict[str, np.ndarray], earlier: dict[str, np.ndarray] | None
) -> dict[str, np.ndarray]:
    """Name -> a read-only copy of each parameter, or the `earlier` trace's copy where it has the
    same bits (compared as integers: -0.0 is not 0.0, and a NaN equals itself): reading 2 arrays
    costs a fraction of a fresh 4 MB copy's page faults (K = 2000, H = 256)."""
    out = {}
    for name, value in live.items():
        old = None if earlier is None else earlier.get(name)
        same = (
            old is not None
            and old.shape == value.shape
            and old.dtype == value.dtype == np.float64
            and value.flags.c_contiguous
            and np.array_equal(old.view(np.int64), value.view(np.int64))
        )
        out[name] = old if same else frozen(value)
    return out
