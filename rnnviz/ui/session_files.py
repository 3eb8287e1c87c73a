"""Session files: snapshot, save, load and restore, mixed into Session (session.py).

A load checks the file completely (core.session_file), then builds the whole new state aside
(Session._build) and installs it only when complete, so a bad file or a failure on the way leaves
the open session exactly as it was. The session also knows whether training would be lost on closing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rnnviz.core.session_file import SessionData

# core.session_file is imported where a file is saved or read (and by a snapshot): its module, with
# its dataclasses and the .npy reader, is a few ms of the start-up that no window needs to show


class SessionFiles:
    """Needs the Session's tracks, history, x, y, stepper, settings, sig_message, _build and _install."""

    _saved_history = None  # the LossHistory a file holds, and how many iterations it had then
    _saved_count = 0

    def snapshot(self) -> SessionData:
        """Copies of everything a session file holds (training may replace the live arrays later):
        each track's parameters and training curve, the sequence and the step."""
        from rnnviz.core.session_file import SessionData

        main = self.tracks[0].model_data()
        return SessionData(
            settings=self.settings,
            parameters=main.parameters,
            x=self.x.copy(),
            y=self.y.copy(),
            cursor=self.stepper.cursor,
            history=main.history,
            history_count=main.history_count,
            history_stride=main.history_stride,
            compare=self.tracks[1].model_data() if len(self.tracks) > 1 else None,
        )

    @property
    def unsaved_training(self) -> int:
        """Iterations of training on the current model that no session file holds (0 if none)."""
        h = self.history
        if h is self._saved_history:
            return max(0, h.count - self._saved_count)
        return h.count

    def _mark_saved(self) -> None:
        self._saved_history, self._saved_count = self.history, self.history.count

    def save(self, path) -> bool:
        """Save the session (atomically); a failure says which path and why, and keeps any old file."""
        from rnnviz.core.session_file import save_session

        try:
            save_session(path, self.snapshot())
        except (OSError, ValueError) as e:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            self.sig_message.emit(f"Could not save the session to {path}: {reason}.")
            return False
        self._mark_saved()
        self.sig_message.emit(f"Session saved to {path}")
        return True

    def load(self, path) -> bool:
        """Load a session file; a bad file gets one clear sentence and changes nothing."""
        from rnnviz.core.session_file import load_session

        try:
            data = load_session(path)
            parts = self._build(data.settings, data)
        except ValueError as e:
            self.sig_message.emit(f"Could not open the session: {e}.")
            return False
        except MemoryError:
            self.sig_message.emit(
                f"Could not open the session: {Path(path).name} needs more memory than is free."
            )
            return False
        self._restore_parts(parts)
        self._mark_saved()
        self.sig_message.emit(f"Session loaded from {path}")
        return True

    def restore(self, data: SessionData) -> None:
        """Make the session exactly what `data` describes (built aside first: raises ValueError,
        changing nothing, if it cannot be built)."""
        self._restore_parts(self._build(data.settings, data))

    def _restore_parts(self, parts: dict) -> None:
        self.stop_training()
        self.pause()
        self._install(parts)
        self.sig_settings_changed.emit(self.settings)
