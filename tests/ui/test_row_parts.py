"""A long Jacobian row reaches the screen in parts: the worker hands over its reports in the UI thread
(never after the result, never once cancelled), the session keeps the part so far beside a status
that still says computing, and the gradient view draws the norms that are in, the rest not at all.
Mechanisms only: no test compares a time."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from rnnviz.core import backprop
from rnnviz.core.settings import Settings
from rnnviz.ui import trace_jobs
from rnnviz.ui.trace_jobs import COMPUTING
from rnnviz.ui.widgets.gradient_view import GradientView
from rnnviz.ui.worker import Job, Worker
from tests.ui.helpers import computed, settled


def test_reports_reach_the_ui_thread_before_the_result_and_only_the_latest(qtbot):
    worker = Worker()
    seen, gate, reported = [], threading.Event(), threading.Event()

    def fn(job):
        job.report(1)
        job.report(2)  # replaces 1 if it was not handed over yet
        reported.set()
        gate.wait(30)
        return "done"

    job = Job(fn, lambda j: seen.append(("result", j.result, threading.get_ident())), "r")
    job.progress = lambda j, value: seen.append(("part", value, threading.get_ident()))
    worker.submit(job)
    qtbot.waitUntil(lambda: any(s[0] == "part" for s in seen))
    gate.set()
    qtbot.waitUntil(lambda: any(s[0] == "result" for s in seen))
    ui = threading.get_ident()
    assert [s[:2] for s in seen] == [("part", 2), ("result", "done")]
    assert all(s[2] == ui for s in seen)
    worker.shutdown()


def test_a_cancelled_jobs_reports_are_dropped(qtbot):
    worker = Worker()
    seen, reported, gate = [], threading.Event(), threading.Event()

    def fn(job):
        job.report("late")
        reported.set()
        gate.wait(30)

    job = Job(fn, lambda j: seen.append("result"), "c", progress=lambda j, v: seen.append(v))
    worker._poll.timeout.disconnect()  # reports are collected only when the test says so
    worker.submit(job)
    qtbot.waitUntil(reported.is_set)  # the job starts once the event loop runs
    job.cancel()
    worker.collect()
    gate.set()
    assert seen == []
    worker.shutdown()


@pytest.fixture
def gated_row(monkeypatch):
    """The row job hands over a part with at least 3 norms in, then waits for `gate` to go on."""
    monkeypatch.setattr(trace_jobs, "PART_EVERY_S", 0.0)
    gate, real = threading.Event(), backprop.jacobian_norm_row

    def row(cell, prep, cache, t, should_stop=None, progress=None):
        def held(out):
            progress(out)
            if np.isfinite(out).sum() >= 3:
                gate.wait(30)

        return real(cell, prep, cache, t, should_stop, None if progress is None else held)

    monkeypatch.setattr(backprop, "jacobian_norm_row", row)
    return gate


def lstm_session():
    from rnnviz.ui.session import Session

    return Session(Settings(task="echo", hidden=20, seq_len=16, seed=0, cell="lstm"))


def test_the_session_keeps_the_row_so_far_with_its_exact_norms(qtbot, gated_row):
    s = lstm_session()
    t = s.T - 1
    part = computed(qtbot, lambda: s.jacobian_row(t, so_far=True))
    assert s.jacobian_row(t) is None  # the whole row only: not in yet (the equations view asks so)
    assert s.numbers.status(("row", t)) == COMPUTING and s.computing
    done = np.isfinite(part.norm)
    assert 3 <= done.sum() < t + 1 and np.isnan(part.norm[~done]).all()
    gated_row.set()
    whole = computed(qtbot, lambda: s.jacobian_row(t))
    assert np.array_equal(part.norm[done], whole.norm[done])  # the same bits as the whole row's
    assert np.array_equal(part.ratio, whole.ratio) and np.array_equal(part.cell_path, whole.cell_path)
    assert s.jacobian_row(t, so_far=True) is whole and s.numbers.status(("row", t)) == ""
    s.shutdown()


def test_a_replaced_traces_parts_are_never_kept(qtbot, gated_row):
    s = lstm_session()
    t = s.T - 1
    part = computed(qtbot, lambda: s.jacobian_row(t, so_far=True))
    old, job = s.numbers, s.numbers._jobs[("row", t)]
    s.new_sequence()
    job.report("a late part")  # as a row would between two steps back, after its trace was replaced
    old._part(job, "a late part")  # and as the worker would hand it over if it did not drop it
    gated_row.set()  # the old row goes on to its next step back, where it stops
    settled(qtbot, s)
    assert old.cancelled and old.row(t) is None and old.row_so_far(t) is part
    assert s.numbers.row_so_far(t) is None or s.numbers.row_so_far(t) is not part
    s.shutdown()


def test_the_gradient_view_draws_the_norms_in_and_says_computing(qtbot, shown, gated_row):
    s = lstm_session()
    view = shown(GradientView(s), 900, 400)
    for _ in range(2 * s.T):  # the whole backward pass: every point of the row is revealed
        s.step()
    t = view.chosen_t
    part = computed(qtbot, lambda: s.jacobian_row(t, so_far=True))
    done = np.isfinite(part.norm) & (part.norm > 0)
    qtbot.waitUntil(lambda: view.curves["norm"].xData is not None and len(view.curves["norm"].xData) > 0)
    x, y = np.asarray(view.curves["norm"].xData), np.asarray(view.curves["norm"].yData)
    d = t - np.arange(t + 1)
    assert np.array_equal(np.sort(x), np.sort(d[done]).astype(float))  # only the norms that are in
    assert np.array_equal(y, part.norm[t - x.astype(int)])
    assert "computing" in view.sides[0].line_plot.titleLabel.text
    gated_row.set()
    settled(qtbot, s)
    x, y = np.asarray(view.curves["norm"].xData), np.asarray(view.curves["norm"].yData)
    assert len(x) == t + 1 and "computing" not in view.sides[0].line_plot.titleLabel.text
    s.shutdown()
