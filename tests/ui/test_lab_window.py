"""The lab in the window: the gradient-norm view draws the trainer's trace with the clipping threshold;
keys 4-6 open and close the lab views (one at a time in normal mode, beside the graph in presenter
mode); a lesson that names a lab view opens it; closing the window ends the lab's worker."""

import numpy as np
import pytest

from rnnviz.ui.lab_layout import plain_text
from rnnviz.ui.lab_views import LAB_TITLES
from rnnviz.ui.presenter import TAB_TITLES
from tests.ui.helpers import PATIENCE_MS, shown_on_screen


@pytest.fixture
def window(make_window):
    settings = dict(task="echo", hidden=8, seq_len=8, seed=1, spectral_radius=2.0, lr=0.5, optimizer="sgd")
    return make_window(size=(1600, 900), **settings)[0]


def train(w, qtbot, n: int) -> None:
    w.session.train(n)
    qtbot.waitUntil(lambda: not w.session.training, timeout=PATIENCE_MS)


def test_the_gradient_norm_view_draws_the_trace_before_clipping_and_the_threshold(window, qtbot):
    s, v = window.session, window.lab_views["gradnorm"]
    window.actions["view_gradnorm"].trigger()  # drawn while shown
    assert s.update_settings(clip=1.0)
    train(window, qtbot, 400)
    it, mean = s.trainer.grad_norms.data()
    _, peak = s.trainer.grad_norms.peak_data()
    assert len(it) == 400 and s.trainer.grad_norms.count == 400
    x, y = v.mean_curve.getData()
    assert np.array_equal(x, it) and np.allclose(10**y if v.plot.ctrl.logYCheck.isChecked() else y, mean)
    x, y = v.peak_curve.getData()
    assert np.array_equal(x, it) and np.allclose(10**y if v.plot.ctrl.logYCheck.isChecked() else y, peak)
    assert v.clip_line.isVisible() and np.isclose(v.clip_line.value(), np.log10(1.0))
    above = int(np.count_nonzero(peak > 1.0))
    assert above > 0, "with spectral radius 2 some gradients exceed the threshold"
    assert f"{above} of 400 points above c" in v.plot.titleLabel.text
    assert "clipping threshold c = 1" in plain_text(v.key.text())
    # element-wise clipping bounds entries, not the norm: no line, and the key says so
    assert s.update_settings(clip_kind="element")
    assert not v.clip_line.isVisible() and "element-wise clipping: each entry to ±1" in plain_text(
        v.key.text()
    )
    assert s.update_settings(clip=0.0)
    assert "no clipping" in plain_text(v.key.text())


def test_the_norm_traced_is_before_clipping(window, qtbot):
    """The trace holds the norm of the unclipped gradient: the same number core's bptt gives for the
    sequence the trainer drew (its generator, replayed)."""
    s = window.session
    assert s.update_settings(clip=0.01)  # every step clipped
    rng = np.random.default_rng(s.settings.seed)  # the Trainer's own generator, from the seed
    x, y = s.source.sample(rng, s.settings.seq_len)
    first = s.rnn.bptt(x, y).norm()
    train(window, qtbot, 1)
    assert np.isclose(s.trainer.grad_norms.data()[1][0], first, rtol=1e-12) and first > 0.01


def test_keys_4_to_6_open_a_lab_view_in_place_of_the_usual_ones_and_1_to_3_bring_them_back(window):
    deck = window.deck
    assert deck.shown == list(TAB_TITLES)
    window.actions["view_cliff"].trigger()
    assert deck.shown == ["cliff"] and deck.in_view("cliff")
    assert shown_on_screen(window.lab_views["cliff"])
    window.actions["view_states"].trigger()  # takes the cliff's place
    assert deck.shown == ["states"] and deck.in_view("states")
    window.actions["view_states"].trigger()  # in view: the key closes it
    assert deck.shown == list(TAB_TITLES)
    window.actions["view_gradnorm"].trigger()
    window.actions["view_loss"].trigger()  # a usual view: the three come back, the loss in front
    assert deck.shown == list(TAB_TITLES) and deck.in_view("loss")
    assert set(LAB_TITLES) == {"states", "cliff", "gradnorm"}


def test_in_presenter_mode_the_keys_show_lab_views_beside_the_graph(window):
    window.set_presenter(True)
    window.actions["view_cliff"].trigger()
    window.actions["view_gradnorm"].trigger()
    assert window.deck.shown == ["cliff", "gradnorm"]  # two at most beside the graph
    window.set_presenter(False)
    assert window.deck.shown == window.normal_views()


def test_the_cliff_lesson_opens_the_views_it_names(window, qtbot):
    panel = window.lesson_panel
    assert panel.start([lesson.name for lesson in panel.lessons].index("11_the_cliff"))
    assert window.deck.shown == ["cliff"] and window.deck.in_view("cliff")
    while window.session.stepper.cursor < 3:
        window.session.step()
    assert window.deck.shown == ["gradnorm"] and window.deck.in_view("gradnorm")
    window.session.train(5)  # the trained captions name the loss view too: it stands beside
    qtbot.waitUntil(lambda: not window.session.training, timeout=PATIENCE_MS)
    while window.session.stepper.cursor < 3:  # training restarted the trace: step to it again
        window.session.step()
    assert window.deck.shown == ["gradnorm", "loss"] and window.deck.in_view("loss")
    panel.end()
    assert window.deck.shown == list(TAB_TITLES)


def test_closing_the_window_ends_the_lab_worker(window, qtbot):
    window.actions["view_cliff"].trigger()  # its surface is computed in the lab's worker
    qtbot.waitUntil(lambda: window.lab_worker.threads() > 0)  # alive (idle threads end after 5 s)
    window.close()
    assert window.lab_worker.threads() == 0
