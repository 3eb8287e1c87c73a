import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.ui import style
from rnnviz.ui.widgets.graph_view import GraphView, gradient_width


@pytest.fixture
def view(session, qtbot):
    v = GraphView(session)
    qtbot.addWidget(v)
    return v


def _color(pen) -> str:
    return pen.color().name().upper()


def test_builds_three_nodes_per_step_and_holds_its_scene(session, view):
    T = session.T
    assert len(view.node_items) == 3 * T
    assert {r for r, _ in view.node_items} == {"x", "s", "o"}
    assert len(view.edge_pens) == 3 * T - 1  # no W edge into s_0
    assert view.scene() is view.scene_
    assert view.highlighted_t is None and view.phase is None
    # nothing computed yet: every edge and node is muted
    assert all(_color(p) == style.NORMAL.muted.upper() for p in view.edge_pens.values())
    assert _color(view.node_items[("s", 0)].pen()) == style.NORMAL.muted.upper()


def test_highlight_follows_step_and_back(session, view):
    T = session.T
    session.step()
    assert (view.highlighted_t, view.phase) == (0, "forward")
    session.step()
    assert view.highlighted_t == 1
    assert _color(view.node_items[("s", 1)].pen()) == style.NORMAL.forward.upper()
    session.back()
    assert (view.highlighted_t, view.phase) == (0, "forward")
    assert _color(view.node_items[("s", 1)].pen()) == style.NORMAL.muted.upper()
    for _ in range(T):  # the rest of the forward pass, then the first backward step
        session.step()
    assert (view.highlighted_t, view.phase) == (T - 1, "backward")
    assert _color(view.node_items[("s", T - 1)].pen()) == style.NORMAL.backward.upper()
    session.back()
    assert (view.highlighted_t, view.phase) == (T - 1, "forward")


def test_backward_edges_are_coloured_only_where_the_gradient_has_flowed(session, view):
    T = session.T
    for _ in range(T + 3):
        session.step()
    pens, back, fg = view.edge_pens, style.NORMAL.backward.upper(), style.NORMAL.foreground.upper()
    for t in (T - 1, T - 2, T - 3):
        assert _color(pens[("V", t)]) == back and _color(pens[("U", t)]) == back
    assert _color(pens[("V", 0)]) == fg and _color(pens[("U", 0)]) == fg and _color(pens[("W", 1)]) == fg
    ev = session.stepper.last
    assert pens[("V", ev.t)].widthF() == pytest.approx(gradient_width(np.linalg.norm(ev.error_direct)))


def test_vanishing_gradient_thins_the_far_back_w_edges(session, view):
    # one loss E_{T-1} traced back through a contracting W: the carried error shrinks ~0.2x per step
    assert session.update_settings(spectral_radius=0.2, seq_len=12, mode="single")
    session.stepper.run()
    view.show_state()
    T = session.T
    bw = {e.t: e for e in session.stepper.backward_steps()}
    norms = [np.linalg.norm(bw[t - 1].error_carried) for t in range(1, T)]
    widths = [view.edge_pens[("W", t)].widthF() for t in range(1, T)]
    assert norms[0] < 1e-4 * norms[-1]  # the case really does vanish
    assert all(_color(view.edge_pens[("W", t)]) == style.NORMAL.backward.upper() for t in range(1, T))
    assert widths[-1] > widths[0] + 3  # visibly thicker near the loss than far back
    assert np.all(np.diff(widths) >= 0) and np.all(np.diff(norms) > 0)
    # the untraced outputs carry no gradient, so their V edges keep the forward look
    assert _color(view.edge_pens[("V", 0)]) == style.NORMAL.foreground.upper()


def test_tooltips_show_the_numbers_from_the_events(session, view):
    T = session.T
    assert "not computed" in view.tooltip_of(view.node_items[("s", 2)])
    assert "no gradient carried back yet" in view.tooltip_of(view.edge_items[("W", 2)])
    for _ in range(T + 1):
        session.step()
    fw = session.stepper.forward_steps()[2]
    o_tip = view.tooltip_of(view.node_items[("o", 2)])
    assert f"{fw.E:.3f}" in o_tip and f"{fw.o[fw.y]:.4f}" in o_tip
    top = int(np.argmax(fw.o))
    assert f"'{session.vocab.label(top)}' {fw.o[top]:.3f}" in o_tip
    s_tip = view.tooltip_of(view.node_items[("s", 2)])
    assert f"{np.linalg.norm(fw.s):.4f}" in s_tip and f"{fw.s[0]:+.3f}" in s_tip
    b = session.stepper.last
    s_tip = view.tooltip_of(view.node_items[("s", b.t)])
    for v in (b.error_direct, b.error_carried, b.error, b.delta):
        assert f"{np.linalg.norm(v):.4e}" in s_tip
    assert f"{np.linalg.norm(b.delta):.4e}" in view.tooltip_of(view.edge_items[("U", b.t)])
    assert session.vocab.label(session.x[0]) in view.tooltip_of(view.node_items[("x", 0)])


def test_new_sequence_length_rebuilds_and_show_state_is_idempotent(session, view):
    assert session.update_settings(seq_len=9)
    assert len(view.node_items) == 27 and len(view.edge_pens) == 26
    for _ in range(12):
        session.step()
    before = {k: (p.widthF(), _color(p)) for k, p in view.edge_pens.items()}
    view.show_state()
    view.show_state()
    assert {k: (p.widthF(), _color(p)) for k, p in view.edge_pens.items()} == before


def test_presenter_theme_restyles_without_rebuilding(session, view):
    T = session.T
    for _ in range(T + 2):
        session.step()
    node = view.node_items[("o", 0)]
    w = view.edge_pens[("V", T - 1)].widthF()
    view.apply_theme(style.PRESENTER)
    assert view.node_items[("o", 0)] is node
    assert view.edge_pens[("V", T - 1)].widthF() == pytest.approx(w * style.PRESENTER.line_width / 2)
    label = node.childItems()[0]
    assert label.font().pointSizeF() == pytest.approx(style.PRESENTER.font_pt)


def _rows_fit(view) -> bool:
    """All three rows (the whole scene's height) lie inside the viewport."""
    shown = view.mapFromScene(view.sceneRect()).boundingRect()
    return shown.top() >= -1 and shown.bottom() <= view.viewport().height() + 1


def _resize(view, qtbot, w: int, h: int) -> None:
    view.resize(w, h)
    qtbot.waitUntil(lambda: (view.width(), view.height()) == (w, h))


def _wheel(view, dy: int, modifiers):
    Qt, pos = QtCore.Qt, QtCore.QPointF(50, 50)
    view.wheelEvent(
        QtGui.QWheelEvent(
            pos, pos, QtCore.QPoint(), QtCore.QPoint(0, dy), Qt.MouseButton.NoButton, modifiers,
            Qt.ScrollPhase.NoScrollPhase, False,
        )
    )  # fmt: skip


def test_rows_always_fit_the_height_and_only_time_scrolls(session, view, qtbot):
    """Issue 10: the graph is scaled to its height (all three rows in view at any size); the whole
    sequence shows when its text stays readable, else it scrolls along time only."""
    assert session.update_settings(seq_len=12)
    view.show()
    qtbot.waitExposed(view)
    for w, h in ((1800, 330), (1000, 400), (600, 160), (400, 600)):
        _resize(view, qtbot, w, h)
        assert _rows_fit(view), (w, h)
        assert not view.verticalScrollBar().isVisible()
    _resize(view, qtbot, 1800, 330)  # T = 12 fits readably: the whole graph, no scroll bar
    whole = view.mapToScene(view.viewport().rect()).boundingRect()
    assert whole.contains(view.sceneRect().adjusted(1, 1, -1, -1)) and view.transform().m11() >= 0.8
    assert view.horizontalScrollBarPolicy() == QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    _resize(view, qtbot, 1000, 400)  # too narrow to show it readably: fitted to the height, time scrolls
    assert view.horizontalScrollBarPolicy() == QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOn
    assert view.horizontalScrollBar().maximum() > 0
    assert view.transform().m11() > 1.0 and _rows_fit(view)
    assert session.update_settings(seq_len=50)
    assert _rows_fit(view) and view.horizontalScrollBar().maximum() > 0
    for _ in range(40):
        session.step()
    col = view.node_items[("s", 39)].sceneBoundingRect()
    assert view.mapToScene(view.viewport().rect()).boundingRect().contains(col)  # follows the step
    assert view.labels_pinned()  # the row names stay readable at the left edge
    # the wheel scrolls along time; Ctrl+wheel zooms out, and never in past the height
    before = view.horizontalScrollBar().value()
    _wheel(view, 120, QtCore.Qt.KeyboardModifier.NoModifier)
    assert view.horizontalScrollBar().value() < before
    fitted = view.transform().m11()
    _wheel(view, -240, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() < fitted and _rows_fit(view)
    for _ in range(5):
        _wheel(view, 240, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() == pytest.approx(fitted)


def test_a_step_restyles_only_what_changed_at_fifty_steps(session, view, monkeypatch):
    """The mechanism that keeps a step cheap at T = 50 (its time is benchmarks/ui_step.py's job):
    show_state restyles only the items whose look changed, not all 150 nodes and 149 edges."""
    assert session.update_settings(seq_len=50)
    restyled = []
    for name in ("_style_node", "_style_edge"):
        real = getattr(view, name)
        monkeypatch.setattr(view, name, lambda *a, real=real: (restyled.append(a[:2]), real(*a))[1])
    for _ in range(70):  # through the forward pass and into the backward pass
        restyled.clear()
        session.step()
        assert 0 < len(restyled) <= 12, restyled


def test_w_edge_never_shows_delta_for_the_error_it_carries(session, view):
    """Issue 9, item 1: at the first backward step (t = T-1) the W edge s_{T-2} -> s_{T-1} has not
    carried W^T delta_{T-1} into s_{T-2} yet; whatever it says, it must not be |delta_{T-1}|."""
    import re

    T = session.T
    for _ in range(T + 1):
        session.step()
    b = session.stepper.last
    tip = view.tooltip_of(view.edge_items[("W", T - 1)])
    shown = [float(v) for v in re.findall(r"= ([\d.]+e[-+]\d+)", tip)]
    true = float(np.linalg.norm(session.stepper.W.T @ b.delta))
    assert all(v == pytest.approx(true, rel=1e-4) for v in shown), (tip, true)
    session.step()  # the backward step at T-2 carries it: now the edge says how much, exactly
    tip = view.tooltip_of(view.edge_items[("W", T - 1)])
    assert f"{true:.4e}" in tip and f"{np.linalg.norm(b.delta):.4e}" not in tip


def _hover(view, scene_point) -> str:
    """The tooltip the view shows for a pointer resting at this scene point ('' if none)."""
    from PySide6 import QtWidgets

    at = view.mapFromScene(scene_point)
    where = view.viewport().mapToGlobal(at)
    help_event = QtGui.QHelpEvent(QtCore.QEvent.Type.ToolTip, at, where)
    QtWidgets.QApplication.sendEvent(view.viewport(), help_event)
    return QtWidgets.QToolTip.text() if QtWidgets.QToolTip.isVisible() else ""


def test_hovering_shows_the_tooltips_written_on_demand(session, view, qtbot):
    from PySide6 import QtWidgets

    """Nodes and edges carry no tooltip text (a reset at T = 200 would write ~3,600 of them); hovering
    one writes its text then, from the events as they are at that moment."""
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    T = session.T
    for _ in range(T + 1):
        session.step()
    assert all(i.toolTip() == "" for i in view.node_items.values())
    assert all(i.toolTip() == "" and i.parentItem().toolTip() == "" for i in view.edge_items.values())
    s_node = view.node_items[("s", T - 1)]
    assert "Backward" in view.tooltip_of(s_node)
    assert _hover(view, s_node.sceneBoundingRect().center()) == view.tooltip_of(s_node)
    label = view._labels[("o", 1, 0)].item  # the text inside a node shows the node's tooltip
    assert _hover(view, label.sceneBoundingRect().center()) == view.tooltip_of(view.node_items[("o", 1)])
    a, b = view._ends[("U", 2)]
    assert _hover(view, (a + b) / 2) == view.tooltip_of(view.edge_items[("U", 2)])
    assert "carried back" in view.tooltip_of(view.edge_items[("U", T - 1)])
    session.back()  # the same item, hovered again: the text follows the events
    assert "no gradient carried back yet" in _hover(
        view, view.edge_items[("U", T - 1)].path().pointAtPercent(0.5)
    )
    _hover(view, view.mapToScene(2, 2))  # nothing there: the tooltip goes
    qtbot.waitUntil(lambda: not QtWidgets.QToolTip.isVisible())


def _pixels(view) -> np.ndarray:
    image = view.viewport().grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 4 * image.width()].copy()


def test_edges_drawn_from_the_cached_background_match_a_fresh_drawing(session, view, qtbot):
    """The edges and the step's band are drawn into the view's cached background and redrawn only where
    something changed: after steps, steps back, a scroll, a new theme and a reset the picture is the
    one a full redraw makes, and a backward edge shows in the backward colour."""
    assert session.update_settings(seq_len=30)
    view.resize(700, 260)
    view.show()
    qtbot.waitExposed(view)

    def same_as_fresh(what):
        shown = _pixels(view)
        view.resetCachedContent()
        # pixels drawn before a scroll may round their antialiasing one level apart: nothing more
        assert np.abs(shown.astype(int) - _pixels(view).astype(int)).max() <= 1, what

    for i in range(session.T + 4):
        session.step()
        if i % 5 == 0 or i > session.T:
            same_as_fresh(f"step {i}")
    t = session.T - 3  # its V edge carries the error back: thick, in the backward colour
    a, b = view._ends[("V", t)]
    mid = view.mapFromScene((a + b) / 2)
    colour = QtGui.QColor.fromRgb(
        int.from_bytes(_pixels(view)[mid.y(), 4 * mid.x() : 4 * mid.x() + 4], "little")
    )
    assert colour.name().upper() == style.NORMAL.backward.upper()
    session.back()
    same_as_fresh("back")
    bar = view.horizontalScrollBar()
    bar.setValue(bar.maximum() // 3)
    same_as_fresh("scrolled")
    view.apply_theme(style.PRESENTER)
    same_as_fresh("presenter")
    session.reset()
    same_as_fresh("reset")


class _PaintedRegions(QtCore.QObject):
    """Collects the regions of the paint events a widget receives."""

    def __init__(self, widget):
        super().__init__()
        self.regions: list[QtGui.QRegion] = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QtCore.QEvent.Type.Paint:
            self.regions.append(QtGui.QRegion(event.region()))
        return False


def _area(region: QtGui.QRegion) -> int:
    return sum(r.width() * r.height() for r in region)


def _on_screen(view) -> np.ndarray:
    """The viewport's pixels as the window last put them on screen (the offscreen platform's grab
    reads its backing store: what was painted and scrolled, not a fresh drawing)."""
    vp = view.viewport()
    top_left = vp.mapTo(view.window(), QtCore.QPoint(0, 0))
    shot = view.screen().grabWindow(
        view.window().winId(), top_left.x(), top_left.y(), vp.width(), vp.height()
    )
    image = shot.toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 4 * image.width()].copy()


def test_a_scroll_along_time_repaints_strips_and_the_screen_matches_a_fresh_drawing(session, view, qtbot):
    """When a step scrolls time, Qt moves the pixels already drawn and paints only what scrolled into
    view, the pinned row names and what changed (a whole repaint was ~7 ms a step at T = 200): the
    paint covers less than half the viewport, and what is on screen is what a whole drawing makes."""
    assert session.update_settings(seq_len=40)
    view.resize(700, 260)
    view.show()
    qtbot.waitExposed(view)
    bar = view.horizontalScrollBar()
    assert bar.maximum() > 0  # time scrolls at this size
    painted = _PaintedRegions(view.viewport())
    scrolled = 0
    for i in range(2 * session.T):
        before = bar.value()
        painted.regions.clear()
        session.step()
        QtWidgets.QApplication.processEvents()
        if bar.value() != before:
            scrolled += 1
            whole = view.viewport().width() * view.viewport().height()
            assert 0 < sum(map(_area, painted.regions)) < whole / 2, i
            assert view.labels_pinned() or bar.value() == bar.minimum()
        if i % 7 == 0 or i > 2 * session.T - 3:
            shown = _on_screen(view)
            # antialiased pixels drawn before a scroll may round one level apart: nothing more
            assert np.abs(shown.astype(int) - _pixels(view).astype(int)).max() <= 1, i
    assert scrolled > session.T  # most steps scrolled, both ways


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_painting_without_saving_the_painter_state_draws_the_same_pixels(cell, qtbot):
    """The view skips Qt's painter save/restore around each item (DontSavePainterState): safe only
    while every item sets all it draws with. Checked against a drawing with it, in both themes, with
    gates, truncation marks, forward and backward colours on screen."""
    from rnnviz.core.settings import Settings
    from rnnviz.ui.session import Session

    session = Session(Settings(task="text", seq_len=16, hidden=8, cell=cell, truncate=3))
    view = GraphView(session)
    qtbot.addWidget(view)
    view.resize(800, 300)
    view.show()
    qtbot.waitExposed(view)
    flag = QtWidgets.QGraphicsView.OptimizationFlag.DontSavePainterState
    assert view.optimizationFlags() & flag
    for i in range(session.T + 5):
        session.step()
        if i in (3, session.T + 4):
            for theme in (style.NORMAL, style.PRESENTER):
                view.apply_theme(theme)
                fast = _pixels(view)
                view.setOptimizationFlag(flag, False)
                view.resetCachedContent()
                assert np.array_equal(fast, _pixels(view)), (i, theme.name)
                view.setOptimizationFlag(flag, True)
    session.shutdown()


def test_scrolling_on_repaints_only_the_pinned_column_at_the_left(session, view, qtbot):
    """Scrolling on drags the pinned row names left, inside their own column: what it brings into that
    column's right end is the graph, already drawn. Only the column itself is painted again there
    (scrolling back, the strip the names were dragged into too)."""
    import math

    assert session.update_settings(seq_len=40)
    view.resize(700, 260)
    view.show()
    qtbot.waitExposed(view)
    bar = view.horizontalScrollBar()
    painted = _PaintedRegions(view.viewport())
    column = math.ceil(view.label_width * view.transform().m11()) + 2
    forward = 0
    for _ in range(session.T):  # the forward pass: time scrolls on
        before = bar.value()
        painted.regions.clear()
        session.step()
        QtWidgets.QApplication.processEvents()
        moved = bar.value() - before  # (the viewport's pixels move left by as much)
        if moved > 0 and view.labels_pinned():
            forward += 1
            left = QtGui.QRegion(0, 0, column + moved, view.viewport().height())
            strip = QtGui.QRegion()
            for region in painted.regions:
                strip += region.intersected(left)
            assert strip.boundingRect().right() < column, (strip.boundingRect(), column, moved)
    assert forward > 10


def test_gate_bars_are_restyled_only_with_a_new_theme(qtbot):
    """The gated cell's bars move to the node of each step; their fonts and pens are set again only
    when the theme changes (making and setting them at every step was a third of the step's styling)."""
    from rnnviz.core.settings import Settings
    from rnnviz.ui.session import Session

    s = Session(Settings(task="echo", hidden=8, seq_len=6, seed=0, cell="lstm"))
    v = GraphView(s)
    qtbot.addWidget(v)
    s.step()
    bars = v.gate_bars
    restyled = []
    for g in s.stepper.spec.gates:
        letter, slot = bars.letters[g], bars.slots[g]
        letter.setFont = lambda font, _set=letter.setFont: restyled.append("font") or _set(font)
        slot.setPen = lambda pen, _set=slot.setPen: restyled.append("pen") or _set(pen)
    for _ in range(2 * s.T - 1):
        s.step()
        assert bars.group.isVisible() or s.stepper.phase == "done"
    assert restyled == []
    v.apply_theme(style.PRESENTER)
    assert "font" in restyled and "pen" in restyled
    letter = bars.letters[s.stepper.spec.gates[0]]
    assert letter.font() == style.font(style.PRESENTER, 0.8, bold=True)
    s.shutdown()
