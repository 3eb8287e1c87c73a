"""Issue 12 in the window: the cell selector, View > Compare cells, presenter mode, tooltips and
every export (PNG, SVG, CSV, GIF) cover gated cells and compare mode."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from rnnviz.ui import style
from rnnviz.ui.tables import backward_table, forward_table
from tests.ui.helpers import PATIENCE_MS, settled, shown_on_screen


@pytest.fixture
def window(make_window):
    return make_window(size=(1920, 1080), task="echo", delay=2, hidden=6, seq_len=6, seed=1)[0]


def test_the_cell_selector_and_view_compare_cells(window, qtbot):
    w, s = window, window.session
    w.controls.cell.setCurrentIndex(w.controls.cell.findData("gru"))
    assert s.rnn.cell == "gru" and "GRU" in w.graph_view._static[("row", "title")]
    assert not s.comparing and not w.compare_graph.isVisible() and not w.actions["compare"].isChecked()
    w.actions["compare"].trigger()  # View > Compare cells: a second cell, by default an LSTM
    assert s.comparing and [t.name for t in s.tracks] == ["GRU", "LSTM"]
    assert w.actions["compare"].isChecked() and shown_on_screen(w.compare_graph)
    assert w.controls.compare.currentData() == "lstm" and "compared graph" in w.views
    w.controls.compare.setCurrentIndex(w.controls.compare.findData("rnn"))
    assert [t.name for t in s.tracks] == ["GRU", "RNN"]
    w.actions["compare"].trigger()
    assert not s.comparing and not w.compare_graph.isVisible() and "compared graph" not in w.views


def test_a_cell_cannot_be_compared_with_itself(window):
    w, s = window, window.session
    assert s.update_settings(compare="lstm")
    messages = []
    s.sig_message.connect(messages.append)
    w.controls.cell.setCurrentIndex(w.controls.cell.findData("lstm"))  # the same as the compared one
    assert s.settings.cell == "rnn" and "another cell" in messages[-1]
    assert w.controls.cell.currentData() == "rnn"  # the panel shows what is in force


def test_compare_mode_in_presenter_mode_and_back(window, qtbot):
    w, s = window, window.session
    assert s.update_settings(compare="lstm")
    w.set_presenter(True)
    assert w.compare_graph.theme.name == "presenter" and w.gradient_view.theme.name == "presenter"
    for _ in range(s.T + 3):
        s.step()
    settled(qtbot, s)
    assert shown_on_screen(w.compare_graph) and w.compare_graph.highlighted_t == s.T - 3
    w.set_presenter(False)
    assert w.compare_graph.theme.name == "normal"


def test_tooltips_of_the_new_parts(window, qtbot):
    w, s = window, window.session
    assert s.update_settings(cell="lstm", compare="rnn")
    s.step()
    bars = w.compare_graph.gate_bars if w.compare_graph.gate_bars is not None else w.graph_view.gate_bars
    tip = bars.slots["f"].toolTip()
    assert "forget gate" in tip and f"{np.mean(s.stepper.last.gates['f']):.4f}" in tip
    assert "cell state" in w.graph_view.tooltip_of(w.graph_view.node_items[("c", 0)])
    for _ in range(2 * s.T - 1):
        s.step()
    assert "carried back" in w.graph_view.tooltip_of(w.graph_view.edge_items[("C", 1)])
    view = w.loss_view
    pos = view.step_plot.vb.mapViewToScene(
        view.step_plot.vb.mapSceneToView(view.step_plot.sceneBoundingRect().center())
    )
    view._hover(pos)
    assert (
        "LSTM: o_t[y_t]" in view.layout_widget.toolTip() and "RNN: o_t[y_t]" in view.layout_widget.toolTip()
    )


def test_every_export_covers_the_second_cell(window, qtbot, tmp_path):
    w, s = window, window.session
    assert s.update_settings(cell="rnn", compare="lstm")
    s.train(20)  # a training curve for each cell
    qtbot.waitUntil(lambda: not s.training, timeout=PATIENCE_MS)
    for _ in range(s.T + 3):
        s.step()
    settled(qtbot, s)
    cells_views = ("graph", "hidden", "loss", "gradients", "compared graph")
    assert set(cells_views) <= set(w.views)  # and the lab's views, exported in their own tests
    for name in cells_views:
        png, svg = tmp_path / f"{name}.png", tmp_path / f"{name}.svg"
        assert w.files.export_view(name, str(png)) and png.stat().st_size > 1000
        assert w.files.export_view(name, str(svg)) and len(list(ET.parse(svg).getroot().iter())) > 10
    tables = w.files.csv_tables()
    assert "backward (LSTM)" in tables and "contributions (LSTM)" in tables
    for table in tables:
        out = tmp_path / f"{table}.csv"
        assert w.files.export_csv(table, str(out)), table
    with (tmp_path / "backward (LSTM).csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    lstm = s.tracks[1].stepper
    header, want = backward_table(s.side(1))
    assert rows[0] == header and "|dL/dc_t|" in header and len(rows) == 1 + len(lstm.backward_steps())
    assert np.allclose(np.array(rows[1:], dtype=float), np.array(want, dtype=float), rtol=0, atol=0)
    last = lstm.backward_steps()[-1]
    assert float(rows[-1][header.index("|dL/dc_t|")]) == np.linalg.norm(last.error_c)
    with (tmp_path / "forward (LSTM).csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == forward_table(s.side(1))[0] and "mean f_t (forget gate)" in rows[0]
    gif = tmp_path / "compare.gif"
    assert w.files.export_gif("compared graph", str(gif)) and gif.stat().st_size > 1000
    assert s.stepper.cursor == s.tracks[1].stepper.cursor == s.T + 3  # back where it was


def test_the_hidden_view_and_equations_panel_choose_the_cell(window, qtbot):
    w, s = window, window.session
    assert s.update_settings(compare="gru")
    for _ in range(3):
        s.step()
    hidden = w.hidden_view
    labels = [hidden.chooser.itemText(i) for i in range(hidden.chooser.count())]
    assert (
        labels[0] == "RNN: hidden state s" and "GRU: update gate u" in labels and hidden.chooser.isVisible()
    )
    hidden.choose(1, "u")
    assert np.allclose(hidden.image[:, :3], s.tracks[1].rnn.forward(s.x).gates["u"][:3].T)
    eq = w.equations_view
    assert not eq.chooser.isHidden() and eq.chooser.count() == 2
    eq.chooser.setCurrentIndex(1)
    text = eq.browser.toPlainText()
    assert "GRU" in text and "ut = σ(Uu xt + Wu st−1 + bu)" in text.replace("\xa0", " ")
    eq.chooser.setCurrentIndex(0)
    assert "zt = U xt + W st−1" in eq.browser.toPlainText().replace("\xa0", " ")


def test_the_cell_state_has_its_own_colour_in_the_backward_pass(window):
    w, s = window, window.session
    assert s.update_settings(cell="lstm")
    for _ in range(s.T + 2):
        s.step()
    g = w.graph_view
    t = s.stepper.last.t
    assert g.edge_pens[("C", t + 1)].color().name().lower() == style.CELL_STATE.lower()
    assert g.edge_pens[("W", t + 1)].color().name().lower() == style.NORMAL.backward.lower()
