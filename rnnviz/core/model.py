"""The model: any cell (cells/) with the output layer and loss every cell shares, and exact BPTT.

    o_t = softmax(V s_t)                      output distribution (K,)
    E_t = -log o_t[y_t]                       loss at step t (no loss where y_t = -1)
    L   = (1/|M|) sum_{t in M} E_t            M: the steps with a target (|M| = T without masks)

RNN, LSTM and GRU are this one class with different cells (DESIGN.md sections 1, 2 and 6).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnviz.core import backprop
from rnnviz.core.analysis import GradientAnalysis
from rnnviz.core.cells import Cell, GRUCell, LSTMCell, RNNCell, cell_class
from rnnviz.core.cells.base import scaled_to_radius, spectral_radius
from rnnviz.core.results import EMPTY, Forward, Gradients, JacobianNorms
from rnnviz.core.two_norm import two_norm
from rnnviz.core.validate import check_positive_int, check_sequences, check_time_index, loss_steps

__all__ = [
    "Model",
    "RNN",
    "LSTM",
    "GRU",
    "make_model",
    "Forward",
    "Gradients",
    "JacobianNorms",
    "softmax_rows",
    "spectral_radius",
    "spectral_norm",
    "check_time_index",
]


def softmax_rows(a: np.ndarray) -> np.ndarray:
    """Row-wise softmax, computed in place in `a` (which it returns)."""
    a -= a.max(axis=1, keepdims=True)
    np.exp(a, out=a)
    a /= a.sum(axis=1, keepdims=True)
    return a


def spectral_norm(m: np.ndarray) -> float:
    """Largest singular value ||m||_2 (Pascanu et al. 2013 bound the Jacobian products with it; it is
    at least the spectral radius, and equal to it for a normal W: symmetric, or orthogonal times a number)."""
    return float(two_norm(m)) if m.size else 0.0  # np.linalg.norm(m, 2)'s bits, the GIL released


class _Param:
    """A parameter attribute (m.U, m.W_f, ...): reads the live array; assigning converts to float64."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, model, owner=None):
        return self if model is None else model._params[self.name]

    def __set__(self, model, value):
        model._params[self.name] = model._checked(self.name, value, copy=False)


class Model(GradientAnalysis):
    """A recurrent language model over a vocabulary of K tokens with hidden size H."""

    cell_class: type[Cell] = RNNCell

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in cls.cell_class(1, 1).param_shapes():
            setattr(cls, name, _Param(name))

    def __init__(self, vocab_size: int, hidden_size: int, seed: int | np.random.Generator = 0, **options):
        """`options`: the cell's choices (its `option_defaults`), e.g. w_init='orthogonal' for every
        cell, activation='relu' for the vanilla RNN, forget_bias=5.0 for the LSTM."""
        if type(self) is Model:
            raise TypeError("Model is the shared base: use RNN, LSTM, GRU or make_model(cell, ...)")
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        # the cell: names, equations, steps, and the options it was built with
        self.spec = self.cell_class(self.vocab_size, self.hidden_size, **options)
        self._params = self.spec.init_params(rng)

    @property
    def cell(self) -> str:
        """'rnn', 'lstm' or 'gru'."""
        return self.spec.name

    # --- parameters -----------------------------------------------------------------------------

    def params(self) -> dict[str, np.ndarray]:
        """Name -> the live (writable) parameter array, in the order of DESIGN.md section 6."""
        return dict(self._params)

    def _checked(self, name: str, value, copy: bool) -> np.ndarray:
        shape = self.spec._shapes[name]
        if np.shape(value) != shape:
            raise ValueError(f"{name} must have shape {shape}, got {np.shape(value)}")
        try:
            a = np.array(value, dtype=np.float64, order="C", copy=True if copy else None)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{name} must hold numbers ({e})") from None
        return a if a.flags.writeable else a.copy()

    def set_params(self, *arrays, **named) -> None:
        """Replace every parameter (float64 copies). Positional arrays follow params() order
        (RNN: set_params(U, W, V)). A missing or unknown name or a wrong shape raises ValueError
        and changes nothing."""
        names = list(self._params)
        if len(arrays) > len(names):
            raise ValueError(f"{len(arrays)} arrays given; this {self.cell} has {len(names)} parameters")
        given = dict(zip(names, arrays, strict=False))
        for key, value in named.items():
            if key in given:
                raise ValueError(f"{key} given twice")
            given[key] = value
        unknown = sorted(set(given) - set(names))
        missing = [n for n in names if n not in given]
        if unknown or missing:
            what = [f"unknown {', '.join(unknown)}"] if unknown else []
            what += [f"missing {', '.join(missing)}"] if missing else []
            raise ValueError(f"set_params needs exactly {', '.join(names)}: {'; '.join(what)}")
        checked = {n: self._checked(n, given[n], copy=True) for n in names}
        self._params = checked

    def copy(self) -> Model:
        return self._twin({k: v.copy() for k, v in self._params.items()})

    def reading(self, params: dict[str, np.ndarray]) -> Model:
        """A model of this cell and size that reads `params` (the keys of params(), same shapes) as
        they are, without copies: for arrays nothing changes, such as a Stepper's frozen copies, so a
        worker's model of a trace costs no copy. It computes; it is not meant to be trained."""
        if params.keys() != self._params.keys():
            raise ValueError(f"reading needs exactly {', '.join(self._params)}")
        for name, value in params.items():
            if np.shape(value) != self._params[name].shape or np.asarray(value).dtype != np.float64:
                raise ValueError(f"{name} must be float64 of shape {self._params[name].shape}")
        return self._twin(dict(params))

    def _twin(self, params: dict[str, np.ndarray]) -> Model:
        twin = type(self).__new__(type(self))
        twin.vocab_size, twin.hidden_size, twin.spec = self.vocab_size, self.hidden_size, self.spec
        twin._params = params
        return twin

    # --- forward ----------------------------------------------------------------------------------

    def _run(self, x: np.ndarray):
        """(prep, cache, o): the recurrence over x, then every output o_t = softmax(V s_t) at once."""
        prep = self.spec.prepare(self._params)
        cache = self.spec.forward_sequence(prep, x)
        return prep, cache, outputs(cache["s"], self.V)

    def forward(self, x) -> Forward:
        x = check_sequences(x, None, self.vocab_size)
        _, cache, o = self._run(x)
        gated = bool(self.spec.gates)
        return Forward(
            z=None if gated else cache["pre"],
            s=cache["s"],
            o=o,
            c=cache.get("c"),
            gates=self.spec.gate_dict(cache["act"]) if gated else EMPTY,
            cache=cache,
        )

    def _targets(self, x, y):
        return check_sequences(x, y, self.vocab_size, masked_ok=True)

    def step_losses(self, x, y) -> np.ndarray:
        """(T,) the per-step losses E_t = -log o_t[y_t]; 0 where y_t = -1 (no target)."""
        x, y = self._targets(x, y)
        return step_losses_of(self._run(x)[2], y)

    def loss(self, x, y) -> float:
        """L = (1/|M|) sum over the steps with a target of E_t (the mean cross-entropy)."""
        x, y = self._targets(x, y)
        n = loss_steps(y)
        return float(step_losses_of(self._run(x)[2], y).sum() / n)

    # --- backward ---------------------------------------------------------------------------------

    def bptt(
        self,
        x,
        y,
        truncate: int | None = None,
        *,
        workspace: backprop.Workspace | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Gradients | None:
        """Exact gradient of loss(x, y); with truncate=K the gradient of each E_t keeps only the
        terms of steps t-K..t (still divided by |M|). With a workspace (the Trainer's), the large
        arrays are reused: the result is valid until the next call with that workspace.
        `should_stop()`, asked between the stages (a few ms each at the largest sizes), ends the
        work early: None is returned and nothing outside the workspace has changed."""
        x, y = self._targets(x, y)
        if truncate is not None:
            truncate = check_positive_int("truncate", truncate, allow_zero=True)
        stopped = should_stop or (lambda: False)
        n, T = loss_steps(y), len(x)
        prep = self.spec.prepare(self._params)
        cache = self.spec.forward_sequence(prep, x)
        if stopped():
            return None
        out = None if workspace is None else workspace.empty("o", (T, self.vocab_size))
        o = outputs(cache["s"], self.V, out)  # (T, K)
        self.spec.backward_factors(prep, cache)
        loss = float(step_losses_of(o, y).sum() / n)
        d_out = backprop.output_errors(o, y, n)  # (T, K) (o_t - onehot(y_t)) / |M|, in place in o
        if stopped():
            return None
        out = None if workspace is None else workspace.empty("dV", self.V.shape)
        dV = np.matmul(d_out.T, cache["s"], out=out)  # (K, H) dL/dV = sum_t d_out_t s_t^T
        if stopped():
            return None
        ds_direct = d_out @ self.V  # (T, H) dL/ds_t through o_t only
        if stopped():
            return None
        if truncate is None or truncate >= T - 1:
            da = backprop.full_backward(self.spec, prep, cache, ds_direct)
            dW = backprop.full_weight_grads(self.spec, cache, da)
        else:
            sums = backprop.truncated_sums(self.spec, prep, cache, ds_direct, truncate, stopped)
            if sums is None:
                return None
            da, dW = sums
        if stopped():
            return None
        return backprop.assemble(self.spec, x, da, dW, dV, loss, workspace)


def outputs(s: np.ndarray, V: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """(T, K) every o_t = softmax(V s_t) of the states s (T, H), all rows in one matmul."""
    return softmax_rows(np.matmul(s, V.T, out=out))


def step_losses_of(o: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(T,) -log o_t[y_t], 0 where y_t = -1."""
    mask = y >= 0
    with np.errstate(divide="ignore"):  # o_t[y_t] = 0 (underflow): E_t = +inf, shown as it is
        E = -np.log(o[np.arange(len(y)), np.where(mask, y, 0)])
    if not mask.all():
        E[~mask] = 0.0
    return E


class RNN(Model):
    """The vanilla RNN: parameters U (H, K), W (H, H), V (K, H) and no biases (DESIGN.md section 1)."""

    cell_class = RNNCell

    def spectral_radius(self) -> float:
        return spectral_radius(self.W)

    def spectral_norm(self) -> float:
        """||W||_2, the largest singular value of W (>= the spectral radius)."""
        return spectral_norm(self.W)

    def set_spectral_radius(self, rho: float) -> None:
        """Rescale W so its largest |eigenvalue| is rho: below 1 gradients tend to vanish,
        well above 1 they tend to explode."""
        rho = float(rho)
        if not np.isfinite(rho) or rho < 0:
            raise ValueError(f"spectral radius must be a finite number >= 0, got {rho}")
        self.W = scaled_to_radius(self.W, rho)

    def deltas(self, x, y) -> np.ndarray:
        """(T, T, H): deltas[t, k] = delta_k^(t) = dE_t/dz_k (zero where k > t). E_t not divided by T.
        Holds O(T^2 H) numbers: for teaching and tests; contributions() does not need it."""
        prep, cache, ds_direct = self._direct_errors(x, y)
        T, H = ds_direct.shape
        out = np.zeros((T, T, H))

        def keep(d, da):
            out[np.arange(d, T), np.arange(T - d)] = da

        backprop.diagonals(self.spec, prep, cache, ds_direct, T - 1, keep)
        return out

    def contribution_terms(self, x, y, t: int) -> np.ndarray:
        """(t+1, H, H): term k = outer(delta_k^(t), s_{k-1}); their sum is dE_t/dW (not divided by T)."""
        x, y = self._targets(x, y)
        t = check_time_index(t, len(x))
        prep, cache, ds_direct = self._direct_errors(x, y)
        d = np.zeros((t + 1, self.hidden_size))  # (t+1, H) delta_k^(t)

        def keep(dist, da):
            if dist <= t:
                d[t - dist] = da[t - dist]

        backprop.diagonals(self.spec, prep, cache, ds_direct, t, keep)
        return d[:, :, None] * cache["s_prev"][: t + 1][:, None, :]

    def jacobian_row(self, x, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row t of jacobian_norms: (norm, w_factor, the activation's factor: tanh_factor or, for a
        ReLU RNN, relu_factor), each (t+1,) indexed by k."""
        J = self.jacobian_norms_row(x, t)
        return J.norm, J.w_factor, J.tanh_factor if J.relu_factor is None else J.relu_factor


class LSTM(Model):
    """The LSTM of DESIGN.md section 6 (U_f W_f b_f ... U_q W_q b_q, V)."""

    cell_class = LSTMCell


class GRU(Model):
    """The GRU of DESIGN.md section 6 (U_u W_u b_u ... U_h W_h b_h, V)."""

    cell_class = GRUCell


MODELS: dict[str, type[Model]] = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def make_model(
    cell: str, vocab_size: int, hidden_size: int, seed: int | np.random.Generator = 0, **options
) -> Model:
    """make_model("lstm", vocab_size=K, hidden_size=H, seed=0) equals LSTM(K, H, seed=0); options go
    to the cell (e.g. make_model("rnn", K, H, activation="relu", w_init="identity"))."""
    cell_class(cell)  # a clear ValueError for an unknown name
    return MODELS[cell](vocab_size, hidden_size, seed=seed, **options)
