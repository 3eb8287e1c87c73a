"""Background work off the UI thread: one worker thread runs jobs, the UI thread collects results.

The worker thread never touches Qt: it only runs the job's function (NumPy, which releases the GIL
in its heavy loops) and puts the finished job on a queue. A QTimer in the UI thread, running only
while jobs are outstanding, takes finished jobs off that queue and calls their `done` callback, so
every result arrives in the UI thread, in order, and a job cancelled meanwhile (its trace was
replaced) is dropped there: a late result is never drawn. A job may check `job.cancelled` between
chunks of work to end early. The thread starts with the first job and ends after IDLE_EXIT_S
without work, so an idle session holds no thread; `shutdown()` cancels everything and joins it
(a job submitted after that starts a new thread).
"""

from __future__ import annotations

import collections
import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from rnnviz.ui.background import collect_garbage_in_ui_thread, lower_this_threads_priority

POLL_MS = 10  # how often the UI thread looks for finished jobs while any are outstanding
IDLE_EXIT_S = 5.0  # the thread ends after this long without a job (the next job starts a new one)


class Job:
    """One piece of background work: fn(job) runs in the worker thread; done(job) in the UI thread."""

    def __init__(self, fn: Callable, done: Callable | None = None, name: str = ""):
        self.fn, self.done, self.name = fn, done, name
        self.result = None
        self.error: BaseException | None = None
        self.traceback = ""  # the worker thread's traceback of `error`
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def __repr__(self) -> str:
        return f"Job({self.name!r}, cancelled={self.cancelled})"


class Worker(QObject):
    """One background thread with a queue of jobs (urgent ones go first)."""

    def __init__(self, parent=None, name: str = "rnnviz-worker"):
        super().__init__(parent)
        collect_garbage_in_ui_thread()  # its thread must never free Qt objects
        self._pending: collections.deque[Job] = collections.deque()
        self._incoming: list[tuple[Job, bool]] = []  # (job, urgent) submitted in this event-loop turn
        self._finished: collections.deque[Job] = collections.deque()  # handed to the UI thread
        self._wake = threading.Condition()
        self._running: Job | None = None
        self._stopping = False
        self._name = name
        self._thread: threading.Thread | None = None  # None while idle
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self.collect)
        # jobs start once the UI thread is back in the event loop: a reset asks for its numbers
        # while its views are still redrawing, and the two threads would only slow each other
        self._release = QTimer(self, singleShot=True, interval=0)
        self._release.timeout.connect(self._start_incoming)

    # --- UI thread ----------------------------------------------------------------------------

    def submit(self, job: Job, urgent: bool = False) -> Job:
        """Queue a job; it starts when the UI thread next returns to the event loop."""
        self._incoming.append((job, urgent))
        self._release.start()
        return job

    def _start_incoming(self) -> None:
        incoming, self._incoming = self._incoming, []
        with self._wake:
            for job, urgent in incoming:
                if not job.cancelled:
                    (self._pending.appendleft if urgent else self._pending.append)(job)
            if self._pending and self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._wake.notify()
        if not self._poll.isActive():
            self._poll.start()

    def busy(self) -> bool:
        """Whether any job is queued, running, or finished but not yet collected."""
        with self._wake:
            return bool(self._incoming or self._pending or self._running or self._finished)

    def collect(self) -> None:
        """Hand finished jobs to their callbacks (UI thread); stop polling once nothing is left."""
        while True:
            with self._wake:
                if not self._finished:
                    if not self._pending and self._running is None:
                        self._poll.stop()
                    return
                job = self._finished.popleft()
            if job.cancelled or job.done is None:
                continue
            job.done(job)

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Cancel every job and end the thread; True if it ended within `timeout` seconds."""
        with self._wake:
            self._stopping = True
            for job in [*self._pending, *(job for job, _ in self._incoming)]:
                job.cancel()
            self._pending.clear()
            self._incoming = []
            if self._running is not None:
                self._running.cancel()
            self._wake.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._finished.clear()
        with self._wake:
            self._stopping = False  # a later job starts a new thread
        try:
            self._poll.stop()
        except RuntimeError:  # the QObject is already deleted (at exit): nothing left to stop
            pass
        return thread is None or not thread.is_alive()

    # --- worker thread ------------------------------------------------------------------------

    def _loop(self) -> None:
        lower_this_threads_priority()
        while True:
            with self._wake:
                if not self._pending and not self._stopping:
                    self._wake.wait(IDLE_EXIT_S)
                if self._stopping or not self._pending:  # stopped, or idle long enough: end
                    self._thread = None
                    return
                job = self._running = self._pending.popleft()
            try:
                if not job.cancelled:
                    job.result = job.fn(job)
            except BaseException as e:  # noqa: BLE001 - handed to the UI thread, which reports it
                job.error = e
                job.traceback = traceback.format_exc()
            with self._wake:
                self._running = None
                self._finished.append(job)
                del job  # before the UI thread can take it, which then drops it last (it may hold Qt objects)
