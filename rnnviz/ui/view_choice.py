"""Which views stand beside the graph in presenter mode (no Qt: plain rules, tested as such).

The teacher's choice with the keys 1-3 wins until 0 is pressed; otherwise the views the lesson step
names; otherwise those of the phase being stepped: the forward pass fills the hidden state and the
losses, the backward pass the gradient view, an update changes the loss.
"""

from __future__ import annotations

from rnnviz.core.lessons import MAX_VIEWS

BY_PHASE = {
    None: ("hidden", "loss"),
    "forward": ("hidden", "loss"),
    "backward": ("gradients",),
    "update": ("loss",),
}


class ViewChoice:
    def __init__(self):
        self.chosen: list[str] | None = None  # the keys' choice (None: automatic)
        self.lesson: tuple[str, ...] = ()  # the views the lesson step names

    def shown(self, phase: str | None) -> list[str]:
        if self.chosen is not None:
            return list(self.chosen)
        return list(self.lesson or BY_PHASE.get(phase, BY_PHASE[None]))

    def toggle(self, name: str, phase: str | None) -> list[str]:
        """Key for a view: hide it if shown, else show it beside the others (at most MAX_VIEWS:
        the one shown longest makes room)."""
        views = self.shown(phase)
        if name in views:
            views.remove(name)
        else:
            views = (views + [name])[-MAX_VIEWS:]
        self.chosen = views
        return list(views)

    def automatic(self) -> None:
        self.chosen = None
