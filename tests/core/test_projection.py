"""The hidden-state projection: PCA checked against the covariance's eigenvectors, the raw plane
for H <= 2, a sign convention that does not depend on row order, and fixed once fitted."""

import numpy as np
import pytest

from rnnviz.core import RNN
from rnnviz.core.projection import fit_projection


def states(seed, N=400, H=6):
    rng = np.random.default_rng(seed)
    scales = np.array([3.0, 2.0, 1.0, 0.5, 0.2, 0.1][:H])
    return rng.normal(size=(N, H)) * scales @ np.linalg.qr(rng.normal(size=(H, H)))[0] + rng.normal(size=H)


@pytest.mark.parametrize("seed, H", [(0, 3), (1, 6), (2, 5)])
def test_pca_components_are_the_top_covariance_eigenvectors(seed, H):
    S = states(seed, H=H)
    p = fit_projection(S)
    assert not p.raw and p.components.shape == (2, H)
    assert np.allclose(p.components @ p.components.T, np.eye(2), atol=1e-12)  # orthonormal
    vals, vecs = np.linalg.eigh(np.cov(S.T, bias=True))  # ascending
    for i in range(2):
        assert abs(p.components[i] @ vecs[:, -1 - i]) == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(p.explained_variance_ratio, vals[::-1][:2] / vals.sum())
    xy = p.project(S)
    assert np.allclose(xy.mean(0), 0, atol=1e-12)
    assert np.allclose(xy.var(0) / S.var(0).sum(), p.explained_variance_ratio)


def test_states_in_a_plane_are_explained_fully_and_rebuilt_exactly():
    rng = np.random.default_rng(3)
    basis = np.linalg.qr(rng.normal(size=(7, 2)))[0].T  # (2, 7)
    S = rng.normal(size=(50, 2)) @ basis + 0.3
    p = fit_projection(S)
    assert p.explained_variance_ratio.sum() == pytest.approx(1.0)
    assert np.allclose(p.project(S) @ p.components + p.mean, S)


def test_sign_convention_largest_entry_positive_and_row_order_free():
    S = states(4)
    p = fit_projection(S)
    top = np.argmax(np.abs(p.components), axis=1)
    assert np.all(p.components[[0, 1], top] > 0)
    shuffled = fit_projection(S[np.random.default_rng(5).permutation(len(S))])
    assert np.allclose(shuffled.components, p.components, atol=1e-10)
    assert np.allclose(fit_projection(-S).components, p.components, atol=1e-10)  # same axes, mirrored data


def plane_data(first_axis, seed):
    """States spread 3 along `first_axis` (normalised) and 1 along the third hidden unit."""
    rng = np.random.default_rng(seed)
    u = np.asarray(first_axis, dtype=float) / np.linalg.norm(first_axis)
    return np.outer(rng.normal(size=200) * 3, u) + np.outer(rng.normal(size=200), [0.0, 0.0, 1.0])


def test_align_to_keeps_a_refit_from_mirroring_the_picture():
    before = fit_projection(plane_data([0.71, -0.70, 0.0], seed=6))  # largest entry first: kept +
    drifted = plane_data([0.70, -0.71, 0.0], seed=7)  # after training: largest entry second
    convention_only = fit_projection(drifted)
    assert convention_only.components[0] @ before.components[0] < -0.9  # the picture would mirror
    aligned = fit_projection(drifted, align_to=before)
    assert np.all(np.sum(aligned.components * before.components, axis=1) > 0.9)
    assert np.allclose(np.abs(aligned.components), np.abs(convention_only.components))


def test_raw_plane_for_two_hidden_units_and_a_line_for_one():
    S = states(7, H=2)
    p = fit_projection(S)
    assert p.raw and np.array_equal(p.components, np.eye(2)) and np.array_equal(p.project(S), S)
    assert p.axis_labels() == ("s[0]", "s[1]")
    assert p.explained_variance_ratio == pytest.approx(S.var(0) / S.var(0).sum())
    line = fit_projection(np.array([[0.1], [0.5], [-0.2]]))
    assert np.array_equal(line.project([[0.3], [-0.4]]), [[0.3, 0.0], [-0.4, 0.0]])


def test_fitted_once_then_fixed_for_new_states():
    rnn = RNN(vocab_size=4, hidden_size=8, seed=0)
    rng = np.random.default_rng(8)
    training = [rnn.forward(rng.integers(0, 4, 12)).s for _ in range(30)]  # states of 30 sequences
    p = fit_projection(training)
    assert np.allclose(p.components, fit_projection(np.concatenate(training)).components)
    new = rnn.forward(rng.integers(0, 4, 10)).s  # (10, 8)
    xy = p.project(new)
    assert xy.shape == (10, 2)
    for t in range(10):  # point t lands where it lands whatever else is projected with it
        assert np.allclose(p.project(new[: t + 1])[t], xy[t]) and np.allclose(p.project(new[t]), xy[t])
    assert p.axis_labels()[0].startswith("PC1 (")


def test_bad_states_are_refused():
    with pytest.raises(ValueError, match="no hidden states"):
        fit_projection([])
    with pytest.raises(ValueError, match=r"\(N, H\)"):
        fit_projection(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="NaN"):
        fit_projection(np.array([[0.0, np.nan, 1.0], [1.0, 2.0, 3.0]]))
    with pytest.raises(ValueError, match="at least two"):
        fit_projection(np.zeros((1, 5)))
    with pytest.raises(ValueError, match="hidden size 6"):
        fit_projection(states(9)).project(np.zeros((3, 5)))
