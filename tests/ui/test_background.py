"""Slow numbers are computed in the worker thread, views say so meanwhile, and a result that arrives
after its trace was replaced is never drawn. Mechanisms only: no test compares a time."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from rnnviz.core import RNN
from rnnviz.ui.widgets.gradient_view import GradientView
from rnnviz.ui.worker import Job, Worker
from tests.ui.helpers import computed, settled


def test_contributions_and_rows_are_computed_outside_the_ui_thread(session, qtbot, monkeypatch):
    threads = []
    real = RNN.contributions

    def contributions(self, x, y):
        threads.append(threading.get_ident())
        return real(self, x, y)

    monkeypatch.setattr(RNN, "contributions", contributions)
    session.reset()  # a new trace: its numbers are asked for again
    assert session.contributions is None  # not computed on the UI thread, not yet in
    C = computed(qtbot, lambda: session.contributions)
    assert threads and threading.get_ident() not in threads
    assert np.array_equal(C, session.rnn.contributions(session.x, session.y))
    row = computed(qtbot, lambda: session.jacobian_row(3))
    assert np.array_equal(row.norm, session.rnn.jacobian_row(session.x, 3)[0])


def test_a_view_says_computing_until_the_numbers_arrive(session, shown, qtbot, monkeypatch):
    gate = threading.Event()
    real = RNN.contributions

    def slow(self, x, y):
        gate.wait(30)
        return real(self, x, y)

    monkeypatch.setattr(RNN, "contributions", slow)
    session.reset()
    view = shown(GradientView(session), 900, 400)
    assert view.fill_text.isVisible() and "computing" in view.fill_text.textItem.toPlainText()
    for _ in range(2 * session.T):  # the whole backward pass is stepped, C still not in
        session.step()
    assert np.isnan(view.heatmap.image).all() and "computing" in view.hover_text(3, 2)
    gate.set()
    settled(qtbot, session)
    assert not view.fill_text.isVisible() and np.isfinite(view.heatmap.image[3, 1:4]).all()


def test_a_late_result_of_a_replaced_trace_is_never_drawn(session, shown, qtbot, monkeypatch):
    gate, started = threading.Event(), threading.Event()
    real = RNN.contributions
    calls = []

    def first_one_slow(self, x, y):
        calls.append(np.array(x))
        if len(calls) == 1:
            started.set()
            gate.wait(30)  # the first trace's job is still running when the trace is replaced
            return np.full((len(x), len(x)), 123.0)  # a value no real C has: it must never show
        return real(self, x, y)

    monkeypatch.setattr(RNN, "contributions", first_one_slow)
    session.reset()
    view = shown(GradientView(session), 900, 400)
    old_numbers = session.numbers
    qtbot.waitUntil(started.is_set)
    session.new_sequence()  # replaces the trace while its job runs
    assert old_numbers.cancelled and session.numbers is not old_numbers
    gate.set()
    C = computed(qtbot, lambda: session.contributions)
    settled(qtbot, session)
    assert not np.any(C == 123.0) and old_numbers.contributions() is None
    for _ in range(2 * session.T):
        session.step()
    img = view.heatmap.image
    assert np.allclose(img[np.isfinite(img)].max(), np.log10(C.max())) and not np.any(img == np.log10(123.0))


def test_a_failed_computation_says_why_and_the_app_goes_on(session, qtbot, monkeypatch):
    def out_of_memory(self, x, y):
        raise MemoryError

    monkeypatch.setattr(RNN, "contributions", out_of_memory)
    session.reset()
    assert session.contributions is None
    qtbot.waitUntil(lambda: not session.computing)
    assert session.numbers.status("contributions") == "could not compute: not enough memory"
    assert session.step() is not None


def test_the_worker_runs_jobs_in_order_urgent_first_and_ends_its_thread(qtbot):
    worker = Worker()
    gate, running = threading.Event(), threading.Event()
    done = []

    def first(job):
        running.set()
        return gate.wait(30)

    worker.submit(Job(first, lambda job: done.append("first")))
    assert not running.is_set()  # jobs start once the UI thread is back in its event loop
    qtbot.waitUntil(running.is_set)  # the thread has taken the first job: the rest wait in the queue
    worker.submit(Job(lambda job: "b", lambda job: done.append(job.result)))
    worker.submit(Job(lambda job: "urgent", lambda job: done.append(job.result)), urgent=True)
    dropped = worker.submit(Job(lambda job: "dropped", lambda job: done.append(job.result)))
    dropped.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not worker.busy())
    assert done == ["first", "urgent", "b"]
    assert worker.shutdown() and worker.threads() == 0


def test_a_worker_with_two_lanes_runs_two_jobs_at_once_and_ends_both_threads(qtbot):
    worker = Worker(lanes=2)
    gate, inside, done = threading.Event(), [], []

    def held(job):
        inside.append(threading.get_ident())
        return gate.wait(30)

    for name in ("a", "b", "c"):
        worker.submit(Job(held, lambda job, name=name: done.append(name)))
    qtbot.waitUntil(lambda: len(inside) == 2)  # two jobs under way at once, in two threads
    assert len(set(inside)) == 2 and worker.threads() == 2 and not done
    gate.set()
    qtbot.waitUntil(lambda: not worker.busy())
    assert sorted(done) == ["a", "b", "c"] and len(inside) == 3

    def until_cancelled(job):  # as a long row: checks between chunks of work whether to stop
        inside.append(threading.get_ident())
        while not job.cancelled:
            threading.Event().wait(0.005)

    worker.submit(Job(until_cancelled))
    qtbot.waitUntil(lambda: len(inside) == 4)
    assert worker.shutdown() and worker.threads() == 0  # the job was cancelled, its thread ended


def test_closing_the_session_ends_its_threads(session, qtbot):
    session.train(1_000_000)
    session.jacobian_row(session.T - 1)
    session.shutdown()
    assert not session.training and not session._worker.busy()
    assert not any(t.name in ("rnnviz-training",) for t in threading.enumerate())


def test_esc_returns_at_once_and_the_iteration_under_way_gives_up_changing_nothing(
    session, qtbot, monkeypatch
):
    gate, inside = threading.Event(), threading.Event()
    real_step = session.trainer.step
    before = {k: v.copy() for k, v in session.rnn.params().items()}

    def step(should_stop=None):
        inside.set()
        gate.wait(30)  # an iteration that takes as long as the test wants
        return real_step(should_stop)

    monkeypatch.setattr(session.trainer, "step", step)
    session.train(1000)
    qtbot.waitUntil(inside.is_set)
    session.request_stop()  # must not wait for the iteration under way
    assert session.training  # that iteration is still under way
    gate.set()
    qtbot.waitUntil(lambda: not session.training)
    assert session.history.count == 0 and session.trainer.iteration == 0  # it gave up, and no other ran
    assert all(np.array_equal(v, before[k]) for k, v in session.rnn.params().items())
    assert session.trainer.stopped_reason is None  # not reported as a failure


def test_in_compare_mode_only_the_first_trainer_of_a_round_may_give_up(qtbot):
    """So that both cells have always trained as many iterations."""
    from rnnviz.ui.training import TrainingRun

    class Recorder:
        def __init__(self):
            self.given = []

        def step(self, should_stop=None):
            self.given.append(should_stop)
            return True

    first, second = Recorder(), Recorder()
    run = TrainingRun([first, second], 3)
    qtbot.waitUntil(lambda: run.finished)
    assert run.done == 3 and len(first.given) == len(second.given) == 3 and not run.failed
    assert all(g is not None for g in first.given) and all(g is None for g in second.given)
    assert first.given[0]() is False
    run.request_stop()
    assert first.given[0]() is True  # it asks the run's own stop request


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities need setpriority")
def test_background_threads_run_at_the_ui_threads_priority(session, qtbot, monkeypatch):
    """A lower one starved a GIL holder on a busy machine, and the UI thread waited with it."""

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    worker = Worker()
    job = worker.submit(Job(lambda job: nice()))
    qtbot.waitUntil(lambda: not worker.busy())
    seen = []
    real_step = session.trainer.step
    monkeypatch.setattr(session.trainer, "step", lambda stop=None: seen.append(nice()) or real_step(stop))
    session.train(2)
    qtbot.waitUntil(lambda: not session.training)
    ui = nice()
    assert seen and job.result == ui and set(seen) == {ui}
    worker.shutdown()


def test_a_traces_contributions_are_computed_beside_its_long_row(session, qtbot, monkeypatch):
    """The session's worker has two lanes: the contributions do not wait for the Jacobian row."""
    from rnnviz.core import backprop

    started, seen = threading.Event(), []
    real_row, real_contributions = backprop.jacobian_norm_row, RNN.contributions

    def row(*args):
        seen.append(started.wait(30))  # the row is under way until the contributions have begun
        return real_row(*args)

    def contributions(self, x, y):
        started.set()
        return real_contributions(self, x, y)

    monkeypatch.setattr(backprop, "jacobian_norm_row", row)
    monkeypatch.setattr(RNN, "contributions", contributions)
    session.reset()
    assert session.jacobian_row(session.T - 1) is None and session.contributions is None
    computed(qtbot, lambda: session.jacobian_row(session.T - 1))
    computed(qtbot, lambda: session.contributions)
    assert seen == [True]


def test_a_long_jacobian_row_of_an_lstm_stops_once_its_trace_is_replaced(qtbot, monkeypatch):
    """An LSTM row at H = 256 is 2H x 2H SVDs, seconds of work: it runs in the worker, and a replaced
    trace's row ends at its next step back instead of holding the worker for the new trace."""
    from rnnviz.core import backprop
    from rnnviz.core.settings import Settings
    from rnnviz.ui.session import Session

    s = Session(Settings(task="echo", hidden=5, seq_len=8, cell="lstm"))
    gate, started, answers, threads = threading.Event(), threading.Event(), [], []
    real = backprop.jacobian_norm_row

    def slow_row(cell, prep, cache, t, should_stop=None, progress=None):
        threads.append(threading.get_ident())
        started.set()
        gate.wait(30)  # the trace is replaced while this row is computed
        answers.append(should_stop())  # what the row asks between its steps back
        return real(cell, prep, cache, t, should_stop, progress)

    monkeypatch.setattr(backprop, "jacobian_norm_row", slow_row)
    assert s.jacobian_row(7) is None  # asked for: queued for the worker, not computed here
    qtbot.waitUntil(started.is_set)
    old = s.numbers
    s.new_sequence()  # the trace is replaced: its row's job is cancelled
    gate.set()
    qtbot.waitUntil(lambda: len(answers) >= 1)
    assert answers[0] is True and old.cancelled and threading.get_ident() not in threads
    monkeypatch.setattr(backprop, "jacobian_norm_row", real)
    row = computed(qtbot, lambda: s.jacobian_row(7))  # the new trace's row is computed whole
    assert np.allclose(row.norm, s.rnn.jacobian_rows(s.x).row(7).norm) and row.cell_path[7] == 1.0
    s.shutdown()
