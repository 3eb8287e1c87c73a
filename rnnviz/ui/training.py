"""Training in a thread of its own, so the window keeps answering at every size.

One iteration at K=2000, H=256, T=200 takes ~40 ms: run on the event loop, even one per slice
would freeze the window for that long. Here the training thread runs `Trainer.step()` back to back
(NumPy releases the GIL in its heavy loops) and the UI thread only reads how far it got. While it
runs, the training thread alone touches the model, the trainer and its history (which is locked for
the moment of each add, so the loss curve can be read meanwhile); everything the views draw is a
read-only copy made before (the Stepper's). A stop request makes the iteration under way give up
between two of its stages (a few ms apart), changing nothing (Trainer.step's `should_stop`):
`stop()` returns once it has; `request_stop()` returns at once, and the UI thread sees the run
finished a moment later.
"""

from __future__ import annotations

import threading
import time

from rnnviz.core import GradNormHistory, LossHistory, Trainer
from rnnviz.ui.background import collect_garbage_in_ui_thread


class LockedHistory(LossHistory):
    """A LossHistory the training thread adds to while the UI thread reads it."""

    def __init__(self, capacity: int = 2048):
        self.lock = threading.Lock()
        super().__init__(capacity)

    def add(self, iteration: int, loss: float) -> None:
        with self.lock:
            super().add(iteration, loss)

    def restore(self, points, count: int, stride: int) -> None:
        with self.lock:
            super().restore(points, count, stride)

    def data(self):
        with self.lock:
            return super().data()


class LockedGradNorms(GradNormHistory):
    """The gradient norm before clipping (Trainer.grad_norms), added by the training thread while the
    UI thread reads it: locked for the moment of each add and each read."""

    def __init__(self, capacity: int = 2048):
        self.lock = threading.Lock()
        super().__init__(capacity)

    def add(self, iteration: int, value: float) -> None:
        with self.lock:
            super().add(iteration, value)

    def data(self):
        with self.lock:
            return super().data()

    def peak_data(self):
        with self.lock:
            return super().peak_data()


class TrainingRun:
    """`iterations` training iterations of each trainer in a thread; `done` counts those that ran.

    Several trainers (compare mode) take their iterations in turn, one each, so both cells have
    trained as long at any moment; trainers built with one seed on one source draw the same batches."""

    def __init__(self, trainers: Trainer | list[Trainer], iterations: int):
        self.trainers = [trainers] if isinstance(trainers, Trainer) else list(trainers)
        self.trainer, self.target = self.trainers[0], int(iterations)
        self.done = 0
        self.failed = False  # a trainer refused a step (its stopped_reason says why) ...
        self.failed_by: Trainer | None = None  # ... this one
        self.error: BaseException | None = None  # an unexpected error in the thread
        self.ended_at: float | None = None  # time.perf_counter() when the thread ended
        self._stop = threading.Event()
        collect_garbage_in_ui_thread()  # the training thread must never free Qt objects
        self._thread = threading.Thread(target=self._loop, name="rnnviz-training", daemon=True)
        self._thread.start()

    @property
    def finished(self) -> bool:
        """True once the thread has ended (all iterations done, stopped, or the trainer refused)."""
        return not self._thread.is_alive()

    def request_stop(self) -> None:
        """The iteration under way gives up and no other starts (returns at once)."""
        self._stop.set()

    def stop(self) -> None:
        """Ask the thread to end and wait for it: until the iteration under way gives up."""
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        try:
            while self.done < self.target and not self._stop.is_set():
                for i, trainer in enumerate(self.trainers):
                    # the first trainer of a round gives up at once on a stop request (changing
                    # nothing); the others finish theirs, so every cell has trained as long
                    if not trainer.step(self._stop.is_set if i == 0 else None):
                        if trainer.stopped_reason is not None:
                            self.failed, self.failed_by = True, trainer
                        return
                self.done += 1
                time.sleep(0)  # hand the GIL to the UI thread if it waits (tiny models are pure Python)
        except BaseException as e:  # noqa: BLE001 - reported by the UI thread
            self.error = e
        finally:
            self.ended_at = time.perf_counter()  # when the last iteration was over (benchmarks read it)
