"""The slow numbers' long pole, the Jacobian row t = T-1 (t exact SVDs), and what it costs the UI thread.

    python benchmarks/jacobian_row.py [--repeats N] [--cells rnn,lstm] [--no-app]

Prints, at H = 256, T = 200: the row's time in the core (JacobianRows.row, as the worker runs it),
with a digest of its numbers (equal digests: equal bits); then, in the app at K = 2000 (one BLAS
thread, as the app sets it), how long after New sequence the worker's numbers are in, when the
first part of the row t = T-1 is on screen (the app shows a long row's exact norms as they come),
and the event loop's longest gap meanwhile (a 1 ms timer; a gap is time the UI thread could not
answer).
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


def core_row(cell: str, repeats: int) -> tuple[list[float], float, float, str]:
    """(seconds of each JacobianRows.row(T-1), median CPU seconds of all threads, median CPU seconds
    of the calling thread, digest of the row's bits). On a busy machine the wall time follows the
    CPU share the machine gives; the CPU times do not: with the norms computed beside the
    products, the calling thread's is about the wall time on free cores."""
    from rnnviz.core import make_model

    model = make_model(cell, K, H, seed=0)
    rows = model.jacobian_rows(np.random.default_rng(0).integers(0, K, T))
    times, cpu, mine, row = [], [], [], None
    for _ in range(repeats):
        c0, m0, t0 = time.process_time(), time.thread_time(), time.perf_counter()
        row = rows.row(T - 1)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        mine.append(time.thread_time() - m0)
    digest = hashlib.sha256(row.norm.tobytes()).hexdigest()[:12]
    return times, statistics.median(cpu), statistics.median(mine), digest


def pairs(cell: str, n: int) -> tuple[list[float], list[float]]:
    """n rows the old way and n the new, alternated in one process, so that both see the same load:
    (old seconds, new seconds). Their numbers must be equal to the bit."""
    import _app  # noqa: F401 - puts the repository on sys.path, for tests/

    from rnnviz.core import make_model
    from tests.core.legacy.jacobian_row_v0 import serial_row

    model = make_model(cell, K, H, seed=0)
    rows = model.jacobian_rows(np.random.default_rng(0).integers(0, K, T))
    old, new = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        a = serial_row(rows, T - 1)
        t1 = time.perf_counter()
        b = rows.row(T - 1).norm
        new.append(time.perf_counter() - t1)
        old.append(t1 - t0)
        assert np.array_equal(a, b), "the rows differ"
    return old, new


def app_reset(cell: str, repeats: int) -> tuple[list[float], float, list[float]]:
    """(seconds until the worker's numbers are in, each reset; the longest event-loop gap in seconds;
    seconds until the first part of the row t = T-1 is in, each reset, where the app shows rows in
    parts) after New sequence.
    The gaps are measured in separate resets: the 1 ms timer wakes the UI thread, which then takes
    the GIL from the worker's threads far more often than the app's own timers do."""
    from _app import app_window, close, run_until
    from PySide6.QtCore import Qt, QTimer

    app, s, w = app_window(K, H, T, cell=cell)
    arrive, gaps, beats, first = [], [0.0], [], []
    in_parts = hasattr(s.numbers, "row_so_far")  # the old code has no parts
    beat = QTimer(interval=1, timerType=Qt.TimerType.PreciseTimer)
    beat.timeout.connect(lambda: beats.append(time.perf_counter()))
    for i in range(2 * repeats):
        t0 = time.perf_counter()
        s.new_sequence()
        beats[:] = [time.perf_counter()]  # gaps counted from the end of the reset's own UI work
        if i % 2:
            beat.start()
        elif in_parts:
            run_until(lambda: s.numbers.row_so_far(T - 1) is not None)
            first.append(time.perf_counter() - t0)
        run_until(lambda: not s.computing)
        if i % 2:
            beat.stop()
            gaps.append(max(np.diff(beats), default=0.0))
        else:
            arrive.append(time.perf_counter() - t0)
    close(app, s, w)
    return arrive, max(gaps), first


class OthersLoad:
    """How many cores other processes kept busy while a block ran (Linux: /proc/stat), so that
    figures from a shared machine say how much of it they had."""

    def __enter__(self):
        self.busy, self.mine, self.t = self._busy(), time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        busy, wall = self._busy(), time.perf_counter() - self.t
        mine = time.process_time() - self.mine
        self.cores = None if busy is None else max(0.0, (busy - self.busy - mine) / wall)

    @staticmethod
    def _busy() -> float | None:
        try:
            with open("/proc/stat") as f:
                ticks = [int(v) for v in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle, iowait

    def __str__(self) -> str:
        return "" if self.cores is None else f"; other processes kept {self.cores:.1f} cores busy meanwhile"


def ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1e3:.0f} ms median, {min(seconds) * 1e3:.0f} best"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cells", default="rnn,lstm")
    ap.add_argument("--no-app", action="store_true", help="only the core's row")
    ap.add_argument("--pairs", type=int, default=0, help="also time N old/new rows alternated")
    args = ap.parse_args()
    from rnnviz.ui.blas import limit_blas_threads

    limit_blas_threads()  # one BLAS thread, as the app sets it, for the core's figures too
    print(f"load average {os.getloadavg()[0]:.2f}; H={H}, T={T}")
    for cell in args.cells.split(","):
        with OthersLoad() as load:
            secs, cpu, mine, digest = core_row(cell, args.repeats)
        print(
            f"{cell}: row t={T - 1} in the core {ms(secs)} (digest {digest}); CPU {cpu * 1e3:.0f} ms,"
            f" {mine * 1e3:.0f} of it in the calling thread{load}"
        )
        if args.pairs:
            with OthersLoad() as load:
                old, new = pairs(cell, args.pairs)
            ratio = statistics.median(b / a for a, b in zip(old, new, strict=True))
            print(
                f"{cell}: alternated in this process: old way {ms(old)}, new {ms(new)};"
                f" new/old {ratio:.2f} median (equal bits){load}"
            )
        if not args.no_app:
            with OthersLoad() as load:
                arrive, gap, first = app_reset(cell, args.repeats)
            part = f"; the row's first part on screen after {ms(first)}" if first else ""
            print(
                f"{cell}: K={K} app, New sequence -> numbers in after {ms(arrive)} (goal <= 1000){part};"
                f" longest event-loop gap meanwhile {gap * 1e3:.1f} ms (goal <= 33){load}"
            )
    print(f"load average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
