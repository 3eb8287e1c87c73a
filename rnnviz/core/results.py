"""What the model's computations return: a forward pass, gradients, Jacobian norms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True)
class Forward:
    """What one forward pass computed (fresh arrays, owned by the caller)."""

    z: np.ndarray | None  # (T, H) pre-activations of the vanilla RNN (None for gated cells)
    s: np.ndarray  # (T, H) hidden states s_0..s_{T-1}
    o: np.ndarray  # (T, K) softmax rows
    c: np.ndarray | None = None  # (T, H) LSTM cell states c_0..c_{T-1}
    gates: Mapping[str, np.ndarray] = field(
        default_factory=lambda: EMPTY
    )  # gate letter -> (T, H) gate values (gated cells)
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # what the backward pass needs


class Gradients:
    """Gradients of one loss with respect to every parameter, named 'd' + the parameter's name
    (dU, dW, dV for the vanilla RNN; dU_f, dW_f, db_f, ..., dV for the LSTM). Immutable.

    nonzero_columns: for some gradients of input matrices (name -> token ids), the only columns that
    can be nonzero (a sequence touches the columns of its own tokens only), so norms and optimizer
    steps need not read the other K - T columns, which are exactly zero.
    """

    __slots__ = ("_arrays", "loss", "nonzero_columns")

    def __init__(self, loss: float = float("nan"), nonzero_columns: Mapping | None = None, **arrays):
        for key in arrays:
            if not key.startswith("d"):
                raise TypeError(f"gradient names start with 'd' (dU, dW_f, ...), got {key!r}")
        object.__setattr__(self, "_arrays", dict(arrays))
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "nonzero_columns", MappingProxyType(dict(nonzero_columns or {})))

    def __getattr__(self, key: str) -> np.ndarray:
        try:
            return object.__getattribute__(self, "_arrays")[key]
        except KeyError:
            raise AttributeError(f"no gradient {key!r}; these exist: {', '.join(self._arrays)}") from None

    def __setattr__(self, key, value):
        raise AttributeError("Gradients are immutable: make a new one")

    def __reduce__(self):  # copy and pickle through __init__ (attributes cannot be set afterwards)
        return _gradients, (self.loss, dict(self.nonzero_columns), self._arrays)

    def __repr__(self) -> str:
        return f"Gradients({', '.join(self._arrays)}, loss={self.loss})"

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(self._arrays.values())

    def as_dict(self) -> dict[str, np.ndarray]:
        """Parameter name -> gradient: the same keys as the model's params()."""
        return {key[1:]: a for key, a in self._arrays.items()}

    def squared_norms(self) -> dict[str, float]:
        """Parameter name -> sum of squared entries (only the nonzero columns are read, when known)."""
        out = {}
        for name, a in self.as_dict().items():
            cols = self.nonzero_columns.get(name)
            part = a if cols is None else a[:, cols]  # (H, n): the T columns of a (H, K) gradient
            flat = part.ravel() if part.flags.c_contiguous else np.ascontiguousarray(part).ravel()
            out[name] = float(np.dot(flat, flat))
        return out

    def norm(self) -> float:
        """Global L2 norm over all gradients (what clipping looks at)."""
        return float(np.sqrt(sum(self.squared_norms().values())))

    def scaled(self, factor: float) -> Gradients:
        """Every gradient times factor (fresh arrays)."""
        arrays = {key: a * factor for key, a in self._arrays.items()}
        return Gradients(loss=self.loss, nonzero_columns=self.nonzero_columns, **arrays)


def _gradients(loss, nonzero_columns, arrays) -> Gradients:
    return Gradients(loss=loss, nonzero_columns=nonzero_columns, **arrays)


@dataclass(frozen=True)
class JacobianNorms:
    """Norms of the BPTT Jacobian products, each (T, T) with row t, column k, zero where k > t
    (or, for one row, (t+1,) indexed by k).

    norm[t, k]        = ||d state_t / d state_k||_2 = ||prod_{j=k+1..t} d state_j / d state_{j-1}||_2,
                        state = s (RNN, GRU) or (s, c) (LSTM); for the RNN d s_j/d s_{j-1} = diag(1 - s_j^2) W
    vanilla RNN only (d s_j / d s_{j-1} = diag(f'(z_j)) W, f its activation):
    w_factor[t, k]    = ||W||_2 ** (t - k)                  what W alone allows
    tanh_factor[t, k] = prod_{j=k+1..t} max_i (1 - s_j^2)_i what the tanh slopes allow (f = tanh)
    relu_factor[t, k] = prod_{j=k+1..t} max_i [z_j > 0]_i   what the ReLU slopes allow (f = ReLU): 1 while
                        some unit is active at every step, 0 once every unit of a step is off
                        norm <= w_factor * (tanh_factor or relu_factor) (Pascanu et al. 2013): either
                        factor below 1 makes it vanish; with ReLU the slopes never shrink it gradually.
    LSTM only:
    cell_path[t, k]   = max_i prod_{j=k+1..t} f_j[i]        what the cell-state path alone lets through
    """

    norm: np.ndarray
    w_factor: np.ndarray | None = None
    tanh_factor: np.ndarray | None = None
    cell_path: np.ndarray | None = None
    relu_factor: np.ndarray | None = None

    def as_dict(self) -> dict[str, np.ndarray]:
        """The curves this cell has (name -> array), the norm first."""
        names = ("norm", "w_factor", "tanh_factor", "relu_factor", "cell_path")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}
