"""Lesson 11, the cliff, played in the real window: every number a caption states is the one the views
show (the cliff's paths, the gradient-norm trace of the training runs the captions ask for)."""

import numpy as np

from rnnviz.core import cliff
from rnnviz.ui.lab_layout import plain_text
from tests.ui.helpers import PATIENCE_MS
from tests.ui.test_lessons_on_screen import Player, start, train, window  # noqa: F401 - the fixture


def test_lesson_11_the_cliff_and_clipping(window, qtbot):  # noqa: F811 - the fixture
    w = window
    s = w.session
    cliff_view = w.lab_views["cliff"]

    def surface(w, s):
        assert w.deck.in_view("cliff")
        qtbot.waitUntil(lambda: not cliff_view.computing, timeout=PATIENCE_MS)
        assert cliff_view.surface is not None

    def wall(w, s):
        text = w.lesson_panel.caption_text
        assert "from w ≈ 4.3" in text and abs(cliff.WALL_STARTS_AT_W - 4.3) < 0.05
        b = np.linspace(-4.5, 0.5, 20001)
        g = cliff.loss_and_grad(4.6, b)
        norm = np.hypot(g.dw, g.db)
        assert norm.max() > 300 and abs((norm > 10).sum() * (b[1] - b[0]) - 0.003) < 0.0005
        below, above = cliff.loss(4.6, cliff.wall_b(4.6) - 0.1), cliff.loss(4.6, cliff.wall_b(4.6) + 0.1)
        assert abs(below - 0.3) < 0.05 and abs(above - 0.01) < 0.01

    def paths(w, s):
        text = w.lesson_panel.caption_text
        p = cliff_view.paths
        i = int(np.argmax(p.free.grad_norm))
        assert f"at step {i} it meets the wall, ‖g‖ = {p.free.grad_norm[i]:.0f}" in text
        assert "out of the picture" in text and "left the picture" in cliff_view.summary.text()
        assert w.deck.shown == ["cliff"]
        assert f"walks down to E ≈ {p.clipped.E[-1]:.2g}" in text and p.clip == 1.0
        assert "60 steps of gradient descent with η = 0.1" in text and cliff_view.lr.value() == 0.1

    start(w, "11_the_cliff")
    Player(w, {0: surface, 1: wall, 2: paths}, qtbot).to(3)
    assert w.deck.in_view("gradnorm") and w.lesson_panel.index == 3
    norms = w.lab_views["gradnorm"]

    smoothed = train(w, qtbot)  # as the caption asks: clipping off
    assert w.lesson_panel.index == 5
    text = w.lesson_panel.caption_text
    _, peak = s.trainer.grad_norms.peak_data()
    assert s.trainer.grad_norms.stride == 1  # 2,000 points: one per iteration
    above = int((peak > 1).sum())
    assert f"above 1 in all but {2000 - above} of 2,000 iterations" in text
    assert f"up to {peak.max():.0f}" in text and smoothed > 3 and "above 3" in text
    assert not norms.clip_line.isVisible() and "no clipping" in plain_text(norms.key.text())

    w.controls.fields["clip"].setValue(1.0)  # as the caption asks, then Re-initialise and train
    s.new_model()
    assert w.lesson_panel.lesson is not None
    smoothed = train(w, qtbot)
    assert w.lesson_panel.index == 4
    text = w.lesson_panel.caption_text
    _, peak = s.trainer.grad_norms.peak_data()
    assert f"{int((peak > 1).sum())} of them were cut" in text
    assert f"the largest norm before clipping was {peak.max():.0f}" in text
    assert abs(smoothed - 0.001) < 0.0015 and "about 0.001" in text
    assert norms.clip_line.isVisible() and np.isclose(norms.clip_line.value(), 0.0)  # log10 c = 0
