"""Pascanu's cliff view holds rnnviz.core.cliff's numbers: the surface, both SGD paths, the hover
text; the slider, the boxes and a click change what is computed, in the lab's worker thread."""

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from rnnviz.core import cliff
from rnnviz.ui import lab_jobs, style
from rnnviz.ui.lab_layout import plain_text
from rnnviz.ui.widgets import cliff_view
from rnnviz.ui.widgets.cliff_view import CliffView, clip_at, position_of, summary
from rnnviz.ui.worker import Worker
from tests.ui.helpers import PATIENCE_MS


@pytest.fixture
def view(qtbot, shown):
    worker = Worker(name="rnnviz-lab")
    v = shown(CliffView(worker), 900, 600)
    qtbot.waitUntil(lambda: not v.computing, timeout=PATIENCE_MS)
    yield v
    worker.shutdown()


def test_the_surface_is_the_cores_log_error_on_the_grid(view):
    w = np.linspace(*lab_jobs.W_RANGE, lab_jobs.GRID[0])
    b = np.linspace(*lab_jobs.B_RANGE, lab_jobs.GRID[1])
    E = cliff.loss_surface(w, b)  # (n_b, n_w)
    assert np.array_equal(view.surface.E, E)
    floor = 10.0 ** (style.CLIFF_LEVELS[0] - 1)
    assert np.array_equal(view.image.image, np.log10(np.maximum(E, floor)))
    assert tuple(view.image.levels) == style.CLIFF_LEVELS  # fixed: a colour means one error
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert np.isclose(rect.left(), w[0] - (w[1] - w[0]) / 2) and np.isclose(
        rect.bottom(), b[-1] + (b[1] - b[0]) / 2
    )
    # the wall: E jumps across the fixed-point line b = 0.5 - 0.6225 w beyond w ≈ 4.26
    i = np.argmin(np.abs(w - 5.0))
    below, above = (
        np.flatnonzero(b < cliff.wall_b(5.0) - 0.05)[-1],
        np.flatnonzero(b > cliff.wall_b(5.0) + 0.05)[0],
    )
    assert E[below, i] > 10 * E[above, i]


def test_both_paths_are_the_cores_sgd_with_and_without_clipping(view):
    w0, b0 = cliff_view.START
    lr, n, c = cliff_view.DEFAULTS["lr"], cliff_view.DEFAULTS["steps"], view.clip
    free, clipped = cliff.sgd(w0, b0, lr, n), cliff.sgd(w0, b0, lr, n, clip=c)
    for curve, path in ((view.free_curve, free), (view.clipped_curve, clipped)):
        x, y = curve.getData()
        assert np.array_equal(x, path.w) and np.array_equal(y, path.b)
    assert c == 1.0 and clipped.clipped.sum() > 0 and free.grad_norm.max() > 100  # the wall was met
    first, second = summary(view.paths)
    text = plain_text(view.summary.text())  # the key and the numbers: each path's colour, what it did
    assert text == f"━━ {first} ━━ {second} ✚ start: click the surface to move it."
    assert f'color:{view.theme.backward}">━━</span> No clipping' in view.summary.text()
    assert f'color:{view.theme.forward}">━━</span> Norm clipping at c = 1:' in view.summary.text()
    assert f"‖g‖ up to {free.grad_norm.max():.4g}" in first
    assert "left the picture" in first  # thrown off the wall, unclipped
    assert f"E {clipped.E[0]:.4g} → {clipped.E[-1]:.4g}" in second


def test_the_slider_the_boxes_and_a_click_ask_for_new_paths(view, qtbot):
    view.clip_slider.setValue(position_of(10.0))
    qtbot.waitUntil(
        lambda: not view.computing and view.paths.clip == clip_at(position_of(10.0)), timeout=30_000
    )
    assert np.isclose(view.paths.clip, 10.0) and view.clip_label.text() == "10"
    x, _ = view.clipped_curve.getData()
    assert np.array_equal(x, cliff.sgd(*cliff_view.START, 0.1, 60, clip=view.paths.clip).w)
    view.set_controls(lr=0.5, steps=20, start=(3.0, -1.0))
    qtbot.waitUntil(lambda: not view.computing, timeout=PATIENCE_MS)
    x, y = view.free_curve.getData()
    ref = cliff.sgd(3.0, -1.0, 0.5, 20)
    assert np.array_equal(x, ref.w) and np.array_equal(y, ref.b)
    # a click on the surface moves the start there
    vb = view.plot.vb
    scene = vb.mapViewToScene(QPointF(5.5, -3.0))

    class Click:
        def scenePos(self):
            return scene

        def button(self):
            from PySide6.QtCore import Qt

            return Qt.MouseButton.LeftButton

    view._clicked(Click())
    assert np.isclose(view.start[0], 5.5, atol=0.01) and np.isclose(view.start[1], -3.0, atol=0.01)
    qtbot.waitUntil(lambda: not view.computing, timeout=PATIENCE_MS)
    assert np.allclose(view.free_curve.getData()[0][0], view.start[0])


def test_hovering_reads_the_exact_error_and_gradient(view):
    w, b = 4.9, -2.7
    g = cliff.loss_and_grad(w, b)
    text = view.hover_text(w, b)
    assert f"E = (σ(x₅₀) − 0.7)² = {float(g.E):.6g}" in text
    assert f"∂E/∂w = {float(g.dw):.6g}, ∂E/∂b = {float(g.db):.6g}" in text
    # on a path's point: that point's numbers, its norm before clipping, whether it was clipped
    p = view.paths.clipped
    i = int(np.flatnonzero(p.clipped)[0])
    text = view.hover_text(float(p.w[i]), float(p.b[i]))
    assert text.startswith(f"SGD, both paths (the same until a step is clipped): point {i} of")
    assert f"‖g‖ before clipping = {p.grad_norm[i]:.6g}: the clipped path cuts this step" in text
    j = len(p.w) - 1  # the last point: the paths have parted
    assert view.hover_text(float(p.w[j]), float(p.b[j])).startswith(f"SGD, clipped at c: point {j} of")


def test_surface_and_paths_are_computed_in_the_worker_thread(qtbot, shown, monkeypatch):
    threads = []

    def surface(*a, **k):
        threads.append(threading.current_thread().name)
        return lab_jobs.cliff_surface(*a, **k)

    def paths(*a, **k):
        threads.append(threading.current_thread().name)
        return lab_jobs.cliff_paths(*a, **k)

    monkeypatch.setattr(cliff_view, "cliff_surface", surface)
    monkeypatch.setattr(cliff_view, "cliff_paths", paths)
    worker = Worker(name="rnnviz-lab")
    v = shown(CliffView(worker), 700, 500)
    assert v.surface is None and v.paths is None  # nothing computed on the UI thread at construction
    qtbot.waitUntil(lambda: v.surface is not None and v.paths is not None, timeout=PATIENCE_MS)
    assert threads and set(threads) == {"rnnviz-lab"}
    worker.shutdown()


def test_a_request_superseded_before_it_ends_is_never_drawn(view, qtbot):
    view.set_controls(steps=400)  # a long run ...
    view.set_controls(steps=5)  # ... replaced at once
    qtbot.waitUntil(lambda: not view.computing, timeout=PATIENCE_MS)
    assert len(view.free_curve.getData()[0]) <= 6 and view.paths.n_steps == 5
