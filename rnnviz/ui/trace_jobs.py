"""The numbers of one trace that are slow at large sizes, computed in the worker when first asked for.

A Jacobian row costs t exact SVDs of S x S matrices (S = H, or 2H for the LSTM's (s, c)) and the
contributions C[t, k] O(T^2 H^2) work: at H = 256, T = 200 that is seconds (an LSTM row ~8 s), so the
UI thread never computes them, and a row's job stops between steps back once cancelled. A row's
SVDs run beside its products, in a helper thread the job's thread makes, without the GIL
(core/two_norm.py): the UI thread is never held up by them. A view
asks (`contributions()`, `row(t)`, `radius()`); it gets the numbers if they are in, else None, and
a job is queued; when the numbers arrive, `on_ready` is called in the UI thread and the view asks
again. Every job belongs to this trace: once the Session replaces the trace it calls `cancel()`,
and a result arriving later is dropped, never drawn. The jobs use the Stepper's frozen copies of
the parameters, never the live model, which training and the update step change. The worker runs
two jobs at a time (a reset's long row beside its contributions and rho(W)): what they share, made
once per trace, is made under a lock. A row comes in parts as well (`row_so_far`): its exact norms
from k = t down, as far as they are computed, a few times a second, while its status stays
COMPUTING (an LSTM row, 200 SVDs of 512 x 512, takes seconds even on two cores).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from rnnviz.core import Model, Stepper
from rnnviz.ui.trace_numbers import DecayRow, decay_row, recurrent_norm, recurrent_radius, traced_model
from rnnviz.ui.worker import Job, Worker

COMPUTING = "computing…"
PART_EVERY_S = 0.25  # how often a row being computed shows its norms so far


class TraceNumbers:
    def __init__(self, worker: Worker, rnn: Model, stepper: Stepper, on_ready: Callable[[], None]):
        self.stepper = stepper  # the trace these numbers belong to
        self._worker, self._on_ready = worker, on_ready
        self._values: dict = {}  # key -> result: "contributions", "radius", "norm", ("row", t)
        self._failed: dict = {}  # key -> what went wrong
        self._parts: dict = {}  # ("row", t) -> the row so far, while it is computed
        self._jobs: dict = {}  # key -> Job still outstanding
        self._twin = traced_model(rnn, stepper)  # the traced parameters as a model (no copies)
        # what the worker's threads share, made once under its lock:
        self._rows, self._rows_lock = None, threading.Lock()  # the twin's jacobian_rows (a forward pass)
        self._radius, self._radius_lock = None, threading.Lock()  # rho of the twin's W (radius job, rows)
        self.cancelled = False

    # --- what views ask for (UI thread) ---------------------------------------------------------

    def contributions(self) -> np.ndarray | None:
        """(T, T) C[t, k] of the traced parameters (see Model.contributions), or None while computing."""
        return self._get("contributions", lambda m, st, job: m.contributions(st.x, st.y))

    def radius(self) -> float | None:
        """rho(W) of the traced W (a gated cell: the largest rho(W_*)), or None while computing."""
        return self._get("radius", lambda m, st, job: self._traced_radius())

    def norm(self) -> float | None:
        """||W||_2 of the traced W, its largest singular value (Pascanu's bound uses it; a gated cell:
        the largest ||W_*||_2), or None while computing."""
        return self._get("norm", lambda m, st, job: recurrent_norm(m))

    def row(self, t: int) -> DecayRow | None:
        """The gradient view's numbers for output step t (see trace_numbers.decay_row), or None.
        E_t must have a target (a masked step has no loss to follow back)."""

        def compute(m, st, job):
            with self._rows_lock:
                if self._rows is None:
                    self._rows = m.jacobian_rows(st.x)

            def stop() -> bool:
                return job.cancelled

            shown = [time.monotonic()]  # when a part was last handed over

            def part(row: DecayRow) -> None:
                if time.monotonic() - shown[0] >= PART_EVERY_S:
                    shown[0] = time.monotonic()
                    job.report(row)

            return decay_row(m, st.x, st.y, t, self._traced_radius, self._rows, stop, part)

        return self._get(("row", t), compute, urgent=True)

    def row_so_far(self, t: int) -> DecayRow | None:
        """row(t) once it is in; while it is computed, the part computed so far (its norm NaN where
        not yet computed, every other curve whole; status COMPUTING), or None before any part."""
        row = self.row(t)
        return self._parts.get(("row", t)) if row is None else row

    def status(self, key) -> str:
        """'' once `key` is in, COMPUTING while it is computed, or why it could not be."""
        if key in self._values:
            return ""
        return self._failed.get(key, COMPUTING)

    def ready(self, key) -> bool:
        return key in self._values

    def cancel(self) -> None:
        """This trace is replaced: drop its queued and running jobs (their results are never used)."""
        self.cancelled = True
        for job in self._jobs.values():
            job.cancel()
        self._jobs.clear()

    # --- jobs -------------------------------------------------------------------------------------

    def _get(self, key, compute: Callable, urgent: bool = False):
        if key in self._values:
            return self._values[key]
        if key not in self._jobs and key not in self._failed and not self.cancelled:

            def run(job: Job):
                return compute(self._twin, self.stepper, job)

            job = Job(run, self._done, name=str(key), progress=self._part)
            job.key = key
            self._jobs[key] = self._worker.submit(job, urgent=urgent)
        return None

    def _traced_radius(self) -> float:
        """(worker thread) recurrent_radius of the twin, computed once for the radius and row jobs."""
        with self._radius_lock:
            if self._radius is None:
                self._radius = recurrent_radius(self._twin)
            return self._radius

    def _part(self, job: Job, value) -> None:
        """(UI thread) Part of a job's result (a row so far) while it runs."""
        if self.cancelled or self._jobs.get(job.key) is not job:
            return  # a replaced trace's: dropped
        self._parts[job.key] = value
        self._on_ready()

    def _done(self, job: Job) -> None:
        """(UI thread) A job of this trace has finished."""
        if self.cancelled or self._jobs.get(job.key) is not job:
            return  # a late result of a replaced trace: dropped
        del self._jobs[job.key]
        self._parts.pop(job.key, None)
        if job.error is not None:
            what = "not enough memory" if isinstance(job.error, MemoryError) else str(job.error)
            self._failed[job.key] = f"could not compute: {what}"
        else:
            self._values[job.key] = job.result
        self._on_ready()
