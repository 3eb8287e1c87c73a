"""The frozen events a Stepper returns: one forward step, one backward step, the optional update.

Events hold read-only copies of vectors only (O(H + K) each). What accumulates over many steps is
rebuilt from the chain of backward events, in the order the steps were taken, so the numbers are
the same however often they are asked for: dU_*, dV when asked; dW_* (sums of outer products) as
the Stepper goes, keeping the last few sums and a checkpoint every ~sqrt(T) steps. A trace of T
steps holds O(T (H + K) + sqrt(T) H^2) numbers, not O(T H^2).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from rnnviz.core.cells import Cell, param_name
from rnnviz.core.results import EMPTY, Gradients


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy: events never share memory with anything that changes."""
    c = np.array(a, dtype=np.float64, copy=True)
    c.flags.writeable = False
    return c


def frozen_gradients(arrays: dict[str, np.ndarray], nonzero_columns=None) -> Gradients:
    """Gradients (keys as params()) with read-only copies of the arrays."""
    return Gradients(nonzero_columns=nonzero_columns, **{"d" + k: frozen(v) for k, v in arrays.items()})


def frozen_map(d: dict) -> Mapping:
    return MappingProxyType({k: frozen(v) for k, v in d.items()})


@dataclass(frozen=True)
class ForwardStep:
    """Forward step t: the cell's equations, then o_t = softmax(V s_t) and E_t = -log o_t[y_t]."""

    t: int
    x: int  # input token id x_t
    y: int  # target token id y_t (-1: no target, no loss)
    s_prev: np.ndarray  # (H,) s_{t-1}
    z: np.ndarray | None  # (H,) z_t = U x_t + W s_{t-1} (vanilla RNN; None for gated cells)
    s: np.ndarray  # (H,)
    o: np.ndarray  # (K,)
    E: float  # -log o_t[y_t]; 0 where there is no target
    gates: Mapping[str, np.ndarray] = field(default_factory=lambda: EMPTY)  # letter -> (H,) gate values
    pre: Mapping[str, np.ndarray] = field(default_factory=lambda: EMPTY)  # letter -> (H,) pre-activation
    c: np.ndarray | None = None  # (H,) LSTM cell state c_t
    c_prev: np.ndarray | None = None  # (H,) c_{t-1}
    phase: str = "forward"


class Trace:
    """What the backward events of one Stepper share: the cell, the recurrent inputs r_k of every
    block, and some sums of weight gradients so far: the last few asked for, and a checkpoint every
    `stride` steps (stride ~ sqrt(T)), so any event's sum costs at most `stride` outer products and
    the trace holds O(sqrt(T) H^2) numbers for them, not O(T H^2)."""

    def __init__(self, spec: Cell, cache: dict, recent: int = 4):
        self.spec = spec
        self.r = {}  # block -> (T, H) its recurrent input r_k (s_{k-1}, or r_k * s_{k-1})
        for cols, r in spec.weight_groups(cache):
            for b in spec.stack:
                if cols.start <= spec.cols[b].start < cols.stop:
                    self.r[b] = r
        T = len(cache["s"])
        self.stride = max(8, int(np.ceil(np.sqrt(T))))
        self._recent: OrderedDict[int, tuple] = OrderedDict()  # id(event) -> (event, sums, position)
        self._checkpoints: dict[int, tuple] = {}
        self._n_recent = recent

    def _stored(self, ev):
        return self._checkpoints.get(id(ev)) or self._recent.get(id(ev))

    def w_grads(self, ev: BackwardStep) -> dict[str, np.ndarray]:
        """W_b name -> sum of outer(delta_k[b], r_k[b]) over the chain up to ev (read-only copies)."""
        return {k: frozen(v) for k, v in self.sums(ev).items()}

    def sums(self, ev: BackwardStep) -> dict[str, np.ndarray]:
        """The sums up to ev, added oldest first (so the numbers are the same whichever way they
        are reached), starting from the nearest stored sum. Stored arrays are never modified."""
        chain = []
        while ev is not None and self._stored(ev) is None:
            chain.append(ev)
            ev = ev.previous
        if ev is None:
            H = self.spec.H
            acc, position = {param_name("W", b): np.zeros((H, H)) for b in self.spec.blocks}, -1
        else:
            _, acc, position = self._stored(ev)
        for e in reversed(chain):
            acc = {
                param_name("W", b): acc[param_name("W", b)] + np.outer(e.deltas[b], self.r[b][e.t])
                for b in self.spec.blocks
            }  # dW_b += outer(da_t[b], r_t[b]), in a new array
            position += 1
            self._remember(e, acc, position)
        return acc

    def _remember(self, ev, acc, position: int) -> None:
        entry = (ev, acc, position)  # ev kept alive: ids stay unique while stored
        if position % self.stride == 0:
            self._checkpoints[id(ev)] = entry
            return
        self._recent[id(ev)] = entry
        while len(self._recent) > self._n_recent:
            self._recent.popitem(last=False)


@dataclass(frozen=True)
class BackwardStep:
    """Backward step at t: the error arriving at the state of step t and the gradient it adds."""

    t: int
    x: int
    s: np.ndarray  # (H,) s_t
    s_prev: np.ndarray  # (H,) s_{t-1}
    error_direct: np.ndarray  # (H,) from E_t through o_t (zero if E_t is not traced or has no target)
    error_carried: np.ndarray  # (H,) what the steps after t send back to s_t (RNN: W^T delta_{t+1})
    error: np.ndarray  # (H,) dE/ds_t = direct + carried
    delta: np.ndarray  # (nB*H,) dE/da_t: RNN dE/dz_t (H,); gated cells every block (see `deltas`)
    d_out: np.ndarray  # (K,) dE/d(V s_t) = (o_t - y_t) (divided by |M| in full mode; 0 if not traced)
    trace: Trace = field(repr=False, compare=False)
    previous: BackwardStep | None = field(default=None, repr=False, compare=False)
    gates: Mapping[str, np.ndarray] = field(default_factory=lambda: EMPTY)  # letter -> (H,) at step t
    c: np.ndarray | None = None  # (H,) LSTM c_t
    error_c: np.ndarray | None = None  # (H,) LSTM dE/dc_t: carried along c plus through s_t
    error_c_carried: np.ndarray | None = None  # (H,) LSTM dE/dc_t from c_{t+1} alone
    phase: str = "backward"

    @property
    def deltas(self) -> dict[str, np.ndarray]:
        """Block letter -> (H,) dE/d(pre-activation) ('' for the vanilla RNN's z_t)."""
        return {b: self.delta[c] for b, c in self.trace.spec.cols.items()}

    @property
    def w_grads(self) -> dict[str, np.ndarray]:
        """W_b name -> (H, H) its gradient accumulated so far, this step included."""
        return self.trace.w_grads(self)

    @property
    def dW(self) -> np.ndarray | None:
        """(H, H) dW accumulated so far, this step included (vanilla RNN; gated cells: w_grads)."""
        return self.w_grads.get("W")

    @property
    def step_terms(self) -> dict[str, np.ndarray]:
        """Parameter name -> what this step adds to its gradient."""
        spec, K, H = self.trace.spec, self.trace.spec.K, self.trace.spec.H
        out = {}
        for b, d in self.deltas.items():
            U = np.zeros((H, K))
            U[:, self.x] = d  # the one-hot x_t picks the column
            out[param_name("U", b)] = U
            out[param_name("W", b)] = np.outer(d, self.trace.r[b][self.t])
            if spec.has_bias:
                out[param_name("b", b)] = d.copy()
        out["V"] = np.outer(self.d_out, self.s)
        return out

    @property
    def dW_step(self) -> np.ndarray:
        """(H, H) outer(delta_t, s_{t-1}): step t's term of dE/dW (vanilla RNN)."""
        return np.outer(self.delta, self.s_prev)

    @property
    def dV_step(self) -> np.ndarray:
        """(K, H) outer(d_out, s_t): what this step adds to dV."""
        return np.outer(self.d_out, self.s)

    @property
    def dU_step(self) -> np.ndarray:
        """(H, K) the gradient this step adds to U: delta_t in column x_t (vanilla RNN)."""
        out = np.zeros((len(self.delta), len(self.d_out)))
        out[:, self.x] = self.delta
        return out

    @property
    def gradients(self) -> Gradients:
        """Every gradient accumulated over the backward steps so far (fresh read-only arrays)."""
        steps = []
        ev = self
        while ev is not None:
            steps.append(ev)
            ev = ev.previous
        spec, xs = self.trace.spec, [e.x for e in steps]
        dUt = np.zeros((spec.K, len(self.delta)))  # (K, nB*H) row x_k gets delta_k
        deltas = np.array([e.delta for e in steps])  # (n, nB*H)
        np.add.at(dUt, xs, deltas)
        d_out = np.array([e.d_out for e in steps])  # (n, K)
        s = np.array([e.s for e in steps])  # (n, H)
        w = self.w_grads
        arrays = {}
        for b in spec.blocks:
            arrays[param_name("U", b)] = dUt[:, spec.cols[b]].T
            arrays[param_name("W", b)] = w[param_name("W", b)]
            if spec.has_bias:
                arrays[param_name("b", b)] = deltas[:, spec.cols[b]].sum(axis=0)
        arrays["V"] = d_out.T @ s
        touched = np.unique(xs)
        return frozen_gradients(arrays, {param_name("U", b): touched for b in spec.blocks})


@dataclass(frozen=True)
class UpdateStep:
    """The optional final SGD step: param -= lr * grad."""

    lr: float
    old: dict  # name -> read-only copy of the parameter before
    new: dict  # name -> read-only copy after
    gradients: Gradients
    phase: str = "update"
