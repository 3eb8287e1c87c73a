"""LatestJob: one kind of background computation of a lab view, in a Worker (ui/worker.py).

Only the latest request counts: a new one cancels the one before (a result arriving for it is
dropped, never drawn), so dragging a slider never queues stale work and never draws an old picture.
"""

from __future__ import annotations

from collections.abc import Callable

from rnnviz.ui.worker import Job, Worker


class LatestJob:
    def __init__(self, worker: Worker, on_done: Callable[[Job], None], name: str = ""):
        self._worker, self._on_done, self._name = worker, on_done, name
        self.job: Job | None = None  # the request whose result is awaited

    @property
    def busy(self) -> bool:
        return self.job is not None

    def submit(self, fn: Callable, *args, **kwargs) -> Job:
        """Compute fn(*args, **kwargs) in the worker; on_done(job) gets it in the UI thread."""
        self.cancel()
        job = Job(lambda _job: fn(*args, **kwargs), self._done, name=self._name)
        self.job = self._worker.submit(job)
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None

    def _done(self, job: Job) -> None:
        if job is not self.job:
            return  # superseded: dropped
        self.job = None
        self._on_done(job)
