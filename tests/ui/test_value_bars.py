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


def test_one_image_draws_the_pixels_of_a_path_a_bar(monkeypatch):
    """The hidden view's bars as one image (ui/bar_raster.py): the pixels pyqtgraph's picture of
    fillRects draws, at random scales and offsets, y up or down, from 1 to 1024 bars (all gates)."""
    from rnnviz.ui import bar_raster

    drawn_as_image = []
    draw = bar_raster.draw
    monkeypatch.setattr(bar_raster, "draw", lambda *a: (drawn_as_image.append(1), draw(*a)))
    rng = np.random.default_rng(8)
    cmap = pg.colormap.get("CET-D1")
    for trial in range(40):
        n = int(rng.choice([1, 7, 64, 256, 1024]))
        s = np.tanh(rng.normal(size=n) * 2)
        s[rng.integers(n)] = 0.0 if n > 1 else 0.7  # a bar of no width among the others
        brushes = [pg.mkBrush(c) for c in cmap.map(rng.uniform(0, 1, n), mode="qcolor")]
        new = ValueBars(height=0.8)
        new.set_bars(s, brushes)
        old = pg.BarGraphItem(
            x0=np.minimum(s, 0),
            y=np.arange(n),
            width=np.abs(s),
            height=0.8,
            brushes=brushes,
            pen=pg.mkPen(None),
        )
        sy = rng.uniform(0.4, 40) * rng.choice([-1, 1])
        transform = QtGui.QTransform(
            rng.uniform(30, 190), 0, 0, sy, rng.uniform(150, 250), rng.uniform(-5, 5)
        )
        if sy < 0:
            transform.translate(0, -n)  # rows upwards from the bottom
        images = []
        for item in (new, old):
            image = QtGui.QImage(400, 600, QtGui.QImage.Format.Format_ARGB32)
            image.fill(QtGui.QColor("white"))
            painter = QtGui.QPainter(image)
            painter.setWorldTransform(transform)
            item.paint(painter, None, None)
            painter.end()
            images.append(np.frombuffer(image.constBits(), np.uint8).copy())
        assert (images[0] != 255).any() or n * abs(sy) < 2, trial  # something was drawn
        assert np.array_equal(*images), trial
    assert len(drawn_as_image) == 40


def test_bars_zoomed_far_in_make_an_image_no_larger_than_the_device():
    bars = ValueBars()
    bars.set_bars(np.array([0.5, -0.5, 0.9]), [pg.mkBrush("#336699")] * 3)
    image = QtGui.QImage(50, 40, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(image)
    painter.setWorldTransform(QtGui.QTransform(1e6, 0, 0, 1e6, -4e5, -2e5))  # a bar fills it all
    bars.paint(painter, None, None)
    painter.end()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(40, 50, 4)
    assert (pixels[..., :3] != 255).all()


def test_in_the_window_one_image_draws_what_path_fills_draw(make_window, monkeypatch):
    """The hidden view's bars in the app, as one image and as a path a bar: the same window. (A
    widget's painter is redirected to its window with an offset: the image must land there too.)"""
    from rnnviz.ui import bar_raster

    w, s = make_window(size=(1280, 720), hidden=64, seq_len=20)
    for _ in range(7):
        s.step()
    images = []
    for one_image in (True, False):
        used = []
        monkeypatch.setattr(
            bar_raster, "can_draw", lambda *a, _used=used, _on=one_image: _used.append(1) or _on
        )
        w.hidden_view.bars.update()
        image = w.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_ARGB32)
        images.append(np.frombuffer(image.constBits(), np.uint8).copy())
        assert used  # the bars were painted
    assert np.array_equal(*images)
    assert w.hidden_view.bars.isVisible() and len(w.hidden_view.current_s) == 64
