"""The hidden view's heatmap adds a column without rendering the whole image again, and the image it
holds is, pixel for pixel, the one pyqtgraph's whole render makes."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtGui, QtWidgets

from rnnviz.ui import style
from rnnviz.ui.column_image import ColumnImage


def argb(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_ARGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 4 * image.width()].copy()


def whole_render(image: np.ndarray, levels, lut) -> np.ndarray:
    item = pg.ImageItem(axisOrder="row-major")
    item.setLookupTable(lut)
    item.setImage(image.copy(), autoLevels=False, levels=levels)
    item.render()
    return argb(item.qimage)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("levels", [(-1.0, 1.0), (-2.3, 2.3)])
def test_each_column_makes_the_whole_renders_image(qtbot, seed, levels):
    rng = np.random.default_rng(seed)
    rows, T = 16 + seed * 7, 12 + seed * 5
    values = np.tanh(rng.normal(size=(rows, T)) * 2) * levels[1] * 1.2  # beyond the levels too: clipped
    values[0, :] = levels[0]  # the levels' own ends
    values[1, :] = levels[1]
    values[2, 3] = np.nan  # a value not computed: transparent
    lut = style.colormap(style.NORMAL.diverging).getLookupTable(nPts=256)
    item = ColumnImage(axisOrder="row-major")
    item.setLookupTable(lut)
    image = np.full((rows, T), np.nan)
    item.setImage(image, autoLevels=False, levels=levels)
    item.render()  # as the first paint does
    for t in range(T):
        image[:, t] = values[:, t]
        item.set_column(image, t, levels)
        assert not item._renderRequired  # the column was written into the image on show
        assert np.array_equal(argb(item.qimage), whole_render(image, levels, lut)), t


def test_a_column_is_not_a_whole_render(qtbot, monkeypatch):
    """Nothing rendered again; the item is drawn again as setImage has it drawn (a strip alone would
    round a pixel at a scaled column's edge apart from a whole paint)."""
    lut = style.colormap(style.NORMAL.diverging).getLookupTable(nPts=256)
    item = ColumnImage(axisOrder="row-major")
    item.setLookupTable(lut)
    image = np.full((8, 10), np.nan)
    item.setImage(image, autoLevels=False, levels=(-1, 1))
    item.render()
    renders, updates = [], []
    monkeypatch.setattr(item, "render", lambda: renders.append(1))
    monkeypatch.setattr(item, "update", lambda *a: updates.append(a))
    image[:, 4] = 0.5
    item.set_column(image, 4, (-1, 1))
    assert renders == [] and not item._renderRequired
    assert updates == [()]
    item.set_column(image, 5, (-0.5, 0.5))  # other levels: the whole image again
    assert item._renderRequired


def test_a_forward_step_renders_no_whole_heatmap(make_window, monkeypatch):
    w, s = make_window(size=(1280, 720))
    app = QtWidgets.QApplication.instance()
    heatmap = w.hidden_view.heatmap
    s.step()
    app.processEvents()  # the first column: the whole (empty) image rendered once, when painted
    assert not heatmap._renderRequired
    renders = []
    original = heatmap.render
    monkeypatch.setattr(heatmap, "render", lambda: (renders.append(1), original())[1])
    for _ in range(4):
        s.step()
        app.processEvents()
    assert renders == []
    rows, T = w.hidden_view.image.shape
    lut = heatmap.lut
    assert np.array_equal(argb(heatmap.qimage), whole_render(w.hidden_view.image, heatmap.levels, lut))
