"""Issue 13's lab for MainWindow (a mixin): the hidden-state space, Pascanu's cliff and the gradient
norm before clipping, as views below the graph, and the "Run the paper's experiment" window.

The lab views are opened on demand (keys 4-6, the View menu, or a lesson that names them), so the
three views a lesson usually needs keep their room; once open they sit in the deck beside (or tabbed
with) the others, and in presenter mode the keys show or hide them beside the graph like 1-3. Their
slow numbers come from a worker of their own, which closing the window ends.
"""

from __future__ import annotations

from rnnviz.ui.presenter import TAB_TITLES
from rnnviz.ui.widgets.cliff_view import CliffView
from rnnviz.ui.widgets.experiment_card import ExperimentCard
from rnnviz.ui.widgets.gradnorm_view import GradNormView
from rnnviz.ui.widgets.state_space_view import StateSpaceView
from rnnviz.ui.worker import Worker

LAB_TITLES = {"states": "State space", "cliff": "Cliff", "gradnorm": "Gradient norm"}
ALL_TITLES = {**TAB_TITLES, **LAB_TITLES}


class LabViews:
    def _build_lab(self, session, theme) -> dict:
        """The lab's views (the window puts them in its deck) and the worker they share."""
        self.lab_worker = Worker(self, name="rnnviz-lab")
        self.lab_views = {
            "states": StateSpaceView(session, self.lab_worker, theme),
            "cliff": CliffView(self.lab_worker, theme),
            "gradnorm": GradNormView(session, theme),
        }
        self.opened_lab: list[str] = []  # lab views open in normal mode, in the order opened
        self.experiment_card: ExperimentCard | None = None
        return self.lab_views

    def normal_views(self) -> list[str]:
        """The views below the graph in normal mode: the three of every lesson, then the lab's open ones."""
        return list(TAB_TITLES) + self.opened_lab

    def toggle_lab_view(self, name: str) -> None:
        """Normal mode, keys 4-6: open the view (in front), or close it if it is already in view."""
        if name in self.opened_lab and self.deck.in_view(name):
            self.opened_lab.remove(name)
        elif name not in self.opened_lab:
            self.opened_lab.append(name)
        self.deck.set_shown(self.normal_views())
        self.deck.bring_to_front(name)

    def open_lab_views(self, names) -> None:
        """Open the lab views a lesson names (normal mode)."""
        new = [n for n in names if n in LAB_TITLES and n not in self.opened_lab]
        if new:
            self.opened_lab += new
            self.deck.set_shown(self.normal_views())

    def open_experiment_card(self) -> None:
        """The "Run the paper's experiment" window: non-modal, one for the session, raised if open."""
        if self.experiment_card is None:
            self.experiment_card = ExperimentCard(theme=self.theme, parent=self)
        self.experiment_card.show()
        self.experiment_card.raise_()
        self.experiment_card.activateWindow()

    def shutdown_lab(self) -> None:
        """The window closes: cancel a running experiment (waiting for its check) and the lab's jobs."""
        if self.experiment_card is not None:
            self.experiment_card.cancel(wait=True)
        self.lab_worker.shutdown()
