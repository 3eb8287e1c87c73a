"""A reset's slow numbers outside the app: one Jacobian row (t exact SVDs) in one thread and with its
SVDs shared with a helper thread, and the worker's whole reset work as before (one thread, one job
after another) and as now (the row's SVDs shared by 2 threads, the other numbers in a second lane).

    python benchmarks/jacobian_row.py [--repeats N] [--cells rnn,lstm,gru] [--size K,H,T]

One BLAS thread (as the app sets it), nice 0; runs alternate so both see the same machine. The
goal (issue 8) is for the app's figure, ui_step.py's "numbers in after" (<= 1000 ms at K=2000,
H=256, T=200), which adds the event loop's part; this shows where the worker's part goes. The
numbers are checked equal, bit for bit, before anything is timed. On a busy machine the process
gets about one core whatever its threads: then the figures say what the threads cost, not gain.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def reset_work(model, x, y, threads: int, lanes: int):
    """What the worker computes after a reset: the last row, contributions, rho(W), ||W||_2."""
    from rnnviz.ui.trace_numbers import decay_row, recurrent_norm, recurrent_radius

    T, rho = len(x), {}

    def others():
        model.contributions(x, y)
        rho["value"] = recurrent_radius(model)
        recurrent_norm(model)

    beside = threading.Thread(target=others) if lanes > 1 else None
    if beside is not None:
        beside.start()

    def radius():
        if beside is not None:
            beside.join()
        return rho["value"]

    row = decay_row(model, x, y, T - 1, radius if beside else None, None, None, threads)
    if beside is None:
        others()
    else:
        beside.join()
    return row


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def alternate(named: dict, repeats: int) -> dict:
    times = {name: [] for name in named}
    for _ in range(repeats):
        for name, fn in named.items():
            times[name].append(timed(fn))
    return {name: statistics.median(ts) for name, ts in times.items()}


def measure(cell: str, K: int, H: int, T: int, repeats: int) -> str:
    from rnnviz.core import make_model

    m = make_model(cell, K, H, seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, K, T), rng.integers(0, K, T)
    rows = m.jacobian_rows(x)
    one, two = rows.row(T - 1).as_dict(), rows.row(T - 1, threads=2).as_dict()
    assert all(np.array_equal(one[k], two[k]) for k in one), "threads changed a number"
    old, new = reset_work(m, x, y, 1, 1).curves(), reset_work(m, x, y, 2, 2).curves()
    assert all(np.array_equal(old[k], new[k], equal_nan=True) for k in old), "lanes changed a number"
    r = alternate({"1": lambda: rows.row(T - 1), "2": lambda: rows.row(T - 1, threads=2)}, repeats)
    process, mine = time.process_time(), time.thread_time()
    rows.row(T - 1, threads=2)
    mine = time.thread_time() - mine
    helper = time.process_time() - process - mine  # CPU seconds, whatever else runs on the machine
    w = alternate(
        {"before": lambda: reset_work(m, x, y, 1, 1), "now": lambda: reset_work(m, x, y, 2, 2)}, repeats
    )
    return (
        f"{cell.upper()} K={K} H={H} T={T}: Jacobian row {T - 1}: 1 thread {r['1'] * 1e3:.0f} ms,"
        f" SVDs shared by 2 threads {r['2'] * 1e3:.0f} ms ({r['1'] / r['2']:.2f}x), CPU of this thread"
        f" {mine * 1e3:.0f} ms and of the helper {helper * 1e3:.0f} ms (on two free cores the row takes"
        f" about the larger);"
        f" a reset's worker numbers: one after another {w['before'] * 1e3:.0f} ms,"
        f" 2 threads for the row and a lane beside {w['now'] * 1e3:.0f} ms ({w['before'] / w['now']:.2f}x)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cells", default="rnn")
    ap.add_argument("--size", default="2000,256,200", help="K,H,T")
    args = ap.parse_args()
    from rnnviz.ui.blas import limit_blas_threads

    limit_blas_threads()
    K, H, T = (int(v) for v in args.size.split(","))
    print(f"load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
    for cell in args.cells.split(","):
        print(measure(cell, K, H, T, args.repeats), flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
