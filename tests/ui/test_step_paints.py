"""What a step repaints in the plot views: only what changed. Counted, never timed (the figures are
benchmarks/ui_step.py's). Each step is followed by processEvents(), as the event loop paints it."""

from __future__ import annotations

import collections

import pyqtgraph as pg
import pytest
from PySide6 import QtWidgets

from rnnviz.ui.plot_area import CachedAxis

VIEWS = ("hidden_view", "loss_view", "gradient_view")
COUNTED = (pg.AxisItem, pg.ImageItem, pg.TextItem, pg.PlotCurveItem, pg.ScatterPlotItem)


@pytest.fixture
def paints(monkeypatch):
    """Counter of paint() calls: (view attribute, item class) -> calls; `owners` maps a scene to its view."""
    counts: collections.Counter = collections.Counter()
    counts.owners = {}
    for cls in COUNTED:

        def paint(self, *args, _original=cls.paint, _name=cls.__name__):  # a CachedAxis is an AxisItem
            counts[(counts.owners.get(self.scene(), "?"), _name)] += 1
            return _original(self, *args)

        monkeypatch.setattr(cls, "paint", paint)
    return counts


def sweep(qtbot, w, s, paints, steps: int | None = None) -> collections.Counter:
    """The paints of `steps` steps (default: the whole trace), counted once the worker's numbers
    (contributions, the chosen row) are in and drawn."""
    app = QtWidgets.QApplication.instance()
    for view in VIEWS:
        paints.owners[getattr(w, view).layout_widget.scene()] = view
    qtbot.waitUntil(lambda: not s.computing)
    app.processEvents()
    paints.clear()
    for _ in range(steps or 2 * s.T):
        s.step()
        app.processEvents()
    return collections.Counter(paints)


def test_the_plots_axes_are_drawn_from_their_pixmaps(make_window):
    w, s = make_window(size=(1920, 1080))
    items = [i for v in VIEWS for i in getattr(w, v).layout_widget.scene().items()]
    plots = [i for i in items if isinstance(i, pg.PlotItem) and not isinstance(i, pg.ColorBarItem)]
    assert len(plots) >= 5
    for plot in plots:
        assert all(isinstance(plot.getAxis(side), CachedAxis) for side in ("left", "bottom"))


def test_a_sweep_repaints_no_axis(make_window, qtbot, paints):
    """The cursor, the bar column and the new heatmap column touch the axes (their ticks point into
    the plots) at every step, but no range, tick or size changes during a trace: no axis is drawn."""
    w, s = make_window(size=(1920, 1080))
    counts = sweep(qtbot, w, s, paints)
    assert counts[("hidden_view", "ImageItem")] >= s.T  # the heatmap was painted at each forward step
    assert counts[("gradient_view", "PlotCurveItem")] > 0  # and the going-back curves during BPTT
    for view in VIEWS:
        assert counts[(view, "AxisItem")] == 0, counts


def test_forward_steps_paint_nothing_in_the_gradient_view(make_window, qtbot, paints):
    """Before BPTT nothing in it changes: its note ("fills in during BPTT") is not set again."""
    w, s = make_window(size=(1920, 1080))
    counts = sweep(qtbot, w, s, paints, steps=s.T)
    assert w.gradient_view.fill_text.isVisible()
    assert not [key for key in counts if key[0] == "gradient_view"], counts
    assert counts[("hidden_view", "ImageItem")] == s.T


def test_the_gradient_plots_keep_their_size_during_a_sweep(make_window, qtbot, monkeypatch):
    """A verdict of fewer lines than the one before must not give the plots above it more room (and
    lay out and draw every axis again) mid-sweep: the verdict's room only grows during a trace."""
    import rnnviz.ui.widgets.gradient_view as gradient_view

    w, s = make_window(size=(1920, 1080))
    view, app = w.gradient_view, QtWidgets.QApplication.instance()
    qtbot.waitUntil(lambda: not s.computing)
    for _ in range(s.T + 2):  # into the backward pass: a verdict with a number
        s.step()
        app.processEvents()
    label, verdict = view.verdict_label, gradient_view.verdict
    monkeypatch.setattr(gradient_view, "verdict", lambda *a: verdict(*a) + " And more words." * 30)
    s.step()  # a verdict of several lines
    app.processEvents()
    tall = label.height()
    plots = (view.layout_widget.size().toTuple(), view.line_plot.vb.size().toTuple())
    assert tall >= 3 * label.fontMetrics().height()
    monkeypatch.setattr(gradient_view, "verdict", verdict)
    for _ in range(3):
        s.step()  # verdicts of one or two lines again
        app.processEvents()
        assert view._text_height(label.text(), label.width()) < tall  # what its words need now
        assert (label.height(), view.layout_widget.size().toTuple(), view.line_plot.vb.size().toTuple()) == (
            tall,
            *plots,
        )
    s.reset()  # a new trace: the room its verdicts need
    qtbot.waitUntil(lambda: not s.computing)
    app.processEvents()
    assert label.height() < tall


def test_the_training_curve_fits_its_range_before_it_is_painted(make_window):
    """Each redraw of the training curve fits its range at once, not in the paint: a range fitted
    there asked for a second paint of the plot at every training tick (the costlier one; counted
    in a training run: 2.07 paints a tick before, 1.11 after)."""
    w, s = make_window(size=(1920, 1080))
    view = w.loss_view
    app = QtWidgets.QApplication.instance()
    for n in (30, 60, 120, 1000):
        while s.history.count < n:
            s.history.add(s.history.count, 3.0 - 0.002 * s.history.count)
        view.show_curve()  # no paint, no event in between
        (x0, x1), (y0, y1) = view.curve_plot.vb.viewRange()
        assert x0 <= 0 and x1 >= n - 1
        assert y0 <= 3.0 - 0.002 * (n - 1) and y1 >= 3.0
        app.processEvents()
