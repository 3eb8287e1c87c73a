"""Forward + BPTT and training speed of every cell, against PyTorch measured in the same run.

    python benchmarks/cells_speed.py [--repeats N] [--threads N]

Goals (issues 12 and 8): per cell, rnnviz's time <= 1.0x torch float64's, for forward + BPTT and for
a training iteration; and for the vanilla RNN, training iterations/s >= 1.0x an equivalent torch
float32 loop at K=8000 and >= 3x at K=65. The torch reference is the faster of a hand-written model
(rnnviz's equations, gradients cross-checked) and the fused nn.RNN / nn.LSTM / nn.GRU (see
torch_models.py). Every figure is a median; the load average says whether the machine was busy.
torch is not a dependency of rnnviz: without it the rnnviz figures print alone.
"""

import argparse
import os
import sys
from pathlib import Path

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--repeats", type=int, default=30, help="timed runs per figure (after a warm-up)")
ap.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default 1)")
ARGS = ap.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)  # before NumPy loads its BLAS

import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' random-words source

from rnnviz.core import CELL_NAMES, TrainConfig, Trainer, make_model  # noqa: E402
from tests.core.helpers import RandomWords  # noqa: E402

SIZES = [(65, 100, 25), (8000, 100, 50)]  # vocab K, hidden H, sequence length T

try:
    import torch
    import torch_models as tm

    torch.set_num_threads(ARGS.threads)
    torch.set_num_interop_threads(1)
except ImportError:
    torch = tm = None


def thread_report() -> str:
    blas = f"BLAS threads {ARGS.threads} (OPENBLAS/OMP/MKL_NUM_THREADS set before NumPy loads)"
    try:
        from threadpoolctl import threadpool_info

        blas += "; threadpoolctl sees " + ", ".join(
            f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info()
        )
    except ImportError:
        pass
    if torch is not None:
        blas += f"; torch {torch.__version__}: {torch.get_num_threads()} intra-op, 1 inter-op thread"
    return blas


def load_report(label: str) -> str:
    load, cores = os.getloadavg(), os.cpu_count() or 1
    busy = "busy" if load[0] > 0.5 * cores else "quiet"
    return f"{label}: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {cores} cores ({busy})"


def verdict(ratio: float, goal: float, at_most: bool) -> str:
    ok = ratio <= goal if at_most else ratio >= goal
    return f"{'<=' if at_most else '>='} {goal:.1f}x {'ok' if ok else 'MISSED'}"


def torch_best(make, run, repeats: int) -> tuple[float, str]:
    """(median time, which) of the faster torch kind; make(kind) -> state, run(state) -> None."""
    best = None
    for kind in ("hand", "fused"):
        state = make(kind)
        t = median_time(lambda s=state: run(s), repeats)
        if best is None or t < best[0]:
            best = (t, kind)
    return best


def bptt_rows(K, H, T, repeats):
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, K, T), rng.integers(0, K, T)
    for cell in CELL_NAMES:
        m = make_model(cell, K, H, seed=0)
        ours = median_time(lambda m=m: m.bptt(x, y), repeats)
        line = f"  {cell:4s} K={K:5d} H={H} T={T:2d}: rnnviz {ours * 1e3:7.2f} ms"
        if torch is None:
            print(line + " | torch not installed")
            continue
        leaves, loss = tm.hand_model(cell, m.params(), torch.float64)
        tm.gradients(leaves, loss, x, y)
        g = m.bptt(x, y).as_dict()
        err = max(float(np.max(np.abs(leaves[k].grad.numpy() - g[k])) / np.max(np.abs(g[k]))) for k in g)
        assert err < 1e-9, f"{cell}: rnnviz and torch autograd disagree ({err:.2g})"

        def make(kind, m=m, cell=cell):
            if kind == "hand":
                return tm.hand_model(cell, m.params(), torch.float64)
            return tm.fused_model(cell, K, H, torch.float64)

        theirs, kind = torch_best(make, lambda s: tm.gradients(*s, x, y), repeats)
        ratio = ours / theirs
        print(
            f"{line} | torch f64 {theirs * 1e3:7.2f} ms ({kind:5s}) | time ratio {ratio:4.2f}x"
            f" (goal {verdict(ratio, 1.0, True)}) | gradients = torch autograd to {err:.0e}"
        )


def train_rows(K, H, T, repeats, cells, dtype_name, goal, at_most):
    """Prints a row per cell; returns (rnnviz, torch) seconds of the last cell (torch None if absent)."""
    last = None
    for cell in cells:
        tr = Trainer(make_model(cell, K, H, seed=0), RandomWords(K), TrainConfig(seq_len=T), seed=0)
        ours = median_time(tr.step, repeats)
        line = f"  {cell:4s} K={K:5d} H={H} T={T:2d}: rnnviz {ours * 1e3:7.2f} ms/it ({1 / ours:7.1f} it/s)"
        if torch is None:
            print(line + " | torch not installed")
            last = (ours, None)
            continue
        dtype = getattr(torch, dtype_name)

        def make(kind, m=tr.rnn, cell=cell, dtype=dtype):
            leaves, loss = (
                tm.hand_model(cell, m.params(), dtype)
                if kind == "hand"
                else tm.fused_model(cell, K, H, dtype)
            )
            return tm.TorchTrainer(leaves, loss, RandomWords(K), T)

        theirs, kind = torch_best(make, lambda s: s.step(), repeats)
        ratio = ours / theirs if at_most else theirs / ours  # time ratio, or speed ratio (it/s)
        what = "time ratio" if at_most else "speed ratio"
        print(
            f"{line} | torch {dtype_name} {theirs * 1e3:7.2f} ms/it ({1 / theirs:7.1f} it/s, {kind:5s})"
            f" | {what} {ratio:4.2f}x (goal {verdict(ratio, goal, at_most)})"
        )
        last = (ours, theirs)
    return last


def update_costs(repeats):
    """Issue 8's two hot spots at K=8000: the gradient norm and the optimizer step (Adagrad, clipped)."""
    tr = Trainer(make_model("rnn", 8000, 100, seed=0), RandomWords(8000), TrainConfig(seq_len=50), seed=0)
    x, y = RandomWords(8000).sample(np.random.default_rng(1), 50)
    g = tr.rnn.bptt(x, y)
    norm = median_time(g.norm, repeats)
    params = tr.rnn.params()
    upd = median_time(lambda: tr._optimizer.step(params, g, 0.1, True, factor=0.5), repeats)
    print(
        f"  Gradients.norm {norm * 1e3:.3f} ms (was 8.5 ms); optimizer step {upd * 1e3:.2f} ms"
        " (Trainer._updated was 17 ms)"
    )


def float64_floor(repeats, k8000=None):
    """What no bit-identical float64 iteration at K=8000 can avoid: the three (K, H) products (s V^T,
    d_out^T s, d_out V, each near the core's peak flop rate), Adagrad's sqrt and division over V and the
    softmax's exp (both bound by the arithmetic); then, in NumPy, the other passes of the same maths
    over the large arrays, each a separately rounded operation that no NumPy call fuses (so every one
    is a pass): the softmax's row max, subtraction, row sum and division and the errors' division by
    |M| over (T, K); the gradient norm's dot over dV, the finiteness check's dot over V and Adagrad's
    c*c, mem +=, + 1e-8, * lr and p -= over (K, H). Each is timed as one call over the whole array
    with its operands warm (running them block by block, cache-sized, measured no faster). Nothing
    else of an iteration is counted (sampling, the recurrences, Python). k8000: (rnnviz, torch float32)
    seconds per iteration from the rows above, printed beside the floor."""
    K, H, T = 8000, 100, 50
    rng = np.random.default_rng(0)
    V, s, d = rng.standard_normal((K, H)), np.tanh(rng.standard_normal((T, H))), rng.random((T, K))
    o, dV, ds, m, b = np.empty((T, K)), np.empty((K, H)), np.empty((T, H)), np.abs(V), np.empty((K, H))
    row = np.empty((T, 1))

    def products():
        np.matmul(s, V.T, out=o)
        np.matmul(d.T, s, out=dV)
        np.matmul(d, V, out=ds)

    def arithmetic():
        np.divide(dV, np.sqrt(m, out=b), out=b)
        np.exp(d, out=o)

    def softmax_and_errors():  # (T, K) arrays
        np.max(d, axis=1, keepdims=True, out=row)
        np.subtract(d, row, out=o)
        np.sum(o, axis=1, keepdims=True, out=row)
        np.divide(o, row, out=o)
        np.divide(o, T, out=o)

    def dots_and_adagrad():  # on (K, H) arrays
        np.dot(dV.ravel(), dV.ravel())
        np.dot(V.ravel(), V.ravel())
        np.multiply(dV, dV, out=b)
        np.add(m, b, out=b)
        np.add(m, 1e-8, out=b)
        np.multiply(dV, 0.1, out=b)
        np.subtract(V, b, out=b)

    mm, ew = median_time(products, repeats), median_time(arithmetic, repeats)
    rows, big = median_time(softmax_and_errors, repeats), median_time(dots_and_adagrad, repeats)
    print(
        f"  float64 floor at K={K}: the three products {mm * 1e3:.2f} ms + sqrt, division and exp"
        f" {ew * 1e3:.2f} ms = {(mm + ew) * 1e3:.2f} ms per iteration, whatever the code around them"
    )
    total = mm + ew + rows + big
    line = (
        f"  + the other passes of the exact maths (softmax and errors over (T, K) {rows * 1e3:.2f} ms;"
        f" two dots and five Adagrad passes over (K, H) {big * 1e3:.2f} ms) = {total * 1e3:.2f} ms"
    )
    if k8000 is not None and k8000[1] is not None:
        ours, theirs = k8000
        line += (
            f"; rnnviz's iteration above {ours * 1e3:.2f} ms, torch float32 {theirs * 1e3:.2f} ms:"
            f" at this floor the speed ratio would be {theirs / total:.2f}x"
        )
    print(line)


def allocator_note(repeats):
    """glibc mmaps every allocation at least as large as its adaptive threshold, and raises the
    threshold only when a larger block is freed: until then each fresh multi-MB result (bptt's
    (K, H) gradients) costs page faults. Measure that cold case first, then warm up every workload
    once (as a running app would have), so the rows below do not depend on their order."""
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 8000, 50), rng.integers(0, 8000, 50)
    m = make_model("rnn", 8000, 100, seed=0)
    cold = median_time(lambda: m.bptt(x, y), repeats)
    for K, H, T in SIZES:
        for cell in CELL_NAMES:
            make_model(cell, K, H, seed=0).bptt(x[:T] % K, y[:T] % K)
    warm = median_time(lambda: m.bptt(x, y), repeats)
    print(
        f"allocator: rnn K=8000 bptt {cold * 1e3:.2f} ms in a fresh process (glibc mmaps each fresh"
        f" multi-MB array), {warm * 1e3:.2f} ms once larger arrays have been freed; rows below are warm"
    )


def main():
    print("rnnviz cells benchmark: medians of", ARGS.repeats, "runs, float64 unless said")
    print(thread_report())
    print(load_report("before"))
    allocator_note(ARGS.repeats)
    print("forward + BPTT, float64 (goal: rnnviz time <= 1.0x torch float64, per cell)")
    for K, H, T in SIZES:
        bptt_rows(K, H, T, ARGS.repeats)
    print("training iteration (sample, BPTT, clip 5, Adagrad lr 0.1), float64 (goal: <= 1.0x torch float64)")
    for K, H, T in SIZES:
        train_rows(K, H, T, ARGS.repeats, CELL_NAMES, "float64", 1.0, True)
    print(
        "vanilla RNN training iterations/s vs torch float32 (issue 8 goal: >= 3x at K=65, >= 1.0x at K=8000)"
    )
    for (K, H, T), goal in zip(SIZES, (3.0, 1.0), strict=True):
        k8000 = train_rows(K, H, T, ARGS.repeats, ("rnn",), "float32", goal, False)
    update_costs(ARGS.repeats)
    float64_floor(ARGS.repeats, k8000)
    print(load_report("after (this run adds about 1)"))


if __name__ == "__main__":
    sys.exit(main())
