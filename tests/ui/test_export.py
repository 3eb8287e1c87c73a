import csv
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from rnnviz.ui import export
from rnnviz.ui.export import (
    ExportError,
    export_csv,
    export_plot_svg,
    export_step_through,
    export_widget_png,
    export_widget_svg,
)
from rnnviz.ui.tables import backward_table, contributions_table, forward_table, loss_curve_table
from rnnviz.ui.widgets.hidden_view import HiddenView
from tests.ui.helpers import PATIENCE_MS, computed

DRAWING_TAGS = {"path", "rect", "text", "polyline", "polygon", "image", "line", "ellipse", "circle"}


@pytest.fixture
def hidden_view(session, shown):
    return shown(HiddenView(session), 560, 280)  # above its least usable size (issue 10)


@pytest.fixture
def label(shown):
    return shown(QLabel("Hello export"), 200, 50)


def colours(image: QImage) -> int:
    """How many distinct colours an image holds."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    pixels = rows[:, : rgb.width() * 3].reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


def drawing_elements(path) -> list[ET.Element]:
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    return [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in DRAWING_TAGS]


def read_csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def leftovers(folder) -> list[str]:
    return sorted(os.listdir(folder))


# --- pictures --------------------------------------------------------------------------------------


def test_png_has_scaled_size_and_ink(session, hidden_view, label, tmp_path):
    for _ in range(3):
        session.step()
    out = export_widget_png(hidden_view, tmp_path / "hidden.png", scale=2.0)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1120, 560)
    assert colours(image) > 20  # heatmap, bars, axes: not one flat colour
    out = export_widget_png(label, tmp_path / "label.png", scale=1.5)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (300, 75) and colours(image) > 2
    assert leftovers(tmp_path) == ["hidden.png", "label.png"]


def test_svg_of_hidden_view_and_label_holds_drawing(session, hidden_view, label, tmp_path):
    for _ in range(4):
        session.step()
    elements = drawing_elements(export_widget_svg(hidden_view, tmp_path / "hidden.svg"))
    tags = {e.tag.rsplit("}", 1)[-1] for e in elements}
    assert len(elements) > 20 and {"image", "text"} <= tags  # the heatmap image and the axis labels
    elements = drawing_elements(export_widget_svg(label, tmp_path / "label.svg"))
    assert any(e.text and "Hello export" in e.text for e in elements)


def test_plot_svg_uses_pyqtgraph_exporter_and_falls_back(session, hidden_view, tmp_path, monkeypatch):
    for _ in range(3):
        session.step()
    out = export_plot_svg(hidden_view.heat_plot, tmp_path / "heat.svg")
    assert len(drawing_elements(out)) > 5
    assert "pyqtgraph SVG export" in out.read_text(encoding="utf-8")  # works on PySide6 6.10.3

    import pyqtgraph.exporters as pgx

    def broken(self, *a, **k):  # what PySide6 6.11.0-6.12.0 does (pyqtgraph #3495)
        raise ValueError("not enough values to unpack (expected 2, got 1)")

    monkeypatch.setattr(pgx.SVGExporter, "export", broken)
    for target in (hidden_view.heat_plot, hidden_view):
        out = export_plot_svg(target, tmp_path / "fallback.svg")
        text = out.read_text(encoding="utf-8")
        assert "pyqtgraph SVG export" not in text and "<title>rnnviz plot</title>" in text
        assert len(drawing_elements(out)) > 5


# --- tables ----------------------------------------------------------------------------------------


def test_forward_table_round_trips_exactly(session, tmp_path):
    T, H = session.T, session.rnn.hidden_size
    for _ in range(T + 2):
        session.step()
    rows = read_csv(export_csv(tmp_path / "f.csv", *forward_table(session)))
    assert rows[0][:8] == ["t", "x_t id", "x_t token", "y_t id", "y_t token", "E_t", "o_t[y_t]", "|s_t|"]
    assert len(rows[0]) == 8 + H and len(rows) == 1 + T
    for row, ev in zip(rows[1:], session.stepper.forward_steps(), strict=True):
        assert [int(row[0]), int(row[1]), int(row[3])] == [ev.t, ev.x, ev.y]
        assert row[2] == session.vocab.label(ev.x) and row[4] == session.vocab.label(ev.y)
        assert float(row[5]) == ev.E and float(row[6]) == ev.o[ev.y]
        assert float(row[7]) == np.linalg.norm(ev.s)
        assert np.array_equal(np.array(row[8:], dtype=float), ev.s)


def test_backward_table_round_trips_exactly(session, tmp_path):
    for _ in range(session.T + 3):
        session.step()
    rows = read_csv(export_csv(tmp_path / "b.csv", *backward_table(session)))
    events = session.stepper.backward_steps()
    assert len(events) == 3 and len(rows) == 1 + 3
    for row, ev in zip(rows[1:], events, strict=True):
        n = np.linalg.norm
        want = [n(ev.error_direct), n(ev.error_carried), n(ev.delta), n(ev.dW_step), n(ev.gradients.dW)]
        assert int(row[0]) == ev.t and [float(v) for v in row[1:]] == want
    assert [int(r[0]) for r in rows[1:]] == [session.T - 1, session.T - 2, session.T - 3]


def test_contributions_table_round_trips_exactly(session, qtbot, tmp_path):
    with pytest.raises(ValueError, match="still being computed"):  # the worker has not delivered C yet
        contributions_table(session)
    computed(qtbot, lambda: session.contributions)
    rows = read_csv(export_csv(tmp_path / "c.csv", *contributions_table(session)))
    T = session.T
    assert rows[0] == ["t"] + [f"k={k}" for k in range(T)] and len(rows) == 1 + T
    got = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    assert np.array_equal(got, session.contributions)
    assert [int(r[0]) for r in rows[1:]] == list(range(T))


def test_loss_curve_table_after_training(session, qtbot, tmp_path):
    with pytest.raises(ExportError, match="Nothing to export"):
        export_csv(tmp_path / "loss.csv", *loss_curve_table(session))  # not trained yet
    assert leftovers(tmp_path) == []
    with qtbot.waitSignal(
        session.sig_training_changed, check_params_cb=lambda on: not on, timeout=PATIENCE_MS
    ):
        session.train(40)
    rows = read_csv(export_csv(tmp_path / "loss.csv", *loss_curve_table(session)))
    it, loss = session.history.data()
    _, smooth = session.history.smoothed(5)
    assert (
        rows[0] == ["iteration", "loss", "smoothed loss (moving mean of 5 points)"]
        and len(rows) == 1 + len(loss) == 41
    )
    got = np.array(rows[1:], dtype=float)
    assert np.array_equal(got[:, 0], it) and np.array_equal(got[:, 1], loss)
    assert np.array_equal(got[:, 2], smooth)


# --- step-through ----------------------------------------------------------------------------------


def test_gif_has_a_frame_per_step_and_restores_the_cursor(session, hidden_view, tmp_path):
    from PIL import Image, ImageSequence

    for _ in range(3):
        session.step()
    calls = []
    out = export_step_through(
        session, hidden_view, tmp_path / "steps.gif", fps=4, progress=lambda *a: calls.append(a)
    )
    n = session.stepper.total_steps + 1  # the start, then one frame per step
    assert out == [tmp_path / "steps.gif"] and leftovers(tmp_path) == ["steps.gif"]
    with Image.open(out[0]) as gif:
        frames = list(ImageSequence.Iterator(gif))
        assert len(frames) == n and gif.size == (560, 280)
        assert gif.info["duration"] == 250 and gif.info["loop"] == 0
    assert calls == [(i, n) for i in range(1, n + 1)]
    assert session.stepper.cursor == 3 and hidden_view.current_t == 2


def test_png_sequence_in_folder_or_pattern_with_step_limit(session, hidden_view, tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    out = export_step_through(session, hidden_view, folder, steps=4, scale=0.5)
    assert [p.name for p in out] == [f"frame_{i:03d}.png" for i in range(5)] and leftovers(folder) == [
        p.name for p in out
    ]
    assert QImage(str(out[-1])).size().toTuple() == (280, 140)
    out = export_step_through(session, hidden_view, tmp_path / "step_%02d.png", steps=2)
    assert [p.name for p in out] == ["step_00.png", "step_01.png", "step_02.png"]
    assert session.stepper.cursor == 0


@pytest.mark.parametrize("name", ["cancel.gif", "frames"])
def test_cancel_leaves_nothing_and_restores_the_cursor(session, hidden_view, tmp_path, name):
    target = tmp_path / "out"
    target.mkdir()
    for _ in range(session.T + 1):
        session.step()
    path = target / name
    if name == "frames":
        path.mkdir()
    out = export_step_through(session, hidden_view, path, progress=lambda i, n: i < 3)
    assert out == []
    assert leftovers(target) == ([] if name != "frames" else ["frames"]) and not any(target.rglob("*.*"))
    assert session.stepper.cursor == session.T + 1


# --- errors ----------------------------------------------------------------------------------------


def test_errors_are_readable_and_leave_no_file(session, label, qtbot, tmp_path, monkeypatch):
    with pytest.raises(ExportError, match="does not exist"):
        export_widget_png(label, tmp_path / "missing_dir" / "x.png")
    with pytest.raises(ExportError, match=r"unknown file type \('.bmp'\).*\.png"):
        export_widget_png(label, tmp_path / "x.bmp")
    with pytest.raises(ExportError, match="unknown file type"):
        export_widget_svg(label, tmp_path / "x.png")
    computed(qtbot, lambda: session.contributions)
    with pytest.raises(ExportError, match="unknown file type"):
        export_csv(tmp_path / "x.txt", *contributions_table(session))
    with pytest.raises(ExportError, match=r"'x.mp4': use a .gif file, an existing folder"):
        export_step_through(session, label, tmp_path / "x.mp4")
    with pytest.raises(ExportError, match="positive whole number"):
        export_step_through(session, label, tmp_path / "x.gif", steps=0)
    with pytest.raises(ExportError, match="a folder"):
        export_widget_png(label, tmp_path)
    empty = QLabel()
    qtbot.addWidget(empty)
    empty.resize(0, 0)
    with pytest.raises(ExportError, match="no size"):
        export_widget_png(empty, tmp_path / "empty.png")
    monkeypatch.setattr(export.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(ExportError, match="Could not save .*No space left"):
        export_widget_png(label, tmp_path / "full.png")
    assert leftovers(tmp_path) == []
    assert session.stepper.cursor == 0


# --- the whole graph (issue 10, item 4) -------------------------------------------------------------


@pytest.fixture
def small_graph(session, shown):
    from rnnviz.ui.widgets.graph_view import GraphView

    assert session.update_settings(seq_len=30)
    return shown(GraphView(session), 500, 200)  # shows a few of the 30 columns at a time


def graph_look(view):
    """Everything the live graph shows: edges, nodes, the highlight, the scroll position, the zoom."""
    edges = {k: (i.path(), i.pen().color().name(), i.pen().widthF(), i.brush().color().name())
             for k, i in view.edge_items.items()}  # fmt: skip
    nodes = {k: (i.pen().color().name(), i.pen().widthF()) for k, i in view.node_items.items()}
    scroll = view.horizontalScrollBar().value()
    return edges, nodes, scroll, view.transform(), view._band.isVisible(), view._band.pos()


def test_graph_picture_is_the_whole_unrolled_graph_whatever_the_window_shows(session, small_graph, tmp_path):
    for _ in range(5):
        session.step()
    scene = small_graph.sceneRect()
    bar = small_graph.horizontalScrollBar()
    assert bar.maximum() > 0  # the window scrolls: it shows only part of the graph
    at_start = QImage(str(export_widget_png(small_graph, tmp_path / "start.png", scale=1.0)))
    bar.setValue(bar.maximum())
    at_end = QImage(str(export_widget_png(small_graph, tmp_path / "end.png", scale=1.0)))
    assert at_start.size().toTuple() == (int(np.ceil(scene.width())), int(np.ceil(scene.height())))
    assert at_start == at_end  # independent of the viewport and its scroll position: no scroll bars
    double = QImage(str(export_widget_png(small_graph, tmp_path / "double.png", scale=2.0)))
    assert double.width() == 2 * at_start.width()  # drawn at twice the resolution
    # ink at both ends: the row names on the left, the last column on the right
    for x0 in (0, at_start.width() - 120):
        patch = at_start.copy(x0, 0, 120, at_start.height())
        assert colours(patch) > 3, x0
    svg = ET.parse(export_widget_svg(small_graph, tmp_path / "graph.svg")).getroot()
    view_box = [float(v) for v in svg.get("viewBox").split()]
    assert view_box[2:] == [np.ceil(scene.width()), np.ceil(scene.height())]


def test_a_gif_of_the_graph_has_whole_graph_frames_and_leaves_the_live_view_as_it_was(
    session, small_graph, tmp_path
):
    from PIL import Image

    for _ in range(session.T + 3):
        session.step()
    small_graph.horizontalScrollBar().setValue(40)
    before, picture = graph_look(small_graph), small_graph.grab().toImage()
    out = export_step_through(session, small_graph, tmp_path / "graph.gif", steps=8)
    with Image.open(out[0]) as gif:
        scene = small_graph.sceneRect()
        assert gif.size == (int(np.ceil(scene.width())), int(np.ceil(scene.height())))
    assert session.stepper.cursor == session.T + 3
    assert graph_look(small_graph) == before  # no stray arrowheads, same scroll, same zoom
    assert small_graph.grab().toImage() == picture
