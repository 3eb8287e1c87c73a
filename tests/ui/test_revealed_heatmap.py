"""The gradient view's heatmap draws only the column a backward step reveals (ui/column_image.py), and
the picture is byte for byte what pyqtgraph's whole render of the same image gives. Counted, never timed."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.ui.widgets.gradient_view import GradientView
from tests.ui.helpers import computed


@pytest.fixture
def view(session, shown):
    return shown(GradientView(session), 900, 400)


def whole_render(item: pg.ImageItem) -> np.ndarray:
    """The bytes pyqtgraph's own render makes of the item's image, levels and colours."""
    fresh = pg.ImageItem()
    fresh.setLookupTable(item.lut)
    fresh.setImage(item.image.copy(), autoLevels=False, levels=item.levels)
    fresh.render()
    return pg.functions.ndarray_from_qimage(fresh.qimage).copy()


def test_backward_steps_copy_their_column_with_the_whole_renders_bytes(session, view, qtbot, monkeypatch):
    computed(qtbot, lambda: session.contributions)
    app = QtWidgets.QApplication.instance()
    for _ in range(session.T):  # the forward pass: nothing to reveal yet
        session.step()
    app.processEvents()
    renders, widths = [], []
    heatmap = view.heatmap
    monkeypatch.setattr(type(heatmap), "render", lambda self: renders.append(1) or pg.ImageItem.render(self))
    make = pg.functions_qimage.try_make_qimage
    monkeypatch.setattr(
        pg.functions_qimage,
        "try_make_qimage",
        lambda image, **kw: widths.append(image.shape[1]) or make(image, **kw),
    )
    for k in range(session.T - 1, -1, -1):  # backward steps reveal columns T-1 .. 0
        session.step()
        app.processEvents()
        assert view.revealed[:, k].any()
        shown = pg.functions.ndarray_from_qimage(heatmap.qimage).copy()
        with monkeypatch.context() as m:  # the reference render is not counted
            m.setattr(pg.functions_qimage, "try_make_qimage", make)
            assert np.array_equal(shown, whole_render(heatmap))
    # the image on show is never rendered whole again: its values' colours are found once (and the
    # transparent pixel's), then each step copies its column from them
    assert renders == [] and widths == [session.T, 1]


class PaintRegions(QtCore.QObject):
    """The regions of the paint events a widget receives."""

    def __init__(self):
        super().__init__()
        self.regions = []

    def eventFilter(self, obj, event):
        if event.type() == QtCore.QEvent.Type.Paint:
            self.regions.append(QtGui.QRegion(event.region()))
        return False


def test_a_backward_step_repaints_only_its_column_of_the_heatmap(session, view, qtbot):
    """Of the heatmap, the paint after a backward step exposes the new column's strip (and Qt's few
    pixels of margin round it), not the whole image."""
    computed(qtbot, lambda: session.contributions)
    app = QtWidgets.QApplication.instance()
    for _ in range(session.T + 1):  # the forward pass and one backward step: column T-1 drawn
        session.step()
    app.processEvents()
    spy = PaintRegions()
    viewport = view.layout_widget.viewport()
    viewport.installEventFilter(spy)
    session.step()  # reveals column T - 2
    app.processEvents()
    viewport.removeEventFilter(spy)
    T, gv = session.T, view.layout_widget

    def on_screen(rect):  # the heatmap's rect (item coordinates: one unit a cell) in the viewport
        return gv.mapFromScene(view.heatmap.mapRectToScene(rect)).boundingRect()

    whole, column = on_screen(QtCore.QRectF(0, 0, T, T)), on_screen(QtCore.QRectF(T - 2, 0, 1, T))
    assert view.revealed[:, T - 2].any() and spy.regions
    exposed = QtGui.QRegion()
    for region in spy.regions:
        exposed += region.intersected(whole)
    assert not exposed.isEmpty()
    assert column.adjusted(-4, -4, 4, 4).contains(exposed.boundingRect()), (exposed.boundingRect(), column)
