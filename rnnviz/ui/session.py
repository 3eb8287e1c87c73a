"""Session: the one QObject that drives the core. Views read its state and listen to its signals.

Data flows one way: user action -> Session method -> core computes -> signal -> views redraw.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from rnnviz.core import Stepper, Trainer, sample
from rnnviz.core.session_file import SessionData
from rnnviz.core.settings import Settings, make_model, make_source, sequence_rng, train_config
from rnnviz.ui.masks import traced_step
from rnnviz.ui.session_files import SessionFiles
from rnnviz.ui.tables import smoothed_loss
from rnnviz.ui.trace_jobs import TraceNumbers
from rnnviz.ui.trace_numbers import DecayRow, losses_around_update
from rnnviz.ui.training import LockedGradNorms, LockedHistory, TrainingRun
from rnnviz.ui.worker import Worker

REDRAW_EVERY_MS = 100  # the curve and progress bar follow training ten times a second
STOPPING_POLL_MS = 2  # after Esc, how often to look whether the last iteration is over


class Session(QObject, SessionFiles):
    sig_reset = Signal()  # new model, sequence or stepper: views redraw from scratch
    sig_stepped = Signal(object)  # the event just taken (or undone): views update
    sig_playing_changed = Signal(bool)
    sig_training_changed = Signal(bool)
    sig_trained = Signal(int, int)  # iterations done, iterations asked for in this run
    sig_settings_changed = Signal(object)  # the new Settings
    sig_message = Signal(str)  # something the user should read (errors included)
    sig_numbers = Signal()  # numbers of the current trace computed in the worker have arrived

    def __init__(self, settings: Settings | None = None, parent=None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self._play_timer = QTimer(self, interval=400)
        self._play_timer.timeout.connect(self._play_tick)
        self._train_timer = QTimer(self, interval=REDRAW_EVERY_MS)  # reads the training thread's progress
        self._train_timer.timeout.connect(self._train_tick)
        self._run: TrainingRun | None = None
        self._seq_rng = None
        self._worker = Worker(self)  # slow per-trace numbers are computed there
        self.numbers: TraceNumbers | None = None
        self._update_losses: tuple = (None, None)  # (update event, (L before, L after))
        self.undo_data: SessionData | None = None  # the trained model a rebuild replaced
        self._rebuild(self.settings)
        self._mark_saved()  # a new session has no training to lose

    # --- building: new state is built aside, then installed whole ------------------------------

    def _rebuild(self, s: Settings, emit: bool = True) -> None:
        """New source, model, trainer and first sequence from settings (raises ValueError)."""
        self._install(self._build(s), emit=emit)

    def _build(self, s: Settings, data: SessionData | None = None) -> dict:
        """Everything a session with these settings (and, given `data`, these parameters, sequence,
        history and step) holds, built without touching the session: a failure changes nothing."""
        source = make_source(s)
        rnn = make_model(s, len(source.vocab))
        trainer = Trainer(rnn, source, train_config(s), seed=s.seed)
        trainer.history = LockedHistory()  # read by the UI thread while the training thread adds
        trainer.grad_norms = LockedGradNorms()  # the same, for the gradient norm before clipping
        seq_rng = sequence_rng(s)
        x, y = source.sample(seq_rng, s.seq_len)
        cursor = 0
        if data is not None:
            rnn.set_params(**data.params())
            trainer.history.restore(data.history, data.history_count, data.history_stride)
            trainer.iteration = data.history_count
            x, y, cursor = data.x, data.y, data.cursor
        parts = dict(settings=s, source=source, rnn=rnn, trainer=trainer, history=trainer.history)
        parts.update(_seq_rng=seq_rng, x=x, y=y)
        return {**parts, **self._trace(s, rnn, x, y, cursor)}

    @staticmethod
    def _trace(s: Settings, rnn, x, y, cursor: int = 0) -> dict:
        """A fresh step-through of (x, y), advanced quietly to `cursor`, and its losses E_t (cheap:
        one forward pass). The slow numbers (contributions, Jacobian rows) come from the worker."""
        T = len(x)
        target = None if s.mode == "full" else (T - 1 if s.target < 0 else min(s.target, T - 1))
        if target is not None:
            target = traced_step(y, target)  # a step with no target has no loss: the nearest that has
        update_lr = s.lr if s.final_update else None
        stepper = Stepper(
            rnn, x, y, mode=s.mode, target=target, update_lr=update_lr, truncate=s.truncate or None
        )
        step_losses = rnn.step_losses(x, y)  # (T,)
        for _ in range(min(cursor, stepper.total_steps)):
            stepper.step()
        return dict(stepper=stepper, step_losses=step_losses)

    def _install(self, parts: dict, emit: bool = True) -> None:
        """Swap in what _build or _trace made (plain assignments: nothing here can fail halfway);
        the old trace's numbers still being computed are cancelled and never drawn."""
        for name, value in parts.items():
            setattr(self, name, value)
        if self.numbers is not None:
            self.numbers.cancel()
        self.numbers = TraceNumbers(self._worker, self.rnn, self.stepper, self._numbers_arrived)
        if emit:
            self.sig_reset.emit()

    def _numbers_arrived(self) -> None:
        self.sig_numbers.emit()

    def shutdown(self) -> None:
        """Stop playing and training and end the worker thread (the window is closing)."""
        self.stop_training()
        self.pause()
        if self.numbers is not None:
            self.numbers.cancel()
        self._worker.shutdown()

    def _new_stepper(self, cursor: int = 0) -> None:
        """A fresh trace of the current sequence, advanced quietly to `cursor`, then sig_reset."""
        self._install(self._trace(self.settings, self.rnn, self.x, self.y, cursor))

    @property
    def vocab(self):
        return self.source.vocab

    @property
    def T(self) -> int:
        return len(self.x)

    @property
    def computing(self) -> bool:
        """Whether the worker has numbers of the current trace still to deliver."""
        return self._worker.busy()

    @property
    def contributions(self) -> np.ndarray | None:
        """(T, T) C[t, k] of the current trace, or None while the worker computes it (sig_numbers)."""
        return self.numbers.contributions()

    def jacobian_row(self, t: int) -> DecayRow | None:
        """How the gradient of E_t changes going back from step t, for the parameters the current
        trace uses (never the live model, which the update step or training changes); None while
        the worker computes it (sig_numbers says when it is in)."""
        return self.numbers.row(t)

    def update_losses(self, ev) -> tuple[float, float]:
        """L on the current sequence before and after an update step `ev` (its old and new parameters)."""
        if self._update_losses[0] is not ev:
            self._update_losses = (ev, losses_around_update(self.rnn, ev, self.x, self.y))
        return self._update_losses[1]

    # --- settings -------------------------------------------------------------------------------

    def apply_settings(self, new: Settings) -> bool:
        """Apply new settings; data changes rebuild and reset. Returns False (and says why) on error."""
        if new == self.settings:
            return True
        old = self.settings
        self.stop_training()
        try:
            if old.data_changed(new):
                self.pause()
                self._replace_model(self._build(new))
            else:
                trace = self._trace(new, self.rnn, self.x, self.y) if _trace_changed(old, new) else None
                self.trainer.config = train_config(new)
                self.settings = new
                if trace is not None:
                    self._install(trace)
        except ValueError as e:
            self.sig_message.emit(f"Settings not applied: {e}")
            return False
        self.sig_settings_changed.emit(self.settings)
        return True

    def update_settings(self, **changes) -> bool:
        try:
            new = self.settings.with_(**changes)
        except ValueError as e:
            self.sig_message.emit(f"Settings not applied: {e}")
            return False
        return self.apply_settings(new)

    # --- stepping -------------------------------------------------------------------------------

    def step(self):
        ev = self.stepper.step()
        if ev is None:
            self.pause()
            return None
        self.sig_stepped.emit(ev)
        return ev

    def back(self):
        ev = self.stepper.back()
        if ev is not None:
            self.sig_stepped.emit(ev)
        return ev

    def reset(self) -> None:
        """Back to step 0 on the same sequence, with the current parameters."""
        self.pause()
        self._new_stepper()

    def new_sequence(self) -> None:
        self.pause()
        self.x, self.y = self.source.sample(self._seq_rng, self.settings.seq_len)
        self._new_stepper()

    def new_model(self) -> None:
        """Re-initialise the parameters from the seed (a trained model can be brought back: undo)."""
        self.stop_training()
        self.pause()
        self._replace_model(self._build(self.settings))

    def _replace_model(self, parts: dict) -> None:
        """Install a rebuilt model; a trained one it replaces is kept for undo (and the user told)."""
        kept = self._keep_trained_model()
        self._install(parts)
        self.undo_data = kept or self.undo_data

    def _keep_trained_model(self) -> SessionData | None:
        """A snapshot to undo to, if there is training that a rebuild would throw away."""
        if self.history.count == 0:
            return None
        self.sig_message.emit(
            f"New model; the one trained {self.history.count:,} iterations is kept: Ctrl+Z brings it back."
        )
        return self.snapshot()

    def undo(self) -> bool:
        """Bring back the trained model (with its settings and sequence) that the last rebuild replaced."""
        if self.undo_data is None:
            self.sig_message.emit("Nothing to undo.")
            return False
        data, self.undo_data = self.undo_data, None
        self.restore(data)
        self.sig_message.emit(f"Brought back the model trained for {self.history.count:,} iterations.")
        return True

    # --- play -----------------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self._play_timer.isActive()

    def set_speed(self, steps_per_second: float) -> None:
        self._play_timer.setInterval(int(1000 / max(0.1, min(steps_per_second, 60.0))))

    def play(self) -> None:
        if self.playing or self.training:
            return
        if self.stepper.done:
            self._new_stepper()
        self._play_timer.start()
        self.sig_playing_changed.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._play_timer.stop()
            self.sig_playing_changed.emit(False)

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def _play_tick(self) -> None:
        if self.step() is None or self.stepper.done:
            self.pause()

    # --- training (in a thread of its own: ui/training.py) ----------------------------------------

    @property
    def training(self) -> bool:
        return self._run is not None

    def train(self, iterations: int) -> None:
        if self.training or iterations <= 0:
            return
        self.pause()
        self.trainer.stopped_reason = None
        self._run = TrainingRun(self.trainer, iterations)
        self._train_timer.start()
        self.sig_training_changed.emit(True)

    def request_stop(self) -> None:
        """Esc: no iteration starts after the one under way; the run ends with it, and the window
        keeps answering meanwhile (stop_training() waits for it instead)."""
        if self.training:
            self._run.request_stop()
            self._train_timer.setInterval(STOPPING_POLL_MS)  # notice the end promptly

    def stop_training(self) -> None:
        """Stop (waiting only for the iteration under way), then trace the trained parameters."""
        if not self.training:
            return
        run = self._run
        run.stop()
        self._end_training(run)

    def _end_training(self, run: TrainingRun) -> None:
        self._run = None
        self._train_timer.stop()
        self._train_timer.setInterval(REDRAW_EVERY_MS)
        self.sig_trained.emit(run.done, run.target)
        self.sig_training_changed.emit(False)
        self._new_stepper()  # the trace now follows the trained parameters
        if run.error is not None:
            self.sig_message.emit(f"Training stopped by an error: {type(run.error).__name__}: {run.error}")
        elif run.failed:
            self.sig_message.emit(self.trainer.stopped_reason)
        else:
            self.sig_message.emit(
                f"Trained {run.done} iterations; {self._recent_loss()}."
                f"  The model now writes: {self.sample_text(40)!r}"
            )

    def sample_text(self, n: int) -> str:
        """n tokens generated by the model, starting after the current sequence's first token."""
        ids = sample(self.rnn, int(self.x[0]), n, np.random.default_rng(self.settings.seed))
        return self.vocab.join(ids)

    def _recent_loss(self) -> str:
        """The smoothed loss, named as the loss view's title and legend name it (one definition)."""
        now = smoothed_loss(self.history)
        if now is None:
            return "no loss recorded"
        return f"smoothed loss {now[0]:.3f} (mean of the last {now[1]:,} iterations)"

    def _train_tick(self) -> None:
        """Ten times a second while training: show the progress; once the thread has ended, finish."""
        run = self._run
        if run is None:
            return
        if run.finished:
            self._end_training(run)
        else:
            self.sig_trained.emit(run.done, run.target)


def _trace_changed(old: Settings, new: Settings) -> bool:
    """Whether the step-through itself differs (so the Stepper must be rebuilt)."""
    if any(getattr(old, f) != getattr(new, f) for f in ("mode", "target", "final_update", "truncate")):
        return True
    return new.final_update and old.lr != new.lr  # the update step uses the learning rate
