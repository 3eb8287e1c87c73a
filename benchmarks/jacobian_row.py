"""The slow numbers' long pole, the Jacobian row t = T-1 (t exact SVDs), and what it costs the UI thread.

    python benchmarks/jacobian_row.py [--repeats N] [--cells rnn,lstm] [--no-app]

Prints, at H = 256, T = 200: the row's time in the core (JacobianRows.row, as the worker runs it),
with a digest of its numbers (equal digests: equal bits); then, in the app at K = 2000 (one BLAS
thread, as the app sets it), how long after New sequence the worker's numbers are in, and the
event loop's longest gap meanwhile (a 1 ms timer; a gap is time the UI thread could not answer).
Goal (issue 8): the slow numbers arrive within 1 s; the event loop's gaps stay short (<= 33 ms).
Run it beside the old code (another checkout with its own .venv) for an A/B in the same minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import time

import numpy as np

H, T, K = 256, 200, 2000


def core_row(cell: str, repeats: int) -> tuple[float, str]:
    """(median s of JacobianRows.row(T-1), digest of the row's bits)."""
    from rnnviz.core import make_model

    model = make_model(cell, K, H, seed=0)
    rows = model.jacobian_rows(np.random.default_rng(0).integers(0, K, T))
    times, row = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        row = rows.row(T - 1)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), hashlib.sha256(row.norm.tobytes()).hexdigest()[:12]


def app_reset(cell: str, repeats: int) -> tuple[float, float]:
    """(median ms until the worker's numbers are in, longest event-loop gap in ms) after New sequence.
    The gaps are measured in separate resets: the 1 ms timer wakes the UI thread, which then takes
    the GIL from the worker's threads far more often than the app's own timers do."""
    from _app import app_window, close, run_until
    from PySide6.QtCore import Qt, QTimer

    app, s, w = app_window(K, H, T, cell=cell)
    arrive, gaps, beats = [], [0.0], []
    beat = QTimer(interval=1, timerType=Qt.TimerType.PreciseTimer)
    beat.timeout.connect(lambda: beats.append(time.perf_counter()))
    for i in range(2 * repeats):
        t0 = time.perf_counter()
        s.new_sequence()
        beats[:] = [time.perf_counter()]  # gaps counted from the end of the reset's own UI work
        if i % 2:
            beat.start()
        run_until(lambda: not s.computing)
        if i % 2:
            beat.stop()
            gaps.append(max(np.diff(beats), default=0.0))
        else:
            arrive.append(time.perf_counter() - t0)
    close(app, s, w)
    return statistics.median(arrive) * 1e3, max(gaps) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cells", default="rnn,lstm")
    ap.add_argument("--no-app", action="store_true", help="only the core's row")
    args = ap.parse_args()
    from rnnviz.ui.blas import limit_blas_threads

    limit_blas_threads()  # one BLAS thread, as the app sets it, for the core's figures too
    print(f"load average {os.getloadavg()[0]:.2f}; H={H}, T={T}")
    for cell in args.cells.split(","):
        secs, digest = core_row(cell, args.repeats)
        print(f"{cell}: row t={T - 1} in the core {secs * 1e3:.0f} ms median (digest {digest})")
        if not args.no_app:
            ms, gap = app_reset(cell, args.repeats)
            print(
                f"{cell}: K={K} app, New sequence -> numbers in after {ms:.0f} ms median (goal <= 1000);"
                f" longest event-loop gap meanwhile {gap:.1f} ms (goal <= 33)"
            )
    print(f"load average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
