"""Pascanu et al.'s one-unit cliff: BPTT gradients against central differences and the complex
step, the wall where the paper draws it, the surface, and SGD with and without norm clipping."""

import cmath

import numpy as np
import pytest

from rnnviz.core import cliff

POINTS = [(1.0, 0.0), (-2.0, 1.5), (3.0, -1.0), (4.5, -2.6), (6.0, -3.0), (5.0, -2.0)]
NEAR_THE_WALL = [(4.8196, -2.5), (4.819, -2.5), (4.82, -2.5), (4.658, -2.4), (5.3015, -2.8)]


def error_by_hand(w, b):
    """E written out again, step by step, in plain (complex-capable) Python: the independent witness."""
    x = 0.5
    for _ in range(50):
        x = w / (1 + cmath.exp(-x)) + b
    return (1 / (1 + cmath.exp(-x)) - 0.7) ** 2


def central(f, w, b, h):
    return (f(w + h, b) - f(w - h, b)) / (2 * h), (f(w, b + h) - f(w, b - h)) / (2 * h)


@pytest.mark.parametrize("w, b", POINTS + NEAR_THE_WALL)
def test_bptt_equals_the_complex_step_derivative(w, b):
    g = cliff.loss_and_grad(w, b)
    h = 1e-30  # f(θ + ih).imag / h has no cancellation: exact to rounding, even on the wall
    assert float(g.E) == pytest.approx(error_by_hand(w, b).real, rel=1e-12)
    assert float(g.dw) == pytest.approx(error_by_hand(complex(w, h), b).imag / h, rel=1e-9, abs=1e-14)
    assert float(g.db) == pytest.approx(error_by_hand(w, complex(b, h)).imag / h, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize("w, b", POINTS)
def test_bptt_equals_central_differences(w, b):
    g = cliff.loss_and_grad(w, b)
    dw, db = central(cliff.loss, w, b, 1e-6)
    assert float(g.dw) == pytest.approx(float(dw), rel=1e-7, abs=1e-10)
    assert float(g.db) == pytest.approx(float(db), rel=1e-7, abs=1e-10)


@pytest.mark.parametrize("w, b", NEAR_THE_WALL)
def test_central_differences_converge_to_bptt_on_the_wall(w, b):
    """On the wall E is so curved that differences need a tiny h: the error falls as h^2."""
    g = cliff.loss_and_grad(w, b)
    errors = [abs(central(cliff.loss, w, b, h)[0] - g.dw) / abs(g.dw) for h in (1e-6, 1e-7)]
    assert errors[1] < 1e-4 and errors[1] < errors[0] / 30


def test_arrays_broadcast_and_agree_with_single_points():
    w = np.array([1.0, 4.7, 5.5])
    b = np.array([[-2.0], [-2.43]])  # (2, 1) x (3,) -> (2, 3)
    g = cliff.loss_and_grad(w, b)
    assert g.E.shape == g.dw.shape == g.db.shape == (2, 3)
    for i, j in np.ndindex(2, 3):
        one = cliff.loss_and_grad(w[j], b[i, 0])
        assert (g.E[i, j], g.dw[i, j], g.db[i, j]) == (float(one.E), float(one.dw), float(one.db))


def test_loss_surface_rows_are_b_and_columns_are_w():
    ws, bs = np.linspace(3, 6, 7), np.linspace(-4, -1, 5)
    E = cliff.loss_surface(ws, bs)
    assert E.shape == (5, 7)
    assert E[3, 2] == pytest.approx(error_by_hand(ws[2], bs[3]).real, rel=1e-12)
    with pytest.raises(ValueError, match="1-D"):
        cliff.loss_surface([], bs)
    with pytest.raises(ValueError, match="finite"):
        cliff.loss(np.nan, 0.0)


def test_on_the_wall_line_the_state_never_moves():
    for w in (3.0, 4.5, 5.0, 6.0):
        assert np.allclose(cliff.states(w, cliff.wall_b(w)), 0.5, atol=1e-12)
    assert cliff.WALL_STARTS_AT_W == pytest.approx(4.2553, abs=1e-4)


def test_the_wall_is_where_the_paper_draws_it():
    """Along b = -2.5 the error falls off a cliff at w = 4.82 (the line predicts 4.8196), with
    |dE/dw| in the hundreds there; on a 0.01 grid, as a figure would sample it, the steepest point
    is at w = 4.69, b = -2.42 with |dE/dw| = 231."""
    w = np.linspace(4.0, 6.0, 200_001)  # steps of 1e-5
    g = cliff.loss_and_grad(w, -2.5)
    j = int(np.argmax(np.abs(g.dw)))
    assert 4.81 < w[j] < 4.83 and abs(w[j] - (0.5 + 2.5) / cliff.sigmoid(0.5)) < 1e-3
    assert 500 < abs(g.dw[j]) < 2000
    assert g.E[j - 1000] > 0.3 and g.E[j + 1000] < 0.01  # 0.01 either side: high plateau, then low
    ws, bs = np.linspace(3, 6, 301), np.linspace(-4, -1, 301)
    grid = cliff.loss_and_grad(ws[None, :], bs[:, None])
    i, k = np.unravel_index(np.argmax(np.abs(grid.dw)), grid.dw.shape)
    assert (ws[k], bs[i]) == pytest.approx((4.69, -2.42)) and 100 < abs(grid.dw[i, k]) < 1000


def test_no_wall_before_the_fixed_point_repels():
    w = np.linspace(2.0, 4.0, 2001)
    g = cliff.loss_and_grad(w, cliff.wall_b(w) + np.linspace(-0.01, 0.01, 5)[:, None])
    assert np.max(np.abs(g.dw)) < 10


def test_clip_norm_is_algorithm_1():
    g = np.array([3.0, 4.0])
    assert cliff.clip_norm(g, 5.0) is g and cliff.clip_norm(g, None) is g
    c = cliff.clip_norm(g, 1.0)
    assert np.linalg.norm(c) == pytest.approx(1.0) and np.allclose(c / np.linalg.norm(c), g / 5)


def test_sgd_follows_the_gradient_step_by_step():
    path = cliff.sgd(4.0, -2.6, lr=0.1, n_steps=3)
    assert path.w.shape == path.b.shape == path.E.shape == (4,) and path.grad_norm.shape == (3,)
    for t in range(3):
        g = cliff.loss_and_grad(path.w[t], path.b[t])
        assert path.w[t + 1] == pytest.approx(path.w[t] - 0.1 * float(g.dw), rel=1e-14)
        assert path.b[t + 1] == pytest.approx(path.b[t] - 0.1 * float(g.db), rel=1e-14)
        assert path.grad_norm[t] == pytest.approx(np.hypot(g.dw, g.db))
        assert path.E[t] == pytest.approx(float(g.E))


def test_clipping_keeps_sgd_from_being_thrown_off_the_wall():
    """From (4.5, -2.6) with lr 0.5 the unclipped step at the wall is 6.9 long and lands at E = 0.09;
    clipped at 1, no step is longer than lr and the descent ends near E = 0."""
    free = cliff.sgd(4.5, -2.6, lr=0.5, n_steps=60)
    clipped = cliff.sgd(4.5, -2.6, lr=0.5, n_steps=60, clip=1.0)
    free_steps = np.hypot(np.diff(free.w), np.diff(free.b))
    clipped_steps = np.hypot(np.diff(clipped.w), np.diff(clipped.b))
    assert free_steps.max() > 5 and not free.clipped.any()
    assert clipped_steps.max() <= 0.5 + 1e-12
    assert np.array_equal(clipped.clipped, clipped.grad_norm > 1.0) and clipped.clipped.any()
    assert clipped.E[-1] < 0.01 < free.E[-1]


def test_sgd_refuses_bad_settings():
    with pytest.raises(ValueError, match="learning rate"):
        cliff.sgd(4.0, -2.0, lr=0.0, n_steps=5)
    with pytest.raises(ValueError, match="clipping threshold"):
        cliff.sgd(4.0, -2.0, lr=0.1, n_steps=5, clip=-1.0)
    with pytest.raises(ValueError, match="n_steps"):
        cliff.sgd(4.0, -2.0, lr=0.1, n_steps=-1)
