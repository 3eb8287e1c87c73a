"""ElidedLabel: a text change asks for a new layout only when the text needs another width (the
status line changes at every step: each layout request laid out the whole window again)."""

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.ui.fit_text import ElidedLabel


class _LayoutRequests(QtCore.QObject):
    """Counts the LayoutRequest events a widget receives."""

    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        self.count += event.type() == QtCore.QEvent.Type.LayoutRequest
        return False


def _box(shown, label):
    box = QtWidgets.QWidget()
    row = QtWidgets.QHBoxLayout(box)
    row.addWidget(label)
    row.addStretch(1)
    shown(box, 500, 40)
    QtWidgets.QApplication.processEvents()  # the first layout, done
    return box


def _requests_after(label, text, counter) -> int:
    counter.count = 0
    label.setText(text)
    QtWidgets.QApplication.processEvents()
    return counter.count


def test_a_new_text_of_the_same_width_lays_nothing_out(qtbot, shown):
    label = ElidedLabel("t = 1   E = 1.2345")
    box = _box(shown, label)
    requests = _LayoutRequests(box)
    metrics = label.fontMetrics()
    same = "t = 2   E = 1.2346"
    assert metrics.horizontalAdvance(same) == metrics.horizontalAdvance(label.text())
    assert _requests_after(label, same, requests) == 0
    assert label.shown_text() == same
    assert _requests_after(label, "t = 2   E = 1.2346 and more", requests) == 1  # wider: laid out
    assert label.width() >= metrics.horizontalAdvance(label.text())
    assert _requests_after(label, "short", requests) == 1  # narrower: laid out, its width follows


def test_a_steady_label_keeps_its_width_until_let_shrink(qtbot, shown):
    label = ElidedLabel("backward   t = 3   |δ₃| = 0.0123", steady=True)
    box = _box(shown, label)
    requests = _LayoutRequests(box)
    wide = label.width()
    assert _requests_after(label, "forward   t = 3", requests) == 0  # needs less: keeps its width
    assert label.width() == wide and label.shown_text() == "forward   t = 3"
    assert _requests_after(label, "backward   t = 3   |δ₃| = 1.23e-05 and more", requests) == 1
    assert label.width() > wide
    label.let_shrink()
    assert _requests_after(label, "ready", requests) == 1
    assert label.width() < wide


def test_it_draws_its_text_as_a_qlabel_does(qtbot, shown):
    """It paints its text itself (no QLabel.setText): the pixels are a QLabel's."""
    text = "forward   t = 2 of 11   E₂ = 1.3154"
    ours, theirs = ElidedLabel(text), QtWidgets.QLabel(text)
    images = []
    for label in (ours, theirs):
        shown(label, 300, 30)
        image = label.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
        images.append(np.frombuffer(image.constBits(), np.uint8).copy())
    assert np.array_equal(*images)
    ours.resize(60, 30)  # too narrow: cut, with the whole text as its tooltip
    qtbot.waitUntil(lambda: ours.shown_text().endswith("…"))
    assert ours.toolTip() == text and ours.text() == text
