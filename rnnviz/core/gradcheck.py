"""Central-difference gradient check: the independent witness for every gradient rnnviz shows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.model import RNN


@dataclass(frozen=True)
class ParamCheck:
    """Analytic vs numeric gradient of one parameter at the checked entries."""

    name: str
    indices: tuple[tuple[int, int], ...]
    analytic: np.ndarray  # (n,)
    numeric: np.ndarray  # (n,)

    @property
    def max_abs_error(self) -> float:
        return float(np.max(np.abs(self.analytic - self.numeric)))

    @property
    def scaled_error(self) -> float:
        """max |a - n| relative to the largest gradient entry checked: robust for tiny entries."""
        scale = max(float(np.max(np.abs(self.analytic))), float(np.max(np.abs(self.numeric))), 1e-12)
        return self.max_abs_error / scale

    @property
    def max_rel_error(self) -> float:
        """max |a - n| / max(|a| + |n|, tiny): the usual scale-free comparison."""
        denom = np.maximum(np.abs(self.analytic) + np.abs(self.numeric), 1e-12)
        return float(np.max(np.abs(self.analytic - self.numeric) / denom))


def numeric_gradient(f, param: np.ndarray, index: tuple[int, int], eps: float = 1e-5) -> float:
    """(f(p + eps) - f(p - eps)) / (2 eps) at one entry; the entry is restored afterwards."""
    old = param[index]
    param[index] = old + eps
    plus = f()
    param[index] = old - eps
    minus = f()
    param[index] = old
    return (plus - minus) / (2 * eps)


def gradcheck(
    rnn: RNN,
    x,
    y,
    truncate: int | None = None,
    max_entries: int = 60,
    eps: float = 1e-5,
    seed: int = 0,
) -> dict[str, ParamCheck]:
    """Compare rnn.bptt with central differences of rnn.loss on up to max_entries per parameter.

    With truncate set, the numeric side differentiates the truncated objective: it cannot, so
    truncate is only compared against the exact gradient when truncate >= T - 1.
    """
    grads = rnn.bptt(x, y, truncate=truncate).as_dict()
    rng = np.random.default_rng(seed)
    out = {}
    for name, param in rnn.params().items():
        all_idx = np.argwhere(np.ones(param.shape, dtype=bool))
        if len(all_idx) > max_entries:
            all_idx = all_idx[rng.choice(len(all_idx), max_entries, replace=False)]
        idx = tuple((int(i), int(j)) for i, j in all_idx)
        numeric = np.array([numeric_gradient(lambda: rnn.loss(x, y), param, i, eps) for i in idx])
        analytic = np.array([grads[name][i] for i in idx])
        out[name] = ParamCheck(name=name, indices=idx, analytic=analytic, numeric=numeric)
    return out
