"""What the views of one cell read: the session, with that cell's track in place of the first.

In compare mode the views of the second cell (its unrolled graph, its half of the gradient view) are
given `session.side(1)`: they read `stepper`, `rnn`, `numbers`, ... exactly as they would read the
session's, and get the second track's. Everything else (the sequence, settings, signals) is the session's.
"""

from __future__ import annotations

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

    def jacobian_row(self, t: int):
        return self.track.jacobian_row(t)

    def update_losses(self, ev):
        return self.track.update_losses(ev, self.session.x, self.session.y)

    def __getattr__(self, name: str):
        if name in TRACK:
            return getattr(self.track, name)
        return getattr(self.session, name)
