"""The exploding-gradient cliff of Pascanu, Mikolov & Bengio (2013), section 3 and figure 6.

One recurrent unit with a weight w and a bias b, run for 50 steps from x_0 = 0.5:

    x_t = w σ(x_{t-1}) + b            t = 1..50        σ the logistic sigmoid
    E   = (σ(x_50) - 0.7)^2

BPTT, with δ_t = dE/dx_t:

    δ_50    = 2 (σ(x_50) - 0.7) σ'(x_50)            σ'(x) = σ(x) (1 - σ(x))
    δ_{t-1} = δ_t w σ'(x_{t-1})                     the factor that vanishes or explodes
    dE/dw   = Σ_{t=1..50} δ_t σ(x_{t-1})
    dE/db   = Σ_{t=1..50} δ_t

Where the wall is: on the line b = x_0 - w σ(x_0) (= 0.5 - 0.6225 w), x_0 is a fixed point of the map
x -> w σ(x) + b, so x_t = 0.5 for every t. It repels when its slope w σ'(x_0) = 0.235 w exceeds 1, i.e.
for w > 1/σ'(0.5) ≈ 4.26: there the map is bistable and a tiny change of (w, b) sends x_50 to one
attractor or the other, so E jumps across the line. That jump is the wall; its steepness grows like
(0.235 w)^50 (about 400 at w = 4.8, 10^6 at w = 5.6), so it gets thinner and steeper with w.
All functions take scalars or arrays of w and b (broadcast together) and work element-wise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.validate import check_positive_int

STEPS, X0, TARGET = 50, 0.5, 0.7  # the paper's setting


def sigmoid(x):
    """1 / (1 + e^-x), written with tanh so that no exponential overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _params(w, b) -> tuple[np.ndarray, np.ndarray]:
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
        raise ValueError("w and b must be finite numbers")
    return w, b


def states(w, b, steps: int = STEPS) -> np.ndarray:
    """x_0..x_steps: shape (steps + 1, *broadcast shape of w and b)."""
    w, b = _params(w, b)
    xs = np.empty((check_positive_int("steps", steps) + 1,) + w.shape)  # (steps+1, ...)
    xs[0] = X0
    for t in range(1, steps + 1):
        xs[t] = w * sigmoid(xs[t - 1]) + b
    return xs


def loss(w, b, steps: int = STEPS):
    """E = (σ(x_steps) - 0.7)^2, element-wise over w and b."""
    return (sigmoid(states(w, b, steps)[-1]) - TARGET) ** 2


@dataclass(frozen=True)
class CliffGradient:
    E: np.ndarray  # the error
    dw: np.ndarray  # dE/dw
    db: np.ndarray  # dE/db


def loss_and_grad(w, b, steps: int = STEPS) -> CliffGradient:
    """E, dE/dw and dE/db by backpropagation through time (equations in the module docstring)."""
    w, b = _params(w, b)
    xs = states(w, b, steps)  # (steps+1, ...)
    sig = sigmoid(xs)  # σ(x_t)
    dsig = sig * (1.0 - sig)  # σ'(x_t)
    delta = 2.0 * (sig[-1] - TARGET) * dsig[-1]  # δ_steps
    dw, db = np.zeros(w.shape), np.zeros(w.shape)
    for t in range(steps, 0, -1):
        dw += delta * sig[t - 1]  # x_t = w σ(x_{t-1}) + b
        db += delta
        delta = delta * w * dsig[t - 1]  # δ_{t-1}
    return CliffGradient(E=(sig[-1] - TARGET) ** 2, dw=dw, db=db)


def loss_surface(w_values, b_values, steps: int = STEPS) -> np.ndarray:
    """E on the grid: shape (len(b_values), len(w_values)); row i is b_values[i] (row-major image)."""
    w = np.asarray(w_values, dtype=np.float64)
    b = np.asarray(b_values, dtype=np.float64)
    if w.ndim != 1 or b.ndim != 1 or w.size == 0 or b.size == 0:
        raise ValueError("w_values and b_values must be non-empty 1-D sequences of numbers")
    return loss(w[None, :], b[:, None], steps)


def wall_b(w):
    """The wall's line: b = x_0 - w σ(x_0), where x_0 = 0.5 is a fixed point (x_t = 0.5 for all t)."""
    return X0 - np.asarray(w, dtype=np.float64) * sigmoid(X0)


WALL_STARTS_AT_W = 1.0 / (sigmoid(X0) * (1.0 - sigmoid(X0)))  # ≈ 4.26: the fixed point repels beyond


def clip_norm(g: np.ndarray, threshold: float | None) -> np.ndarray:
    """Pascanu et al.'s Algorithm 1: if ||g|| > threshold, g <- threshold g / ||g||; None = no clipping."""
    norm = float(np.linalg.norm(g))
    if threshold is None or norm <= threshold:
        return g
    return g * (threshold / norm)


@dataclass(frozen=True)
class SGDPath:
    w: np.ndarray  # (n+1,) w before each step and after the last
    b: np.ndarray  # (n+1,)
    E: np.ndarray  # (n+1,) the error at each point
    grad_norm: np.ndarray  # (n,) ||(dE/dw, dE/db)|| before clipping
    clipped: np.ndarray  # (n,) bool: the step was rescaled


def sgd(
    w0: float, b0: float, lr: float, n_steps: int, clip: float | None = None, steps: int = STEPS
) -> SGDPath:
    """Plain gradient descent on E from (w0, b0): θ <- θ - lr g, with g norm-clipped at `clip` if given.

    Stops early (the arrays are shorter) if the error or a parameter stops being finite."""
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
    if clip is not None and not (np.isfinite(clip) and clip > 0):
        raise ValueError(f"the clipping threshold must be a positive number (or None), got {clip!r}")
    n = check_positive_int("n_steps", n_steps, allow_zero=True)
    theta = np.array([w0, b0], dtype=np.float64)  # (2,) = (w, b)
    path, norms, clipped = [theta.copy()], [], []
    for _ in range(n):
        g = loss_and_grad(theta[0], theta[1], steps)
        grad = np.array([float(g.dw), float(g.db)])  # (2,)
        norms.append(float(np.linalg.norm(grad)))
        step = clip_norm(grad, clip)
        clipped.append(step is not grad)
        theta = theta - lr * step
        if not np.all(np.isfinite(theta)):
            norms.pop(), clipped.pop()
            break
        path.append(theta.copy())
    ws, bs = np.array(path).T
    return SGDPath(
        w=ws, b=bs, E=loss(ws, bs, steps), grad_norm=np.array(norms), clipped=np.array(clipped, dtype=bool)
    )
