"""Issue 13's lab for MainWindow (a mixin): the hidden-state space, Pascanu's cliff and the gradient
norm before clipping, as views below the graph, and the "Run the paper's experiment" window.

Below the graph a lab view is opened on demand (keys 4-6, the View menu, or a lesson that names it)
and then stands there in place of the three usual views (1-3 bring those back), with the usual view a
lesson step also names beside it: a fourth or fifth tab does not fit the height of a small screen, and
a lab view needs the room. In presenter mode the keys show or hide lab views beside the graph like
1-3. Their slow numbers come from a worker of their own, which closing the window ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnviz.ui.presenter import TAB_TITLES
from rnnviz.ui.worker import Worker

if TYPE_CHECKING:
    from rnnviz.ui.widgets.experiment_card import ExperimentCard

LAB_TITLES = {"states": "State space", "cliff": "Cliff", "gradnorm": "Grad norm"}
ALL_TITLES = {**TAB_TITLES, **LAB_TITLES}


class LabViews:
    def _lab_makers(self, session) -> dict:
        """How to build each of the lab's views (the window builds one when it is first asked for:
        ui/on_demand.py; its modules are imported then too), and the worker they share."""
        self.lab_worker = Worker(self, name="rnnviz-lab")
        self.opened_lab: list[str] = []  # the lab view open in normal mode (one at most)
        self.experiment_card: ExperimentCard | None = None

        def states():
            from rnnviz.ui.widgets.state_space_view import StateSpaceView

            return StateSpaceView(session, self.lab_worker, self.theme)

        def cliff():
            from rnnviz.ui.widgets.cliff_view import CliffView

            return CliffView(self.lab_worker, self.theme)

        def gradnorm():
            from rnnviz.ui.widgets.gradnorm_view import GradNormView

            return GradNormView(session, self.theme)

        return {"states": states, "cliff": cliff, "gradnorm": gradnorm}

    @property
    def lab_views(self):
        """The lab's views by name (each built when it is asked for)."""
        return self.views.only(LAB_TITLES)

    def normal_views(self) -> list[str]:
        """The views below the graph in normal mode: the three usual ones; or the lab view that is
        open, with the usual view the lesson step names (two at most, like presenter mode)."""
        if not self.opened_lab:
            return list(TAB_TITLES)
        return self.opened_lab + [n for n in self.view_choice.lesson if n in TAB_TITLES][:1]

    def toggle_lab_view(self, name: str) -> None:
        """Normal mode, keys 4-6: open the view (in place of another lab view), or close it if it is
        already open and in view."""
        if name in self.opened_lab and self.deck.in_view(name):
            self.opened_lab = []
        else:
            self.opened_lab = [name]
        self.deck.set_shown(self.normal_views())
        self.deck.bring_to_front(name)

    def close_lab_views(self) -> None:
        """Normal mode, keys 1-3: the usual views come back."""
        if self.opened_lab:
            self.opened_lab = []
            self.deck.set_shown(self.normal_views())

    def open_lab_views(self, names) -> None:
        """Normal mode: the lab view a lesson step names (the first, if it names two), or none."""
        lab = [n for n in names if n in LAB_TITLES][:1]
        self.opened_lab = lab
        self.deck.set_shown(self.normal_views())

    def open_experiment_card(self) -> None:
        """The "Run the paper's experiment" window: non-modal, one for the session, raised if open."""
        if self.experiment_card is None:
            from rnnviz.ui.widgets.experiment_card import ExperimentCard

            self.experiment_card = ExperimentCard(theme=self.theme, parent=self)
        self.experiment_card.show()
        self.experiment_card.raise_()
        self.experiment_card.activateWindow()

    def shutdown_lab(self) -> None:
        """The window closes: cancel a running experiment (waiting for its check) and the lab's jobs."""
        if self.experiment_card is not None:
            self.experiment_card.cancel(wait=True)
            self.experiment_card.close()
        self.lab_worker.shutdown()
