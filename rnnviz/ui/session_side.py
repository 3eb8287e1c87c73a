"""What the views of one cell read: the session, with that cell's track in place of the first.

In compare mode the views of the second cell (its unrolled graph, its half of the gradient view) are
given `session.side(1)`: they read `stepper`, `rnn`, `numbers`, ... exactly as they would read the
session's, and get the second track's. Everything else (the sequence, settings, signals) is the session's.
"""

from __future__ import annotations

import numpy as np

from rnnviz.ui.trace_jobs import TraceNumbers
from rnnviz.ui.trace_numbers import DecayRow

TRACK = ("rnn", "trainer", "history", "stepper", "step_losses", "numbers", "contributions", "spec", "name")


class SessionSide:
    def __init__(self, session, index: int):
        self.session, self.index = session, index

    @property
    def active(self) -> bool:
        """Whether the session has this cell now (the second one only in compare mode)."""
        return self.index < len(self.session.tracks)

    @property
    def track(self):
        return self.session.tracks[self.index]

    def jacobian_row(self, t: int, so_far: bool = False):
        return self.track.jacobian_row(t, so_far)

    def update_losses(self, ev):
        return self.track.update_losses(ev, self.session.x, self.session.y)

    def __getattr__(self, name: str):
        if name in TRACK:
            return getattr(self.track, name)
        return getattr(self.session, name)


class FirstTrack:
    """The Session read as its first cell, as every view of one cell reads it: `session.rnn`,
    `.stepper`, ... are the first track's; `session.side(1)` is the compared cell's (a Session mixin)."""

    @property
    def comparing(self) -> bool:
        return len(self.tracks) > 1

    def side(self, index: int) -> SessionSide:
        """What the views of cell `index` read (0: the cell; 1: the one compared with it)."""
        if index not in self._sides:
            self._sides[index] = SessionSide(self, index)
        return self._sides[index]

    @property
    def rnn(self):
        return self.tracks[0].rnn

    @property
    def trainer(self):
        return self.tracks[0].trainer

    @property
    def history(self):
        return self.tracks[0].history

    @property
    def stepper(self):
        return self.tracks[0].stepper

    @stepper.setter
    def stepper(self, stepper) -> None:  # tests trace kinds of step-through the controls do not offer
        self.tracks[0].stepper = stepper

    @property
    def step_losses(self):
        return self.tracks[0].step_losses

    @property
    def numbers(self) -> TraceNumbers:
        return self.tracks[0].numbers

    @property
    def spec(self):
        return self.tracks[0].spec

    @property
    def name(self) -> str:
        return self.tracks[0].name

    @property
    def contributions(self) -> np.ndarray | None:
        """(T, T) C[t, k] of the current trace, or None while the worker computes it (sig_numbers)."""
        return self.tracks[0].contributions

    def jacobian_row(self, t: int, so_far: bool = False) -> DecayRow | None:
        """How the gradient of E_t changes going back from step t, for the parameters the current
        trace uses (never the live model, which the update step or training changes); None while
        the worker computes it (sig_numbers says when it is in). `so_far`: while it is computed,
        the part so far (its norm NaN where not yet computed), or None before any part."""
        return self.tracks[0].jacobian_row(t, so_far)

    def update_losses(self, ev) -> tuple[float, float]:
        """L on the current sequence before and after an update step `ev` (its old and new parameters)."""
        return self.tracks[0].update_losses(ev, self.x, self.y)
