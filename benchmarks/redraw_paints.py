"""Which items each way of redrawing after a step actually paints (why ui_step.py times the
event loop's paints, not a forced repaint of the window).

    python benchmarks/redraw_paints.py [--steps N]

Counts the calls of paint() of pyqtgraph's items (and the hidden view's bars) over N steps at the
default size: after each step, a forced `window.repaint()`, then `processEvents()`, then both.
"""

from __future__ import annotations

import argparse
import collections

import pyqtgraph as pg
from _app import app_window, close, settle

from rnnviz.ui.value_bars import ValueBars

ITEMS = (pg.PlotCurveItem, pg.ScatterPlotItem, pg.ImageItem, pg.BarGraphItem, pg.AxisItem, ValueBars)


def count_paints(counts: collections.Counter) -> None:
    for cls in ITEMS:

        def paint(self, *args, _paint=cls.paint, _name=cls.__name__):
            counts[_name] += 1
            return _paint(self, *args)

        cls.paint = paint


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5)
    args = ap.parse_args()
    counts: collections.Counter = collections.Counter()
    count_paints(counts)
    app, s, w = app_window(None, None, None)
    settle(app, s)
    ways = {
        "forced window.repaint()": lambda: w.repaint(),
        "processEvents()": app.processEvents,
        "processEvents() then window.repaint()": lambda: (app.processEvents(), w.repaint()),
    }
    for name, redraw in ways.items():
        settle(app, s)
        counts.clear()
        for _ in range(args.steps):
            s.step()
            redraw()
        print(f"{name}, {args.steps} steps: {sum(counts.values())} paints {dict(sorted(counts.items()))}")
    close(app, s, w)


if __name__ == "__main__":
    main()
