"""The UI thread's own CPU time per step (time.thread_time) inside the graph and gradient views: their
signal handlers and their paint events, and the whole step + processEvents() beside them.

    python benchmarks/view_cpu.py [--tree DIR] [--size default|large] [--cell rnn|lstm|gru] [--sweeps N]

CPU time of the UI thread counts less of what other processes do to the wall clock (a loaded 2-core
machine), so an A/B of two trees alternated in the same minutes shows what a change saves:
    python benchmarks/view_cpu.py --tree /work/main   (with that tree's own Python)
Steps as ui_step.py does: a reset, then every step of the trace, each followed by processEvents().
A paint is counted for the view whose widget (or an ancestor) it is; nested calls are counted once.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--tree", default=str(Path(__file__).resolve().parents[1]), help="the rnnviz tree to time")
ap.add_argument("--size", default="default", choices=("default", "large"))
ap.add_argument("--cell", default="rnn")
ap.add_argument("--sweeps", type=int, default=3, help="whole traces stepped (a reset before each)")
args = ap.parse_args()
sys.path.insert(0, os.path.join(args.tree, "benchmarks"))  # that tree's _app, which puts the tree first

import pyqtgraph as pg  # noqa: E402
from _app import LARGE, app_window, close, settle  # noqa: E402
from PySide6 import QtWidgets  # noqa: E402

import rnnviz  # noqa: E402
from rnnviz.ui.widgets.gradient_view import GradientView  # noqa: E402
from rnnviz.ui.widgets.graph_view import GraphView  # noqa: E402

assert rnnviz.__file__.startswith(os.path.abspath(args.tree)), rnnviz.__file__
spent: collections.Counter = collections.Counter()
calls: collections.Counter = collections.Counter()
timing = {"on": False, "inside": False}


def timed(name: str, fn):
    """fn, its thread time added to `name` while timing is on (not when called inside another)."""

    def run(*a, **k):
        if not timing["on"] or timing["inside"]:
            return fn(*a, **k)
        timing["inside"], t0 = True, time.thread_time()
        try:
            return fn(*a, **k)
        finally:
            spent[name] += time.thread_time() - t0
            calls[name] += 1
            timing["inside"] = False

    return run


def owner(widget) -> str:
    while widget is not None:
        if isinstance(widget, (GraphView, GradientView)):
            return "graph" if isinstance(widget, GraphView) else "gradient"
        widget = widget.parentWidget()
    return "other views"


# set before the window is made: Qt calls the Python override it finds then
GraphView.show_state = timed("graph handler (show_state)", GraphView.show_state)
GradientView.show_state = timed("gradient handler (show_state)", GradientView.show_state)
GradientView.minimumSizeHint = timed("gradient minimumSizeHint (layout)", GradientView.minimumSizeHint)
graph_paint = timed("graph paint", QtWidgets.QGraphicsView.paintEvent)
GraphView.paintEvent = lambda self, event: graph_paint(self, event)
pg_paint = pg.GraphicsView.paintEvent
pg.GraphicsView.paintEvent = lambda self, event: timed(f"{owner(self)} paint", pg_paint)(self, event)

size = {"default": (None, None, None), "large": LARGE}[args.size]
app, session, window = app_window(*size, cell=args.cell)
steps, whole = 0, 0.0
for _ in range(args.sweeps):
    session.reset()
    settle(app, session)
    timing["on"] = True
    for _ in range(2 * session.T):
        t0 = time.thread_time()
        session.step()
        app.processEvents()
        whole += time.thread_time() - t0
        steps += 1
    timing["on"] = False
    settle(app, session)
close(app, session, window)
print(f"{args.tree}: {args.size} size, {args.cell.upper()}, {steps} steps")
print(f"  one step + processEvents(), UI thread CPU: {1e3 * whole / steps:.3f} ms a step")
for name in sorted(spent):
    print(f"  {name:36s} {1e3 * spent[name] / steps:6.3f} ms a step ({calls[name] / steps:.2f} calls)")
mine = sum(v for k, v in spent.items() if k.startswith(("graph", "gradient")))
print(f"  {'graph + gradient views':36s} {1e3 * mine / steps:6.3f} ms a step")
