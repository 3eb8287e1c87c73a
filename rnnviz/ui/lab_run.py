"""A paper's experiment (rnnviz.experiments.run_experiment) in a thread of its own, so the window keeps
answering for the minute or the quarter of an hour it takes.

The thread only calls the runner (NumPy; no Qt); the UI thread reads `done`, `total` and `last` (plain
values) on a timer and collects `rows` once `finished`. `cancel()` sets a flag the runner reads between
success checks (every few hundred training sequences: well under a second), so a cancelled run, or a
closed window, ends soon; the rows finished before (a row is all its seeds or nothing) are kept.
"""

from __future__ import annotations

import threading

from rnnviz.experiments import Experiment, Row, run_experiment
from rnnviz.ui.background import collect_garbage_in_ui_thread


class ExperimentRun:
    def __init__(self, experiment: Experiment, seeds: int):
        self.experiment, self.seeds = experiment, seeds
        self.total = len(experiment.settings) * seeds  # trials
        self.done = 0  # trials finished
        self.last = "starting…"  # what the last finished trial did, in words
        self.rows: list[Row] | None = None  # set when the thread ends (without error)
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        collect_garbage_in_ui_thread()  # the experiment's thread must never free Qt objects
        self._thread = threading.Thread(target=self._loop, name="rnnviz-experiment", daemon=True)
        self._thread.start()

    @property
    def finished(self) -> bool:
        return not self._thread.is_alive()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """No check starts after the one under way (returns at once)."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True if it has."""
        self._thread.join(timeout)
        return self.finished

    def _progress(self, done: int, total: int, what: str) -> None:
        self.done, self.total, self.last = done, total, what

    def _loop(self) -> None:
        try:
            self.rows = run_experiment(
                self.experiment, self.seeds, progress=self._progress, cancelled=self._cancel.is_set
            )
        except BaseException as e:  # noqa: BLE001 - reported by the UI thread
            self.error = e
