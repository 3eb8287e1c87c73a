import numpy as np

from rnnviz.ui import style
from rnnviz.ui.widgets.hidden_view import HiddenView
from rnnviz.ui.widgets.loss_view import LossView
from tests.ui.helpers import PATIENCE_MS


def test_hidden_heatmap_fills_in_with_fixed_levels(session, qtbot):
    view = HiddenView(session)
    qtbot.addWidget(view)
    assert np.all(np.isnan(view.heatmap.image)) and view.current_t is None
    for _ in range(3):
        session.step()
    img = view.heatmap.image
    f = session.rnn.forward(session.x)
    assert np.allclose(img[:, :3], f.s[:3].T) and np.all(np.isnan(img[:, 3:]))
    assert tuple(view.heatmap.levels) == style.HIDDEN_LEVELS
    assert view.current_t == 2 and view.cursor.value() == 2
    assert np.allclose(view.current_s, f.s[2])
    session.back()
    assert view.current_t == 1 and np.all(np.isnan(view.heatmap.image[:, 2]))


def test_hidden_heatmap_columns_added_one_by_one_are_the_trace(session, qtbot):
    """Each step writes only its own column: stepping on, back and on again, and through the
    backward pass, the image is always the trace's states so far, exactly, NaN after them."""
    view = HiddenView(session)
    qtbot.addWidget(view)
    moves = [session.step] * 4 + [session.back] * 2 + [session.step] * (2 * session.T)
    for move in moves:
        move()
        n = len(session.stepper.forward_steps())
        want = np.full((session.rnn.hidden_size, session.T), np.nan)
        want[:, :n] = np.array([ev.s for ev in session.stepper.forward_steps()]).T
        assert np.array_equal(view.heatmap.image, want, equal_nan=True)


def test_hidden_cursor_follows_backward_pass(session, qtbot):
    view = HiddenView(session)
    qtbot.addWidget(view)
    for _ in range(session.T + 2):
        session.step()
    assert view.current_t == session.T - 2
    assert view.cursor.pen.color().name().lower() == style.NORMAL.backward.lower()


def test_loss_bars_follow_steps_and_curve_grows_with_training(session, qtbot):
    view = LossView(session)
    qtbot.addWidget(view)
    for _ in range(4):
        session.step()
    assert np.allclose(view.step_losses, session.step_losses[:4])
    assert np.allclose(view.step_bars.opts["height"], session.step_losses[:4])
    assert view.raw_curve.getData()[0] is None or len(view.raw_curve.getData()[0]) == 0
    session.train(200)
    qtbot.waitUntil(lambda: not session.training, timeout=PATIENCE_MS)
    x, y = view.raw_curve.getData()
    assert len(x) == 200 and np.allclose(y, session.history.data()[1])
    sx, sy = view.smooth_curve.getData()
    assert len(sx) == 200 and sy[-1] < sy[0]
    assert view.chance_line.value() == np.log(len(session.vocab))
