"""The hidden-state space view: its points are projection.project of the trace's states; the projection
is fitted in the worker on many training sequences, stays fixed while stepping and for a new sequence,
is fitted again after training (aligned, never mirrored), and is the raw plane when H = 2; points are
coloured by the task's state labels, the current step ringed."""

import threading

import numpy as np
import pytest

from rnnviz.core.projection import fit_projection
from rnnviz.core.settings import Settings
from rnnviz.ui import lab_jobs, style
from rnnviz.ui.lab_layout import plain_text
from rnnviz.ui.widgets import state_space_view
from rnnviz.ui.widgets.state_space_view import StateSpaceView
from rnnviz.ui.worker import Worker
from tests.ui.helpers import PATIENCE_MS


@pytest.fixture
def make(qtbot, shown):
    made = []

    def build(**settings):
        from rnnviz.ui.session import Session

        s = Session(Settings(**settings))
        worker = Worker(name="rnnviz-lab")
        v = shown(StateSpaceView(s, worker), 700, 560)
        qtbot.waitUntil(lambda: not v.computing and v.cloud is not None, timeout=PATIENCE_MS)
        made.append((s, worker))
        return s, v

    yield build
    for s, worker in made:
        s.shutdown()
        worker.shutdown()


def forward_states(s) -> np.ndarray:
    return np.array([ev.s for ev in s.stepper.forward_steps()])


def test_points_are_the_projection_of_the_traced_states_and_the_current_one_is_ringed(make):
    s, v = make(task="embedded-reber", hidden=6, seed=1)
    for _ in range(4):
        s.step()
    assert np.array_equal(v.points, v.cloud.projection.project(forward_states(s)))
    assert np.array_equal(np.column_stack(v.path.getData()), v.points)
    ring = v.ring.data
    assert len(ring) == 1 and (ring[0]["x"], ring[0]["y"]) == tuple(v.points[3]) and v.current_t == 3
    # the fit: the states of FIT_SEQUENCES sequences of the model, drawn with their own generator
    ref = lab_jobs.fit_states(s.rnn, s.source, s.settings.seed, "node", s.settings.seq_len)
    assert np.array_equal(v.cloud.states, ref.states) and v.cloud.n_sequences == lab_jobs.FIT_SEQUENCES == 64
    assert lab_jobs.sequences_for(200) == 21 and lab_jobs.sequences_for(30) == 64  # about 4,096 states
    assert np.array_equal(v.cloud.projection.components, fit_projection(ref.states).components)
    x0, _ = s.source.sample(np.random.default_rng([s.settings.seed, 2]), s.settings.seq_len)
    assert np.array_equal(ref.states[: len(x0)], s.rnn.forward(x0).s)  # the model's own states


def test_colours_are_the_tasks_state_labels(make):
    s, v = make(task="embedded-reber", hidden=5, seed=2)
    while s.stepper.phase == "forward":
        s.step()
    labels, names = s.source.state_labels(s.x, "node")
    brushes = [p["brush"].color().name().upper() for p in v.path_dots.data]
    assert brushes == [style.state_colour(int(i)).upper() for i in labels]
    key = plain_text(v.key.text())
    for i in np.unique(v.cloud.labels):
        assert f"● {names[i]}" in key
    v.kind.setCurrentIndex(v.kind.findData("branch"))  # colour by the branch chosen at the start
    assert v.computing
    while v.computing:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
    labels, names = s.source.state_labels(s.x, "branch")
    assert [p["brush"].color().name().upper() for p in v.path_dots.data] == [
        style.state_colour(int(i)).upper() for i in labels
    ]
    assert "T branch" in plain_text(v.key.text())


def test_a_task_without_labels_gets_one_neutral_colour(make):
    s, v = make(task="echo", hidden=4, seq_len=6)
    s.step()
    assert v.cloud.labels is None and not v.kind.isEnabled()
    assert {p["brush"].color().name().upper() for p in v.path_dots.data} == {style.NEUTRAL_STATE.upper()}
    assert "no state labels" in plain_text(v.key.text())


def test_the_projection_stays_fixed_while_stepping_and_for_a_new_sequence(make, qtbot):
    s, v = make(task="parity", hidden=5, seq_len=8)
    fitted = v.cloud
    s.step()
    first = v.points[0].copy()
    for _ in range(5):
        s.step()
    assert v.cloud is fitted and np.array_equal(v.points[0], first)  # a point keeps its place
    s.new_sequence()
    s.step()
    assert v.cloud is fitted and not v.computing
    assert np.array_equal(v.points, fitted.projection.project(forward_states(s)))


def test_after_training_the_fit_is_redone_and_aligned_with_the_old_one(make, qtbot):
    s, v = make(task="parity", hidden=6, seq_len=8, seed=3)
    before = v.cloud
    s.train(300)
    qtbot.waitUntil(lambda: not s.training, timeout=PATIENCE_MS)
    qtbot.waitUntil(lambda: not v.computing and v.cloud is not before, timeout=PATIENCE_MS)
    new = v.cloud.projection
    assert np.all(np.sum(new.components * before.projection.components, axis=1) >= 0)  # not mirrored
    ref = lab_jobs.fit_states(s.rnn, s.source, s.settings.seed, "parity", 8, align_to=before.projection)
    assert np.allclose(new.components, ref.projection.components, rtol=0, atol=1e-12)
    s.step()
    assert np.array_equal(v.points, new.project(forward_states(s)))


def test_a_new_model_gets_its_own_fit_and_nothing_of_the_old_is_drawn(make, qtbot):
    s, v = make(task="parity", hidden=6, seq_len=8)
    s.update_settings(hidden=9)  # another model, another hidden size
    assert v.cloud is None  # at once: the old fit cannot project the new states
    s.step()
    assert len(v.points) == 0
    qtbot.waitUntil(lambda: v.cloud is not None, timeout=PATIENCE_MS)
    assert v.cloud.projection.hidden_size == 9


def test_with_two_hidden_units_the_plane_is_the_raw_one(make):
    s, v = make(task="embedded-reber", hidden=2, seed=0)
    for _ in range(3):
        s.step()
    assert v.cloud.projection.raw and np.array_equal(v.points, forward_states(s))
    assert v.plot.getAxis("bottom").labelText == "s[0]" and "raw plane" in v.plot.titleLabel.text


def test_the_fit_runs_in_the_worker_thread(qtbot, shown, monkeypatch):
    from rnnviz.ui.session import Session

    threads = []

    def fit(*a, **k):
        threads.append(threading.current_thread().name)
        return lab_jobs.fit_states(*a, **k)

    monkeypatch.setattr(state_space_view, "fit_states", fit)
    s = Session(Settings(task="parity", hidden=4, seq_len=6))
    worker = Worker(name="rnnviz-lab")
    v = shown(StateSpaceView(s, worker), 600, 500)
    assert v.cloud is None
    qtbot.waitUntil(lambda: v.cloud is not None, timeout=PATIENCE_MS)
    assert threads == ["rnnviz-lab"]
    s.shutdown()
    worker.shutdown()


def test_hover_reads_the_points_numbers(make):
    s, v = make(task="embedded-reber", hidden=6, seed=4)
    for _ in range(3):
        s.step()
    text = v.hover_text(2)
    x, y = v.points[2]
    ev = s.stepper.forward_steps()[2]
    assert f"PC1 = {x:+.6f}, PC2 = {y:+.6f}" in text and f"|s₂| = {np.linalg.norm(ev.s):.6f}" in text
    labels, names = s.source.state_labels(s.x, "node")
    assert f"then: {names[labels[2]]}" in text


def test_steps_taken_while_the_view_is_hidden_are_drawn_when_it_is_shown(make, qtbot):
    s, v = make(task="parity", hidden=6, seq_len=8)
    s.step()
    v.hide()
    for _ in range(3):
        s.step()
    assert v.current_t == 0 and len(v.points) == 1  # a hidden view did no work on those steps
    v.show()
    qtbot.waitExposed(v)
    assert v.current_t == 3 and np.array_equal(v.points, v.cloud.projection.project(forward_states(s)))
