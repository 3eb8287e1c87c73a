"""UI timings: one step plus the full redraw of every view, and cold start to a shown window.

    python benchmarks/ui_step.py [--repeats N]

Targets: one step + redraw <= 16 ms at H=100, T=50; cold start <= 1.0 s.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

COLD_START = """
import sys
from PySide6 import QtWidgets
from rnnviz.core.settings import Settings
from rnnviz.ui.main_window import MainWindow
from rnnviz.ui.pg_config import configure_pyqtgraph
from rnnviz.ui.session import Session
app = QtWidgets.QApplication(sys.argv[:1])
configure_pyqtgraph()
w = MainWindow(Session(Settings()))
w.show()
app.processEvents()
print("shown", flush=True)
"""


def cold_start() -> float:
    """Seconds from launching a fresh Python process to the window shown and painted once."""
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", COLD_START], stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    elapsed = time.perf_counter() - t0
    p.wait()
    assert line.strip() == "shown", line
    return elapsed


def step_and_redraw(repeats: int) -> tuple[float, float]:
    """Median ms of session.step() (all views redraw on its signal) + a forced repaint."""
    from PySide6 import QtWidgets

    from rnnviz.core.settings import Settings
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.pg_config import configure_pyqtgraph
    from rnnviz.ui.session import Session

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    configure_pyqtgraph()
    session = Session(Settings(task="text", hidden=100, seq_len=50))
    w = MainWindow(session)
    w.resize(1920, 1080)
    w.show()
    app.processEvents()
    fwd, bwd = [], []
    for _ in range(repeats):
        session.reset()
        app.processEvents()
        for _ in range(2 * session.T):
            t0 = time.perf_counter()
            ev = session.step()
            w.repaint()  # paint now, synchronously, so the time includes drawing
            (fwd if ev.phase == "forward" else bwd).append(time.perf_counter() - t0)
    w.close()
    return statistics.median(fwd) * 1e3, statistics.median(bwd) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="full forward+backward sweeps to time")
    args = ap.parse_args()
    fwd, bwd = step_and_redraw(args.repeats)
    print(
        f"one step + full redraw, H=100 T=50, window 1920x1080: median forward {fwd:.2f} ms, "
        f"backward {bwd:.2f} ms (target <= 16 ms)"
    )
    starts = [cold_start() for _ in range(5)]
    print(
        f"cold start to shown window: median {statistics.median(starts):.3f} s of 5 "
        f"(min {min(starts):.3f} s) (target <= 1.0 s)"
    )


if __name__ == "__main__":
    main()
