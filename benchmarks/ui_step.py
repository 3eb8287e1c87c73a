"""UI timings: reset, one step plus the full redraw of every view, and cold start to a shown window.

    python benchmarks/ui_step.py [--repeats N] [--sizes default,large,...] [--cells rnn,lstm,gru,rnn+lstm]
                                 [--cold-runs N] [--cold-screen WxH]   (--sizes "": the cold start alone)

Goals (issue 8): a reset takes <= 50 ms of UI-thread time at every size and its slow numbers
(contributions, the Jacobian row on show, rho(W)) arrive from the worker within 1 s; one step +
full redraw <= 5 ms median at the default size and <= 10 ms median, <= 16 ms p95 at K=2000,
H=256, T=200 (step, then processEvents(): what the event loop does after a step, the paints of
every view that changed included; a forced repaint of the window, the method of earlier figures,
is printed beside it, but it never reaches pyqtgraph's items: counted, their paint() is not called
by it, so it leaves the plots' drawing out); cold start to a shown window <= 1.3x the
bare `import PySide6.QtWidgets, pyqtgraph`, both measured here side by side ('shown': the first
turn of the event loop after show(), as every earlier figure; the first frame painted, which a user
waits for, is printed beside it). The reference for a
reset is what its UI thread computed before issue 8 (contributions, every |dE_t/dz_k| and a
Jacobian row, in one thread). `--cells` repeats the figures for each cell (a `+` names compare mode,
two cells stepped by one cursor, both views redrawn): the goals are the vanilla RNN's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _app import LARGE, MEDIUM, WORDS, app_window, close, label, settle

SIZES = {"default": (None, None, None), "large": LARGE, "medium": MEDIUM, "words": WORDS}
STEP_GOALS = {"default": (5.0, None), "large": (10.0, 16.0), "words": (10.0, 16.0), "medium": (10.0, 16.0)}

COLD_APP = """
import sys, time
from rnnviz.__main__ import main  # first, as `python -m rnnviz` runs: NumPy and the core before Qt
from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer
a = QtWidgets.QApplication(["rnnviz"])  # main() reuses it; the timer fires once the window is shown
QTimer.singleShot(0, lambda: print("shown", time.thread_time(), flush=True))
class FirstFrame(QObject):  # the window's first paint: every widget of a frame is painted in one go
    seen = False
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            QTimer.singleShot(0, lambda: (print("painted", time.thread_time(), flush=True), a.quit()))
        return False
f = FirstFrame()
a.installEventFilter(f)
main([])
"""
COLD_BARE = """
import time
import PySide6.QtWidgets, pyqtgraph
print("shown", time.thread_time(), flush=True)
"""


def launch(code: str, env: dict | None = None) -> tuple[tuple[float, float], ...]:
    """(seconds from starting a fresh Python process, its UI thread's CPU seconds) at each line it
    prints ('shown', then for the app 'painted': its first frame drawn). The CPU time is the less
    noisy figure on a busy machine (other processes' work is not in it)."""
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    times = []
    for line in p.stdout:
        word, cpu = line.split()
        assert word in ("shown", "painted"), line
        times.append((time.perf_counter() - t0, float(cpu)))
    p.wait()
    return tuple(times)


def compiled_modules() -> tuple[int, int]:
    """(modules with up-to-date bytecode, modules) of the app: where Python may not write .pyc files
    (PYTHONDONTWRITEBYTECODE=1, a read-only tree) an editable install without them compiles every
    module at each start, a cost no installed package has (scripts/setup.sh compiles them)."""
    import importlib.util
    from pathlib import Path

    import rnnviz

    sources = list(Path(rnnviz.__file__).parent.rglob("*.py"))
    fresh = 0
    for src in sources:
        pyc = Path(importlib.util.cache_from_source(str(src)))
        fresh += pyc.exists() and pyc.stat().st_mtime >= src.stat().st_mtime
    return fresh, len(sources)


def cold_start(runs: int = 5, screen: str = "") -> dict:
    """App and bare imports launched alternately, so both see the same machine. The app starts as
    the first time (a settings folder of its own: no layout saved by an earlier run, which other runs
    on this machine may have written), on the offscreen platform's own screen (800 x 800: the window
    does not fit it), or on one of `screen` ("WxH")."""
    app, bare = [], []
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, XDG_CONFIG_HOME=folder)
        if screen:
            width, height = (int(v) for v in screen.split("x"))
            config = Path(folder) / "screens.json"
            shape = {"name": "bench", "x": 0, "y": 0, "width": width, "height": height}
            config.write_text(json.dumps({"screens": [{**shape, "logicalDpi": 96, "logicalBaseDpi": 96}]}))
            env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
        for _ in range(runs):
            app.append(launch(COLD_APP, env))
            bare.append(launch(COLD_BARE, env)[0])
    a, painted, b = (
        statistics.median(s[0] for s, _ in app),
        statistics.median(p[0] for _, p in app),
        statistics.median(s[0] for s in bare),
    )
    cpu, bare_cpu = statistics.median(s[1] for s, _ in app), statistics.median(s[1] for s in bare)
    return {
        **{"app_s": a, "painted_s": painted, "bare_s": b, "ratio": a / b, "painted_ratio": painted / b},
        **{"cpu_s": cpu, "bare_cpu_s": bare_cpu, "cpu_ratio": cpu / bare_cpu},
    }


def reset_times(K, H, T, repeats: int, cells=("rnn", "")) -> dict:
    """UI-thread ms of New sequence (the sig_reset handlers included), and ms until the worker's
    numbers are in; the reference: computing the same numbers in one thread, as before issue 8."""
    from rnnviz.ui.trace_numbers import decay_row, traced_model

    app, s, w = app_window(K, H, T, cell=cells[0], compare=cells[1])
    ui, arrive = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        s.new_sequence()
        t1 = time.perf_counter()
        settle(app, s)
        ui.append(t1 - t0)
        arrive.append(time.perf_counter() - t0)
    st = s.stepper
    t0 = time.perf_counter()
    twin = traced_model(s.rnn, st)
    twin.contributions(st.x, st.y)
    decay_row(twin, st.x, st.y, st.T - 1)
    reference = time.perf_counter() - t0
    close(app, s, w)
    return {
        "ui_ms": statistics.median(ui) * 1e3,
        "ui_max_ms": max(ui) * 1e3,
        "numbers_ms": statistics.median(arrive) * 1e3,
        "reference_ms": reference * 1e3,
    }


def step_and_redraw(K, H, T, repeats: int, cells=("rnn", "")) -> dict:
    """ms of session.step() (every view redraws on its signal) plus drawing, two ways:
    processEvents(), which runs what the event loop does after a step (the paints of what changed,
    deferred layout: the goal's figure), and a forced repaint of the whole window (earlier figures'
    method), which leaves pyqtgraph's items unpainted (their paint() is not called)."""
    app, s, w = app_window(K, H, T, cell=cells[0], compare=cells[1])
    forced, loop = [], []
    for i in range(2 * repeats):
        s.reset()
        settle(app, s)
        for _ in range(2 * s.T):
            t0 = time.perf_counter()
            s.step()
            if i % 2 == 0:
                w.repaint()  # paint now, synchronously, so the time includes drawing
                forced.append(time.perf_counter() - t0)
            else:
                app.processEvents()
                loop.append(time.perf_counter() - t0)
        settle(app, s)  # numbers asked for during the sweep, outside the timed steps
    close(app, s, w)
    forced.sort()
    loop.sort()
    return {
        "median_ms": statistics.median(forced) * 1e3,
        "p95_ms": forced[int(0.95 * len(forced))] * 1e3,
        "loop_median_ms": statistics.median(loop) * 1e3,
        "loop_p95_ms": loop[int(0.95 * len(loop))] * 1e3,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="full sweeps / resets to time")
    ap.add_argument("--sizes", default="default,large,medium,words")
    ap.add_argument(
        "--cells", default="rnn", help="cells to measure, e.g. rnn,lstm,gru,rnn+lstm (compare mode)"
    )
    ap.add_argument("--no-cold-start", action="store_true")
    ap.add_argument("--cold-runs", type=int, default=5, help="launches of each, alternated (medians)")
    ap.add_argument("--cold-screen", default="", metavar="WxH", help="cold start on a screen of this size")
    args = ap.parse_args()
    sizes = [n for n in args.sizes.split(",") if n]  # --sizes "": the cold start alone
    for name, spec in ((n, c) for c in args.cells.split(",") for n in sizes):
        K, H, T = SIZES[name]
        cells = tuple(spec.split("+")) if "+" in spec else (spec, "")
        where = f"{label(K, H, T)}, {spec.upper().replace('+', ' beside ')}"
        r = reset_times(K, H, T, max(3, args.repeats), cells)
        print(
            f"reset, {where}: UI thread {r['ui_ms']:.0f} ms median ({r['ui_max_ms']:.0f} max)"
            f" (goal <= 50); numbers in after {r['numbers_ms']:.0f} ms (goal <= 1000);"
            f" before issue 8 the UI thread computed them: {r['reference_ms']:.0f} ms"
        )
        st = step_and_redraw(K, H, T, args.repeats, cells)
        med, p95 = STEP_GOALS[name]
        goal = f"goal <= {med:g} median" + (f", <= {p95:g} p95" if p95 else "")
        print(
            f"one step + full redraw (the event loop's paints), {where}: median"
            f" {st['loop_median_ms']:.1f} ms, p95 {st['loop_p95_ms']:.1f} ms ({goal}); a forced"
            f" repaint instead (leaves the plots unpainted): median {st['median_ms']:.1f} ms,"
            f" p95 {st['p95_ms']:.1f} ms"
        )
    if args.no_cold_start:
        return
    c = cold_start(args.cold_runs, args.cold_screen)
    fresh, modules = compiled_modules()
    screen = f"a {args.cold_screen} screen" if args.cold_screen else "the offscreen 800 x 800 screen"
    print(
        f"cold start to a shown window (first start, {screen}): {c['app_s']:.3f} s;"
        f" bare imports {c['bare_s']:.3f} s;"
        f" ratio {c['ratio']:.2f}x (goal <= 1.3x); to its first frame painted {c['painted_s']:.3f} s,"
        f" {c['painted_ratio']:.2f}x; the app's bytecode: {fresh} of {modules} modules compiled;"
        f" the UI thread's CPU time to shown {c['cpu_s']:.3f} s, bare {c['bare_cpu_s']:.3f} s,"
        f" {c['cpu_ratio']:.2f}x"
    )


if __name__ == "__main__":
    main()
