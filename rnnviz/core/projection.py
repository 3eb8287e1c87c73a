"""A fixed 2-D view of the hidden-state space: fitted once, then applied to any new state.

H = 2 (or 1): the raw plane (line), untouched. H > 2: PCA, via an SVD of the centred states,
fitted on states from many sequences. The projection never refits while stepping, so a point
keeps its place. Sign convention: each component's entry of largest magnitude is positive (as
scikit-learn's svd_flip), so the same states give the same picture on every machine; `align_to`
flips components to agree with an earlier projection so a refit after training does not mirror it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Projection:
    mean: np.ndarray  # (H,) subtracted before projecting (zeros for the raw plane)
    components: np.ndarray  # (d, H) orthonormal rows, d = min(H, 2): the plot's x and y directions
    explained_variance_ratio: np.ndarray  # (d,) share of the states' total variance along each row
    raw: bool  # True: the hidden units themselves are the axes (H <= 2)

    @property
    def hidden_size(self) -> int:
        return self.mean.shape[0]

    def project(self, states) -> np.ndarray:
        """(..., H) states -> (..., 2) plot coordinates; with H = 1 the second coordinate is 0."""
        s = np.asarray(states, dtype=np.float64)
        if s.ndim == 0 or s.shape[-1] != self.hidden_size:
            raise ValueError(f"states must end in the hidden size {self.hidden_size}, got shape {s.shape}")
        xy = np.zeros(s.shape[:-1] + (2,))  # (..., 2)
        xy[..., : len(self.components)] = (s - self.mean) @ self.components.T
        return xy

    def axis_labels(self) -> tuple[str, str]:
        if self.raw:
            return ("s[0]", "s[1]" if self.hidden_size == 2 else "")
        pct = self.explained_variance_ratio * 100
        return (f"PC1 ({pct[0]:.0f}% of variance)", f"PC2 ({pct[1]:.0f}% of variance)")


def _stack(states) -> np.ndarray:
    """One (N, H) array from an (N, H) array or a list of (T_i, H) arrays (one per sequence)."""
    if isinstance(states, (list, tuple)):
        if not states:
            raise ValueError("no hidden states to fit the projection on")
        states = np.concatenate([np.atleast_2d(np.asarray(s, dtype=np.float64)) for s in states])
    S = np.asarray(states, dtype=np.float64)
    if S.ndim != 2 or S.shape[0] == 0 or S.shape[1] == 0:
        raise ValueError(f"hidden states must form an (N, H) array with N, H >= 1, got shape {S.shape}")
    if not np.all(np.isfinite(S)):
        raise ValueError("hidden states hold NaN or infinity: the model has diverged")
    return S


def _variance_ratio(variances: np.ndarray, total: float) -> np.ndarray:
    return variances / total if total > 0 else np.zeros_like(variances)


def fit_projection(states, align_to: Projection | None = None) -> Projection:
    """The 2-D projection of hidden states `states`: (N, H), or a list of (T_i, H) arrays."""
    S = _stack(states)  # (N, H)
    N, H = S.shape
    total = float(S.var(axis=0).sum())
    if H <= 2:
        return Projection(np.zeros(H), np.eye(H), _variance_ratio(S.var(axis=0), total), raw=True)
    if N < 2:
        raise ValueError("PCA needs hidden states from at least two steps")
    mean = S.mean(axis=0)  # (H,)
    _, sv, Vt = np.linalg.svd(S - mean, full_matrices=False)  # Vt (min(N, H), H), rows orthonormal
    comps = Vt[:2].copy()  # (2, H)
    top = np.argmax(np.abs(comps), axis=1)
    comps *= np.sign(comps[np.arange(2), top])[:, None]  # largest entry positive
    if align_to is not None and align_to.components.shape == comps.shape:
        comps *= np.where(np.sum(comps * align_to.components, axis=1) < 0, -1.0, 1.0)[:, None]
    return Projection(mean, comps, _variance_ratio(sv[:2] ** 2 / N, total), raw=False)
