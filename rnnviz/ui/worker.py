"""Background work off the UI thread: worker threads run jobs, the UI thread collects results.

A worker has one thread, or `lanes` threads taking jobs from one queue (the Session's has two, so
that a trace's other numbers are computed beside its long Jacobian row instead of after it). Worker
threads never touch Qt: they only run the job's function (NumPy, which releases the GIL
in its heavy loops) and put the finished job on a queue. A QTimer in the UI thread, running only
while jobs are outstanding, takes finished jobs off that queue and calls their `done` callback, so
every result arrives in the UI thread, in order, and a job cancelled meanwhile (its trace was
replaced) is dropped there: a late result is never drawn. A job may check `job.cancelled` between
chunks of work to end early, and `job.report(value)` to hand over what it has so far: the same
timer gives the latest report of a job still running to its `progress` callback, in the UI thread
(never after its result, never once it is cancelled). A thread starts when a job has none free to
take it and ends after IDLE_EXIT_S without work, so an idle session holds no thread; `shutdown()`
cancels everything and joins them (a job submitted after that starts a new thread).
"""

from __future__ import annotations

import collections
import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from rnnviz.ui.background import collect_garbage_in_ui_thread

POLL_MS = 10  # how often the UI thread looks for finished jobs while any are outstanding
IDLE_EXIT_S = 5.0  # a thread ends after this long without a job (the next job starts a new one)


class Job:
    """One piece of background work: fn(job) runs in the worker thread; done(job) in the UI thread."""

    def __init__(
        self, fn: Callable, done: Callable | None = None, name: str = "", progress: Callable | None = None
    ):
        self.fn, self.done, self.name = fn, done, name
        self.progress = progress  # progress(job, value) in the UI thread, for each report it gets
        self.result = None
        self.error: BaseException | None = None
        self.traceback = ""  # the worker thread's traceback of `error`
        self._cancelled = threading.Event()
        self._report_lock = threading.Lock()
        self._reported: list = []  # the latest report not yet handed over (at most one)

    def report(self, value) -> None:
        """(worker thread) What the job has so far; an earlier report not yet handed over is dropped."""
        with self._report_lock:
            self._reported[:] = [value]

    def take_report(self) -> list:
        """(UI thread) [the latest report] if there is a new one, else []."""
        with self._report_lock:
            taken, self._reported = self._reported, []
        return taken

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def __repr__(self) -> str:
        return f"Job({self.name!r}, cancelled={self.cancelled})"


class Worker(QObject):
    """Up to `lanes` background threads sharing a queue of jobs (urgent ones go first)."""

    def __init__(self, parent=None, name: str = "rnnviz-worker", lanes: int = 1):
        super().__init__(parent)
        collect_garbage_in_ui_thread()  # its threads must never free Qt objects
        self._pending: collections.deque[Job] = collections.deque()
        self._incoming: list[tuple[Job, bool]] = []  # (job, urgent) submitted in this event-loop turn
        self._finished: collections.deque[Job] = collections.deque()  # handed to the UI thread
        self._wake = threading.Condition()
        self._running: set[Job] = set()
        self._stopping = False
        self._name, self._lanes = name, max(1, lanes)
        self._threads: set[threading.Thread] = set()  # empty while idle
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
            idle = len(self._threads) - len(self._running)  # threads waiting for a job
            for _ in range(min(len(self._pending) - idle, self._lanes - len(self._threads))):
                thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._threads.add(thread)
                thread.start()
            self._wake.notify_all()
        if not self._poll.isActive():
            self._poll.start()

    def busy(self) -> bool:
        """Whether any job is queued, running, or finished but not yet collected."""
        with self._wake:
            return bool(self._incoming or self._pending or self._running or self._finished)

    def collect(self) -> None:
        """Hand running jobs' reports and finished jobs to their callbacks (UI thread); stop polling
        once nothing is left. Reports first: a job that finishes meanwhile gives its result after."""
        with self._wake:
            running = [job for job in self._running if job.progress is not None]
        for job in running:
            for value in job.take_report():
                if not job.cancelled:
                    job.progress(job, value)
        while True:
            with self._wake:
                if not self._finished:
                    if not self._pending and not self._running:
                        self._poll.stop()
                    return
                job = self._finished.popleft()
            if job.cancelled or job.done is None:
                continue
            job.done(job)

    def threads(self) -> int:
        """How many worker threads are alive (0 while idle)."""
        with self._wake:
            return len(self._threads)

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Cancel every job and end the threads; True if they ended within `timeout` seconds."""
        with self._wake:
            self._stopping = True
            for job in [*self._pending, *(job for job, _ in self._incoming), *self._running]:
                job.cancel()
            self._pending.clear()
            self._incoming = []
            self._wake.notify_all()
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
        self._finished.clear()
        with self._wake:
            self._stopping = False  # a later job starts a new thread
        try:
            self._poll.stop()
        except RuntimeError:  # the QObject is already deleted (at exit): nothing left to stop
            pass
        return not any(thread.is_alive() for thread in threads)

    # --- worker thread ------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._wake:
                if not self._pending and not self._stopping:
                    self._wake.wait(IDLE_EXIT_S)
                if self._stopping or not self._pending:  # stopped, or idle long enough: end
                    self._threads.discard(threading.current_thread())
                    return
                job = self._pending.popleft()
                self._running.add(job)
            try:
                if not job.cancelled:
                    job.result = job.fn(job)
            except BaseException as e:  # noqa: BLE001 - handed to the UI thread, which reports it
                job.error = e
                job.traceback = traceback.format_exc()
            with self._wake:
                self._running.discard(job)
                self._finished.append(job)
                del job  # before the UI thread can take it, which then drops it last (it may hold Qt objects)
