"""Central-difference gradient check: the independent witness for every gradient rnnviz shows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.model import Model


@dataclass(frozen=True)
class ParamCheck:
    """Analytic vs numeric gradient of one parameter at the checked entries."""

    name: str
    indices: tuple[tuple[int, ...], ...]
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


def numeric_gradient(f, param: np.ndarray, index: tuple[int, ...], eps: float = 1e-5) -> float:
    """(f(p + eps) - f(p - eps)) / (2 eps) at one entry; the entry is restored afterwards."""
    old = param[index]
    param[index] = old + eps
    plus = f()
    param[index] = old - eps
    minus = f()
    param[index] = old
    return (plus - minus) / (2 * eps)


def gradcheck_iter(rnn: Model, x, y, max_entries: int = 60, eps: float = 1e-5, seed: int = 0):
    """Generator form of `gradcheck`: yields (done, total) after each entry checked, so a caller can
    spread the work over time or show progress; its return value (StopIteration.value) is the result.

    Works on a private copy of the model (any cell), so the caller's parameters are never perturbed meanwhile.
    """
    rnn = rnn.copy()
    grads = rnn.bptt(x, y).as_dict()
    rng = np.random.default_rng(seed)
    plan = {}
    for name, param in rnn.params().items():
        idx = np.argwhere(np.ones(param.shape, dtype=bool))
        if len(idx) > max_entries:  # a random sample, the same for the same seed
            idx = idx[rng.choice(len(idx), max_entries, replace=False)]
        plan[name] = tuple(tuple(int(i) for i in entry) for entry in idx)
    total, done = sum(len(v) for v in plan.values()), 0
    out = {}
    for name, idx in plan.items():
        param = rnn.params()[name]
        numeric = []
        for i in idx:
            numeric.append(numeric_gradient(lambda: rnn.loss(x, y), param, i, eps))
            done += 1
            yield done, total
        analytic = np.array([grads[name][i] for i in idx])
        out[name] = ParamCheck(name=name, indices=idx, analytic=analytic, numeric=np.array(numeric))
    return out


def gradcheck(
    rnn: Model, x, y, max_entries: int = 60, eps: float = 1e-5, seed: int = 0
) -> dict[str, ParamCheck]:
    """Compare rnn.bptt (the exact gradient) with central differences of rnn.loss, on up to
    max_entries entries of each parameter. Returns {name: ParamCheck} with the keys of params()."""
    steps = gradcheck_iter(rnn, x, y, max_entries, eps, seed)
    while True:
        try:
            next(steps)
        except StopIteration as finished:
            return finished.value
