"""The hidden view's bars draw the pixels pyqtgraph's BarGraphItem drew, from fewer calls per step."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui

from rnnviz.ui.value_bars import StepBars, ValueBars


def pixels(item, size=(240, 300), antialiased=True, scale=(97.3, 13.7)) -> np.ndarray:
    """The item drawn into an image, rows -1..H on the height, x -1.2..1.2 across."""
    image = QtGui.QImage(*size, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, antialiased)
    painter.setWindow(QtCore.QRect(-120, -10, 240, 300))  # fractional pixels per unit: antialiased edges
    painter.setWorldTransform(QtGui.QTransform.fromScale(*scale))
    item.paint(painter, None, None)
    painter.end()
    return np.frombuffer(image.constBits(), np.uint8).reshape(size[1], size[0], 4).copy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_same_pixels_as_bar_graph_item(qtbot, seed):
    rng = np.random.default_rng(seed)
    s = np.tanh(rng.normal(size=16) * 2)
    s[3] = 0.0  # a bar of no width
    brushes = [pg.mkBrush(c) for c in pg.colormap.get("CET-D1").map(np.linspace(0, 1, 16), mode="qcolor")]
    old = pg.BarGraphItem(
        x0=np.minimum(s, 0), y=np.arange(16), width=np.abs(s), height=0.8, brushes=brushes, pen=pg.mkPen(None)
    )
    new = ValueBars(height=0.8)
    new.set_bars(s, brushes)
    drawn = pixels(new)
    assert (drawn != 255).any()  # something was drawn
    assert np.array_equal(drawn, pixels(old))
    # unantialiased, as the plots draw them: fractional edges rounded as a played picture rounds them
    for scale in ((97.3, 13.7), (61.7, 7.83), (88.1, 11.29), (75.0, 16.55)):
        aliased = {"antialiased": False, "scale": scale}
        assert np.array_equal(pixels(new, **aliased), pixels(old, **aliased)), scale
    assert np.array_equal(in_a_plot(new, qtbot), in_a_plot(old, qtbot))  # as the hidden view shows them


def in_a_plot(item, qtbot) -> np.ndarray:
    """The item in a plot (inverted y, as the hidden view's), grabbed from the screen."""
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(331, 517)
    widget.addItem(item)
    widget.invertY(True)
    widget.setXRange(-1, 1, padding=0.05)
    widget.setYRange(-0.5, 15.5, padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    image = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_ARGB32)
    return np.frombuffer(image.constBits(), np.uint8).copy()


def test_new_values_draw_again(qtbot):
    bars = ValueBars()
    brush = [pg.mkBrush("#336699")] * 2
    bars.set_bars(np.array([0.5, -0.5]), brush)
    first = pixels(bars)
    bars.set_bars(np.array([0.9, 0.1]), brush)
    assert not np.array_equal(first, pixels(bars))  # not the picture recorded for the old values
    assert bars.boundingRect().contains(QtCore.QRectF(0, -0.4, 0.9, 1.8))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_step_bars_draw_the_pixels_of_a_brush_a_bar(seed):
    """The loss view's E_t bars: one brush (or two, with an infinite E_t) filled as paths, the
    pixels of BarGraphItem's picture of a brush a bar, at fractional scales, unantialiased as drawn."""
    rng = np.random.default_rng(seed)
    n = 40
    heights = rng.uniform(0, 1.5, n)
    blue, red = pg.mkBrush("#0072B2"), pg.mkBrush("#D55E00")
    for brushes in ([blue] * n, [red if i % 7 == 3 else blue for i in range(n)]):
        one = {"brush": blue, "brushes": None} if len(set(map(id, brushes))) == 1 else {"brushes": brushes}
        new = StepBars(x=np.arange(n) - 0.21, height=heights, width=0.4, pen=pg.mkPen(None), **one)
        old = pg.BarGraphItem(
            x=np.arange(n) - 0.21, height=heights, width=0.4, pen=pg.mkPen(None), brushes=brushes
        )
        for scale in ((4.01, -65.2), (4.65, -63.7), (5.88, -95.7), (6.02, -155.9), (5.1, -124.2)):
            aliased = {"antialiased": False, "scale": scale, "size": (260, 300)}
            drawn = pixels(new, **aliased)
            assert (drawn != 255).any()
            assert np.array_equal(drawn, pixels(old, **aliased)), scale
