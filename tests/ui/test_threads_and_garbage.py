"""The app's background threads never free Qt objects: Python's cyclic garbage collector runs in the UI
thread only (a collection in the worker, training or experiment thread once freed a closed window's
Session there, and the suite crashed with a segfault about 1 run in 5). Mechanisms only: no times."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from rnnviz.experiments.catalog import smoke
from rnnviz.ui import background, lab_run
from rnnviz.ui.lab_run import ExperimentRun
from rnnviz.ui.training import TrainingRun
from rnnviz.ui.worker import Job, Worker


def test_a_worker_thread_that_allocates_leaves_qt_garbage_to_the_ui_thread(qtbot):
    worker = Worker()  # any background thread of the app is started after this
    started, go, allocated = threading.Event(), threading.Event(), threading.Event()

    def allocate(job):
        started.set()
        go.wait(60)
        junk = [[] for _ in range(100_000)]  # far past the collector's threshold (700 new objects)
        allocated.set()
        return junk  # kept (job.result): the count of new objects stays past the threshold

    job = worker.submit(Job(allocate))
    qtbot.waitUntil(started.is_set)
    # from here to the last check below the UI thread runs no event loop and allocates next to nothing
    freed_in = []
    garbage = QObject()  # a Qt object that only the cyclic collector can free
    garbage.itself = garbage
    watch = weakref.ref(garbage, lambda _: freed_in.append(threading.current_thread().name))
    del garbage
    go.set()
    assert allocated.wait(60)
    assert freed_in == [] and watch() is not None  # the worker thread did not free it
    qtbot.waitUntil(lambda: bool(freed_in))  # the UI thread's collector does, from the event loop
    assert freed_in == [threading.main_thread().name] and not gc.isenabled()
    qtbot.waitUntil(lambda: not worker.busy())
    assert len(job.result) == 100_000
    worker.shutdown()


def test_every_background_thread_starts_with_the_ui_thread_collector_in_place(session, monkeypatch):
    made = []
    monkeypatch.setattr(background, "GarbageCollector", lambda interval: made.append(interval) or object())
    monkeypatch.setattr(lab_run, "run_experiment", lambda *a, **k: [])

    def starting(start) -> int:
        monkeypatch.setattr(background, "_collector", None)  # as in a process that has no thread yet
        before = len(made)
        start()
        return len(made) - before

    assert starting(lambda: Worker().shutdown()) == 1
    assert starting(lambda: TrainingRun(session.trainer, 1).stop()) == 1
    assert starting(lambda: ExperimentRun(smoke(), 1).wait(60)) == 1
    assert background.collect_garbage_in_ui_thread()  # installed: a second call makes no second one
    assert len(made) == 3


def test_the_collector_is_not_installed_from_a_background_thread(monkeypatch):
    monkeypatch.setattr(background, "_collector", None)
    answers = []
    thread = threading.Thread(target=lambda: answers.append(background.collect_garbage_in_ui_thread()))
    thread.start()
    thread.join()
    assert answers == [False] and background._collector is None  # its timer would never fire there
