"""Peak memory of the app: start, New sequence, a full forward + backward sweep with every view drawn.

    python benchmarks/app_memory.py [--size large|words]

Goal (issue 8): at K=2000, H=256, T=200 the process peaks at <= 250 MiB (resident, the kernel's
high-water mark), and the app holds nothing of size O(T^2 H) or O(T H^2). The reference printed
beside it is the same process's peak right after the bare imports and the QApplication, before
rnnviz builds anything. Each figure comes from a fresh process.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys

from _app import LARGE, WORDS, label

GOAL_MIB = 250.0
SIZES = {"large": LARGE, "words": WORDS}

CHILD = """
import resource, sys
sys.path.insert(0, {bench!r})
from _app import app_window, close, settle
from PySide6 import QtWidgets
import pyqtgraph
app = QtWidgets.QApplication([])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
app, s, w = app_window(*{size!r})
s.new_sequence()
settle(app, s)
for _ in range(2 * s.T):
    s.step()
    app.processEvents()
w.gradient_view.spin.setValue(s.T // 2)  # a second Jacobian row, on the UI's demand
settle(app, s)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
close(app, s, w)
print(base, peak)
"""


def peak_mib(size) -> tuple[float, float]:
    from pathlib import Path

    code = CHILD.format(bench=str(Path(__file__).parent), size=tuple(size))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    base, peak = map(int, out.stdout.split()[-2:])
    return base / 1024, peak / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="large", choices=SIZES)
    args = ap.parse_args()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0
    K, H, T = SIZES[args.size]
    base, peak = peak_mib((K, H, T))
    print(
        f"peak memory, reset + full sweep, {label(K, H, T)}: {peak:.0f} MiB (goal <= {GOAL_MIB:g});"
        f" bare imports + QApplication: {base:.0f} MiB"
    )


if __name__ == "__main__":
    main()
