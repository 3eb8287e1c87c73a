"""Median time of forward + BPTT: rnnviz's batched core vs a one-hot per-step reference.

    python benchmarks/core_speed.py [--repeats N]

The reference is written in the style of classic tutorial code (one-hot input vectors multiplied by
U, per-step outer products in a Python loop). If PyTorch is installed, float64 autograd at the same
sizes is timed too (torch is never a dependency of rnnviz).
"""

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread, before NumPy loads it
import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402

from rnnviz.core import RNN  # noqa: E402

SIZES = [(65, 100, 25), (8000, 100, 50)]  # vocab K, hidden H, sequence length T


def tutorial_forward_backward(U, W, V, x, y):
    """One-hot matmuls and per-step outer products, as in classic tutorial RNN code."""
    K, T, H = U.shape[1], len(x), W.shape[0]
    xs, hs, ps = {}, {-1: np.zeros(H)}, {}
    loss = 0.0
    for t in range(T):
        xs[t] = np.zeros(K)
        xs[t][x[t]] = 1
        hs[t] = np.tanh(U @ xs[t] + W @ hs[t - 1])
        a = V @ hs[t]
        ps[t] = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
        loss += -np.log(ps[t][y[t]])
    dU, dW, dV = np.zeros_like(U), np.zeros_like(W), np.zeros_like(V)
    dh_next = np.zeros(H)
    for t in reversed(range(T)):
        do = ps[t].copy()
        do[y[t]] -= 1
        do /= T
        dV += np.outer(do, hs[t])
        dz = (V.T @ do + dh_next) * (1 - hs[t] ** 2)
        dU += np.outer(dz, xs[t])
        dW += np.outer(dz, hs[t - 1])
        dh_next = W.T @ dz
    return loss / T, dU, dW, dV


def torch_forward_backward(torch, U, W, V, x, y):
    s = torch.zeros(W.shape[0], dtype=torch.float64)
    logits = []
    for t in range(len(x)):
        s = torch.tanh(U[:, x[t]] + W @ s)
        logits.append(V @ s)
    loss = torch.nn.functional.cross_entropy(torch.stack(logits), y)
    loss.backward()
    return loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    threads = os.environ["OPENBLAS_NUM_THREADS"]
    print(f"median of {args.repeats} runs, forward + BPTT, float64, OPENBLAS_NUM_THREADS={threads}")
    for K, H, T in SIZES:
        print(bench_size(K, H, T, args.repeats, torch))


def bench_size(K, H, T, repeats, torch):
    """One line of figures for vocab K, hidden H, length T."""
    rnn = RNN(K, H, seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, K, T), rng.integers(0, K, T)
    ours = median_time(lambda: rnn.bptt(x, y), repeats)
    ref = median_time(lambda: tutorial_forward_backward(rnn.U, rnn.W, rnn.V, x, y), repeats)
    g = rnn.bptt(x, y)
    _, dU, dW, dV = tutorial_forward_backward(rnn.U, rnn.W, rnn.V, x, y)
    assert np.allclose(g.dW, dW) and np.allclose(g.dU, dU) and np.allclose(g.dV, dV)
    line = (
        f"K={K:5d} H={H} T={T:3d}: rnnviz {ours * 1e3:8.3f} ms | one-hot per-step "
        f"{ref * 1e3:8.3f} ms | speed-up x{ref / ours:5.1f}"
    )
    if torch is not None:
        tU, tW, tV = (torch.tensor(p, requires_grad=True) for p in (rnn.U, rnn.W, rnn.V))
        tx, ty = torch.tensor(x), torch.tensor(y)

        def run_torch():
            for p in (tU, tW, tV):
                p.grad = None
            torch_forward_backward(torch, tU, tW, tV, tx, ty)

        tt = median_time(run_torch, repeats)
        run_torch()
        assert np.allclose(tW.grad.numpy(), g.dW)
        line += f" | torch f64 {tt * 1e3:8.3f} ms (rnnviz x{tt / ours:4.1f} faster)"
    return line


if __name__ == "__main__":
    main()
