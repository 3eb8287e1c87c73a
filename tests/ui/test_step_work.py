"""What a step asks of the hidden and loss views, the titles and the bars: no work that changes
nothing. Counted, never timed (the figures are benchmarks/ui_step.py's)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

from rnnviz.ui import fit_text, value_bars
from rnnviz.ui.fit_text import _span, shown_title


def item_pixels(item: QtWidgets.QGraphicsTextItem) -> bytes:
    rect = item.boundingRect()
    image = QtGui.QImage(int(rect.width()) + 2, int(rect.height()) + 2, QtGui.QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QtGui.QPainter(image)
    item.paint(painter, QtWidgets.QStyleOptionGraphicsItem(), None)
    painter.end()
    return bytes(image.constBits())


def spy(monkeypatch, obj, name: str) -> list:
    """Calls of obj.name (a Python attribute on the wrapper: the app's own calls go through it)."""
    calls = []
    original = getattr(obj, name)
    monkeypatch.setattr(obj, name, lambda *a: (calls.append(a), original(*a))[1], raising=False)
    return calls


def test_a_step_changes_the_bar_title_in_place(make_window, monkeypatch):
    """The hidden view's bar title (s_t) changes at every step: its characters are replaced in the
    document, no HTML is parsed again, it is not moved while its width stays, and its tooltip is
    not set again; what is drawn is what setHtml draws."""
    w, s = make_window(size=(1280, 720))
    label = w.hidden_view.bar_plot.titleLabel
    s.step()  # s_0: the title has its span
    html, moves, tips = (
        spy(monkeypatch, label.item, "setHtml"),
        spy(monkeypatch, label.item, "setPos"),
        spy(monkeypatch, label, "setToolTip"),
    )
    for t in range(1, 6):
        s.step()
        assert shown_title(w.hidden_view.bar_plot) == label.text == f"s_{t}"
    assert html == [] and moves == [] and tips == []
    assert label.item.document().availableUndoSteps() == 0  # nothing kept to undo, step after step
    fresh = QtWidgets.QGraphicsTextItem()
    fresh.setHtml(_span(label.text, str(label.opts["color"]), label.opts["size"]))
    assert fresh.boundingRect() == label.item.boundingRect()
    assert item_pixels(fresh) == item_pixels(label.item)


def test_a_title_of_another_width_is_centred_again(make_window, qtbot):
    w, s = make_window(size=(1280, 720))
    plot = w.hidden_view.bar_plot
    label = plot.titleLabel
    fit_text.set_plot_title(plot, "s_1", "#101010", 12)
    fit_text.set_plot_title(plot, "a much longer title", "#101010", 12)
    centre = label.mapRectFromItem(label.item, label.item.boundingRect()).center().x()
    assert abs(centre - label.rect().center().x()) <= 1
    assert shown_title(plot) == "a much longer title"
    fit_text.set_plot_title(plot, "", "#101010", 12)  # an empty title and back: the span is kept
    fit_text.set_plot_title(plot, "s_2", "#101010", 12)
    fresh = QtWidgets.QGraphicsTextItem()
    fresh.setHtml(_span("s_2", "#101010", "12pt"))
    assert item_pixels(fresh) == item_pixels(label.item)


def test_the_loss_view_hides_its_empty_crosses(make_window):
    """Every step has a target by default: no cross to draw, so the empty scatter is not on
    screen (Qt would paint it at every new bar); a trace with steps without a target shows them."""
    w, s = make_window(size=(1280, 720))
    lv = w.loss_view
    for _ in range(3):
        s.step()
    assert len(lv.no_target_marks.data) == 0 and not lv.no_target_marks.isVisible()
    assert s.update_settings(task="temporal-order", order_length=8)
    s.step()
    s.step()
    assert len(lv.no_target_marks.data) > 0 and lv.no_target_marks.isVisible()


def test_the_chance_lines_tooltip_is_set_once_while_training(make_window, monkeypatch):
    w, s = make_window(size=(1280, 720))
    lv = w.loss_view
    tips = spy(monkeypatch, lv.chance_line, "setToolTip")
    for _ in range(5):
        lv.show_curve()
    assert tips == [] and "log K" in lv.chance_line.toolTip()


def test_the_bars_fill_one_path_again_and_again(qtbot, monkeypatch):
    made = []

    class Counted(QtGui.QPainterPath):
        def __init__(self, *a):
            super().__init__(*a)
            made.append(self)

    monkeypatch.setattr(value_bars.QtGui, "QPainterPath", Counted)
    bars = value_bars.ValueBars()
    values = np.linspace(-1, 1, 40)
    bars.set_bars(values, [pg.mkBrush("r")] * len(values))
    image = QtGui.QImage(50, 50, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    bars.paint(painter)
    painter.end()
    assert len(made) == 1


def test_a_training_tick_smooths_the_losses_once(make_window, monkeypatch):
    """The curve, its title and the legend share one smoothing of the losses, computed once a
    redraw (the title's number is the curve's last point)."""
    w, s = make_window(size=(1280, 720))
    h = s.history
    for i in range(300):
        h.add(i + 1, 2.0 + np.sin(i / 7.0))
    lv = w.loss_view  # (built on demand: it draws the curve once as it is built)
    calls = spy(monkeypatch, h, "smoothed")
    lv.show_curve()
    assert len(calls) == 1
    sy = lv.smooth_curve.yData
    assert f"smoothed {sy[-1]:.3f}" in lv.curve_plot.titleLabel.text
