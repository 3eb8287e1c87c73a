"""Session: the one QObject that drives the core. Views read its state and listen to its signals.

Data flows one way: user action -> Session method -> core computes -> signal -> views redraw.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from rnnviz.core import LossHistory, Stepper, Trainer, sample
from rnnviz.core.session_file import SessionData
from rnnviz.core.settings import Settings, make_model, make_source, sequence_rng, train_config
from rnnviz.ui.session_files import SessionFiles
from rnnviz.ui.tables import smoothed_loss
from rnnviz.ui.trace_numbers import DecayRow, decay_row, delta_norms, losses_around_update, traced_model

TRAIN_SLICE_S = 0.015  # training runs in slices this long, then lets the event loop run
REDRAW_EVERY_S = 0.1  # the curve and progress bar follow training ten times a second, not every slice


class Session(QObject, SessionFiles):
    sig_reset = Signal()  # new model, sequence or stepper: views redraw from scratch
    sig_stepped = Signal(object)  # the event just taken (or undone): views update
    sig_playing_changed = Signal(bool)
    sig_training_changed = Signal(bool)
    sig_trained = Signal(int, int)  # iterations done, iterations asked for in this run
    sig_settings_changed = Signal(object)  # the new Settings
    sig_message = Signal(str)  # something the user should read (errors included)

    def __init__(self, settings: Settings | None = None, parent=None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.history = LossHistory()
        self._play_timer = QTimer(self, interval=400)
        self._play_timer.timeout.connect(self._play_tick)
        self._train_timer = QTimer(self, interval=0)
        self._train_timer.timeout.connect(self._train_tick)
        self._train_target = self._train_done = 0
        self._last_progress = 0.0
        self._seq_rng = None
        self._jacobian_cache: dict[int, DecayRow] = {}
        self._jacobian_owner = None  # the stepper the cached rows belong to
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
        """A fresh step-through of (x, y), advanced quietly to `cursor`, and its per-sequence numbers."""
        T = len(x)
        target = None if s.mode == "full" else (T - 1 if s.target < 0 else min(s.target, T - 1))
        update_lr = s.lr if s.final_update else None
        stepper = Stepper(
            rnn, x, y, mode=s.mode, target=target, update_lr=update_lr, truncate=s.truncate or None
        )
        step_losses = rnn.step_losses(x, y)  # (T,)
        contributions = rnn.contributions(x, y)  # (T, T)
        for _ in range(min(cursor, stepper.total_steps)):
            stepper.step()
        return dict(stepper=stepper, step_losses=step_losses, contributions=contributions)

    def _install(self, parts: dict, emit: bool = True) -> None:
        """Swap in what _build or _trace made (plain assignments: nothing here can fail halfway)."""
        for name, value in parts.items():
            setattr(self, name, value)
        self._jacobian_cache.clear()
        if emit:
            self.sig_reset.emit()

    def _new_stepper(self, cursor: int = 0) -> None:
        """A fresh trace of the current sequence, advanced quietly to `cursor`, then sig_reset."""
        self._install(self._trace(self.settings, self.rnn, self.x, self.y, cursor))

    @property
    def vocab(self):
        return self.source.vocab

    @property
    def T(self) -> int:
        return len(self.x)

    def jacobian_row(self, t: int) -> DecayRow:
        """How the gradient of E_t changes going back from step t, for the parameters the current
        trace uses (never the live model, which the update step or training changes). Cached per trace."""
        st = self.stepper
        if self._jacobian_owner is not st:  # a new trace: rows of the old one no longer apply
            self._jacobian_cache, self._jacobian_owner = {}, st
            self._traced = traced_model(self.rnn, st)
            self._delta_norms = delta_norms(self._traced, st.x, st.y)  # (T, T), once per trace
        if t not in self._jacobian_cache:
            self._jacobian_cache[t] = decay_row(self._traced, st.x, st.y, t, self._delta_norms)
        return self._jacobian_cache[t]

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

    # --- training (time-sliced on the event loop) -------------------------------------------------

    @property
    def training(self) -> bool:
        return self._train_timer.isActive()

    def train(self, iterations: int) -> None:
        if self.training or iterations <= 0:
            return
        self.pause()
        self.trainer.stopped_reason = None
        self._train_target, self._train_done = int(iterations), 0
        self._train_timer.start()
        self.sig_training_changed.emit(True)

    def stop_training(self) -> None:
        if not self.training:
            return
        self._train_timer.stop()
        self.sig_training_changed.emit(False)
        self._new_stepper()  # the trace now follows the trained parameters
        self.sig_message.emit(
            f"Trained {self._train_done} iterations; {self._recent_loss()}."
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
        end = time.perf_counter() + TRAIN_SLICE_S
        while self._train_done < self._train_target:  # at least one iteration per slice
            if not self.trainer.step():
                self._train_timer.stop()
                self.sig_training_changed.emit(False)
                self._new_stepper()
                self.sig_message.emit(self.trainer.stopped_reason)
                return
            self._train_done += 1
            if time.perf_counter() >= end:
                break
        now = time.perf_counter()
        if now - self._last_progress >= REDRAW_EVERY_S or self._train_done >= self._train_target:
            self._last_progress = now
            self.sig_trained.emit(self._train_done, self._train_target)
        if self._train_done >= self._train_target:
            self.stop_training()


def _trace_changed(old: Settings, new: Settings) -> bool:
    """Whether the step-through itself differs (so the Stepper must be rebuilt)."""
    if any(getattr(old, f) != getattr(new, f) for f in ("mode", "target", "final_update", "truncate")):
        return True
    return new.final_update and old.lr != new.lr  # the update step uses the learning rate
