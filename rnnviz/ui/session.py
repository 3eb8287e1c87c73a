"""Session: the one QObject that drives the core. Views read its state and listen to its signals.

Data flows one way: user action -> Session method -> core computes -> signal -> views redraw.
The session coordinates; each cell's model, trainer and trace live in a CellTrack (ui/cell_track.py):
one track, or two side by side in compare mode, stepped by one cursor and trained on the same batches.
`session.rnn`, `.stepper`, ... are the first track's; `session.side(1)` is the second cell's view of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from rnnviz.core.settings import Settings, make_source, sequence_rng, train_config
from rnnviz.ui.cell_track import CellTrack, build_track, trace
from rnnviz.ui.session_files import SessionFiles
from rnnviz.ui.session_side import FirstTrack
from rnnviz.ui.session_training import REDRAW_EVERY_MS, SessionTraining
from rnnviz.ui.trace_jobs import TraceNumbers
from rnnviz.ui.training import TrainingRun
from rnnviz.ui.worker import Worker

if TYPE_CHECKING:  # (loaded with the first save, open or undo: not at start-up)
    from rnnviz.core.session_file import SessionData


class Session(QObject, FirstTrack, SessionTraining, SessionFiles):
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
        self._worker = Worker(self, lanes=2)  # slow per-trace numbers, two at a time (trace_jobs)
        self.tracks: list[CellTrack] = []  # the cell, and in compare mode the cell compared with it
        self._sides = {}  # index -> SessionSide
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
        main = None if data is None else data.main_model()
        tracks = [build_track(s, source, s.cell, main)]
        if s.compare:
            tracks.append(build_track(s, source, s.compare, None if data is None else data.compare))
        seq_rng = sequence_rng(s)
        x, y = source.sample(seq_rng, s.seq_len)
        cursor = 0
        if data is not None:
            x, y, cursor = data.x, data.y, data.cursor
        parts = dict(settings=s, source=source, tracks=tracks, _seq_rng=seq_rng, x=x, y=y)
        return {**parts, "traces": self._traces(s, tracks, x, y, cursor)}

    @staticmethod
    def _traces(s: Settings, tracks: list[CellTrack], x, y, cursor: int = 0) -> list[dict]:
        """A fresh trace of (x, y) by each track's model, advanced quietly to `cursor` (cell_track.trace)."""
        return [trace(s, track.rnn, x, y, cursor, like=track.stepper) for track in tracks]

    def _install(self, parts: dict, emit: bool = True) -> None:
        """Swap in what _build or _traces made (plain assignments: nothing here can fail halfway);
        the old traces' numbers still being computed are cancelled and never drawn."""
        old = [track.numbers for track in self.tracks if track.numbers is not None]
        traces = parts.pop("traces")
        for name, value in parts.items():
            setattr(self, name, value)
        for track, new in zip(self.tracks, traces, strict=True):
            track.stepper, track.step_losses = new["stepper"], new["step_losses"]
            track.numbers = TraceNumbers(self._worker, track.rnn, track.stepper, self._numbers_arrived)
        for numbers in old:
            numbers.cancel()
        if emit:
            self.sig_reset.emit()

    def _numbers_arrived(self) -> None:
        self.sig_numbers.emit()

    def shutdown(self) -> None:
        """Stop playing and training and end the worker thread (the window is closing)."""
        self.stop_training()
        self.pause()
        for track in self.tracks:
            track.numbers.cancel()
        self._worker.shutdown()

    def _new_stepper(self, cursor: int = 0) -> None:
        """A fresh trace of the sequence by every track, advanced quietly to `cursor`, then sig_reset."""
        self._install({"traces": self._traces(self.settings, self.tracks, self.x, self.y, cursor)})

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
                traces = self._traces(new, self.tracks, self.x, self.y) if _trace_changed(old, new) else None
                config = train_config(new)
                for track in self.tracks:
                    track.trainer.config = config
                self.settings = new
                if traces is not None:
                    self._install({"traces": traces})
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
        """One step of every track (one cursor: their traces have the same steps); the first's event."""
        ev = self.stepper.step()
        if ev is None:
            self.pause()
            return None
        for track in self.tracks[1:]:
            track.stepper.step()
        self.sig_stepped.emit(ev)
        return ev

    def back(self):
        ev = self.stepper.back()
        if ev is not None:
            for track in self.tracks[1:]:
                track.stepper.back()
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


def _trace_changed(old: Settings, new: Settings) -> bool:
    """Whether the step-through itself differs (so the Stepper must be rebuilt)."""
    if any(getattr(old, f) != getattr(new, f) for f in ("mode", "target", "final_update", "truncate")):
        return True
    return new.final_update and old.lr != new.lr  # the update step uses the learning rate
