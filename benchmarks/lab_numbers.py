"""Issue 13's lab: how long its worker jobs take, beside the UI thread's budget they stay out of.

    .venv/bin/python benchmarks/lab_numbers.py

Prints the cliff's surface and paths, and the hidden-state projection's fit at the task sizes a class
uses and at the app's largest (8,000 words, H = 256, T = 200). All of these run in the lab's worker
thread (rnnviz/ui/lab_worker.py), never on the UI thread; the figures say how soon they arrive.
"""

from __future__ import annotations

import os
import time

from rnnviz.core.settings import Settings, make_model, make_source
from rnnviz.ui.lab_jobs import cliff_paths, cliff_surface, fit_states, sequences_for


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.1f}; ms, best of 3")
    print(f"cliff surface (241 x 201 grid, 50 steps): {best_of(3, cliff_surface):8.1f}")
    paths = best_of(3, lambda: cliff_paths(4.6, -2.463, 0.1, 60, 1.0))
    print(f"cliff paths (2 x 60 SGD steps):           {paths:8.1f}")
    cases = {
        "embedded Reber, H = 16": Settings(task="embedded-reber", hidden=16),
        "temporal order L = 100, H = 32": Settings(task="temporal-order", order_length=100, hidden=32),
        "8,000 words, H = 256, T = 200": Settings(task="words", hidden=256, seq_len=200),
    }
    for name, s in cases.items():
        source = make_source(s)
        model = make_model(s, len(source.vocab))
        kind = getattr(source, "state_kinds", (None,))[0]
        ms = best_of(3, lambda: fit_states(model, source, s.seed, kind, s.seq_len))  # noqa: B023
        print(f"state-space fit, {sequences_for(s.seq_len)} sequences, {name}: {ms:8.1f}")


if __name__ == "__main__":
    main()
