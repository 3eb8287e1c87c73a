# Frozen copy of rnnviz/core/stepper.py at commit ecfe3bc (before the cell protocol), kept
# verbatim (imports aside) so tests can show the vanilla RNN's numbers are unchanged to the last bit.
"""Stepper: the forward pass and BPTT, one timestep per step(), with exact undo.

Forward steps t = 0..T-1 compute z_t, s_t, o_t, E_t. Backward steps then walk t = T-1..0:

    dE/ds_t = V^T (o_t - y_t) [direct, from E_t]  +  W^T delta_{t+1} [carried from the future]
    delta_t = dE/dz_t = dE/ds_t * (1 - s_t^2)
    dU[:, x_t] += delta_t;   dW += outer(delta_t, s_{t-1});   dV += outer(o_t - y_t, s_t)

mode="full" sweeps the gradient of L = (1/T) sum_t E_t (errors scaled by 1/T, so the final
gradients equal RNN.bptt). mode="single" traces one loss E_target alone, not divided by T, from
k = target down to 0: each backward step's dW term is then the k-th term of the seed's dE_t/dW sum.
An optional final step applies one SGD update (lr) to the RNN; back() over it restores the old
parameters. The Stepper traces the parameters as they were when it was created.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tests.core.legacy.model_v0 import RNN, Gradients, check_time_index
from tests.core.legacy.validate_v0 import check_sequences


def _frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy: events never share memory with anything that changes."""
    c = np.array(a, dtype=np.float64, copy=True)
    c.flags.writeable = False
    return c


def _frozen_grads(dU, dW, dV) -> Gradients:
    return Gradients(dU=_frozen(dU), dW=_frozen(dW), dV=_frozen(dV))


@dataclass(frozen=True)
class ForwardStep:
    """Forward step t: z_t = U[:, x_t] + W s_{t-1}, s_t = tanh(z_t), o_t = softmax(V s_t)."""

    t: int
    x: int  # input token id x_t
    y: int  # target token id y_t
    s_prev: np.ndarray  # (H,) s_{t-1}
    z: np.ndarray  # (H,)
    s: np.ndarray  # (H,)
    o: np.ndarray  # (K,)
    E: float  # -log o_t[y_t]
    phase: str = "forward"


@dataclass(frozen=True)
class BackwardStep:
    """Backward step at t: the error arriving at s_t and the gradient it adds.

    Memory stays O(H^2 + K) per step: the accumulated dU and dV, which are (H, K) and (K, H), are
    rebuilt on demand by `gradients` from the (shared, read-only) vectors of the steps so far.
    """

    t: int
    x: int
    s: np.ndarray  # (H,) s_t
    s_prev: np.ndarray  # (H,) s_{t-1}
    error_direct: np.ndarray  # (H,) from E_t through o_t (zero in single mode except t = target)
    error_carried: np.ndarray  # (H,) W^T delta_{t+1}, from the steps after t
    error: np.ndarray  # (H,) dE/ds_t = direct + carried
    delta: np.ndarray  # (H,) dE/dz_t; also the column added to dU[:, x_t]
    d_out: np.ndarray  # (K,) dE/d(V s_t) = (o_t - y_t) (times 1/T in full mode; 0 if not traced)
    dW: np.ndarray  # (H, H) dW accumulated so far, this step included
    previous: BackwardStep | None = field(default=None, repr=False, compare=False)
    phase: str = "backward"

    @property
    def dW_step(self) -> np.ndarray:
        """(H, H) outer(delta_t, s_{t-1}): step t's term of dE/dW."""
        return np.outer(self.delta, self.s_prev)

    @property
    def dV_step(self) -> np.ndarray:
        """(K, H) outer(d_out, s_t): what this step adds to dV."""
        return np.outer(self.d_out, self.s)

    @property
    def dU_step(self) -> np.ndarray:
        """(H, K) the gradient this step adds to U: delta_t in column x_t."""
        out = np.zeros((len(self.delta), len(self.d_out)))
        out[:, self.x] = self.delta
        return out

    @property
    def gradients(self) -> Gradients:
        """dU, dW, dV accumulated over the backward steps so far (fresh read-only arrays)."""
        steps = []
        ev = self
        while ev is not None:
            steps.append(ev)
            ev = ev.previous
        H, K = len(self.delta), len(self.d_out)
        dUt = np.zeros((K, H))  # (K, H) row x_k of dU^T gets delta_k
        np.add.at(dUt, [e.x for e in steps], np.array([e.delta for e in steps]))
        d_out = np.array([e.d_out for e in steps])  # (n, K)
        s = np.array([e.s for e in steps])  # (n, H)
        return _frozen_grads(dUt.T, self.dW, d_out.T @ s)


@dataclass(frozen=True)
class UpdateStep:
    """The optional final SGD step: param -= lr * grad."""

    lr: float
    old: dict  # name -> read-only copy of the parameter before
    new: dict  # name -> read-only copy after
    gradients: Gradients
    phase: str = "update"


class Stepper:
    """Step-through engine for one sequence; see the module docstring."""

    def __init__(
        self, rnn: RNN, x, y, mode: str = "full", target: int | None = None, update_lr: float | None = None
    ):
        self.x, self.y = check_sequences(x, y, rnn.vocab_size)
        if mode not in ("full", "single"):
            raise ValueError(f"mode must be 'full' or 'single', got {mode!r}")
        T = len(self.x)
        if mode == "single":
            target = T - 1 if target is None else check_time_index(target, T)
        if update_lr is not None and not (np.isfinite(update_lr) and update_lr > 0):
            raise ValueError(f"update_lr must be a positive number, got {update_lr!r}")
        self.rnn, self.mode, self.target, self.update_lr = rnn, mode, target, update_lr
        self.U, self.W, self.V = (_frozen(p) for p in (rnn.U, rnn.W, rnn.V))
        self.T = T
        self.n_backward = T if mode == "full" else target + 1
        self.total_steps = T + self.n_backward + (1 if update_lr else 0)
        self._events: list = []
        self._cursor = 0

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

    def forward_steps(self) -> list[ForwardStep]:
        return [e for e in self.events if e.phase == "forward"]

    def backward_steps(self) -> list[BackwardStep]:
        return [e for e in self.events if e.phase == "backward"]

    @property
    def gradients(self) -> Gradients:
        """Gradients accumulated so far (zeros before the backward phase)."""
        for e in reversed(self.events):
            if e.phase in ("backward", "update"):
                return e.gradients
        return _frozen_grads(np.zeros_like(self.U), np.zeros_like(self.W), np.zeros_like(self.V))

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
        H = self.W.shape[0]
        s_prev = self._events[t - 1].s if t else np.zeros(H)
        z = self.U[:, self.x[t]] + self.W @ s_prev  # z_t = U x_t + W s_{t-1}
        s = np.tanh(z)  # s_t = tanh(z_t)
        a = self.V @ s
        o = np.exp(a - a.max())
        o /= o.sum()  # o_t = softmax(V s_t)
        E = float(-np.log(o[self.y[t]]))  # E_t = -log o_t[y_t]
        return ForwardStep(
            t=t,
            x=int(self.x[t]),
            y=int(self.y[t]),
            s_prev=_frozen(s_prev),
            z=_frozen(z),
            s=_frozen(s),
            o=_frozen(o),
            E=E,
        )

    def _backward(self, t: int) -> BackwardStep:
        fw = self._events[t]
        prev = self._events[-1]
        traced = self.mode == "full" or t == self.target
        d_out = fw.o.copy()
        d_out[fw.y] -= 1.0  # dE_t/d(V s_t) = o_t - onehot(y_t)
        d_out *= (1.0 / self.T) if self.mode == "full" else 1.0
        if not traced:
            d_out[:] = 0.0
        error_direct = self.V.T @ d_out  # through o_t
        previous = prev if prev.phase == "backward" else None
        if previous is not None:
            error_carried = self.W.T @ previous.delta  # W^T delta_{t+1}
            dW_before = previous.dW
        else:
            error_carried = np.zeros_like(error_direct)
            dW_before = np.zeros_like(self.W)
        error = error_direct + error_carried
        delta = error * (1.0 - fw.s**2)  # dE/dz_t = dE/ds_t * tanh'(z_t)
        return BackwardStep(
            t=t,
            x=fw.x,
            s=fw.s,
            s_prev=fw.s_prev,
            error_direct=_frozen(error_direct),
            error_carried=_frozen(error_carried),
            error=_frozen(error),
            delta=_frozen(delta),
            d_out=_frozen(d_out),
            dW=_frozen(dW_before + np.outer(delta, fw.s_prev)),  # dW += outer(delta_t, s_{t-1})
            previous=previous,
        )

    def _update(self) -> UpdateStep:
        g = self.gradients
        old = {"U": self.U, "W": self.W, "V": self.V}
        new = {k: _frozen(old[k] - self.update_lr * d) for k, d in g.as_dict().items()}
        return UpdateStep(lr=float(self.update_lr), old=old, new=new, gradients=g)
