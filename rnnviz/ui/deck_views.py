"""The views below the graph for MainWindow (a mixin): the hidden-state view is built with the window,
the loss and gradient views the first time they are on screen (ui/on_demand.py, ui/view_deck.py).

At a window too narrow for the three side by side they are tabbed, and two of them wait behind their
tabs: the window shows sooner without building their plots (about half of what it builds). The deck
decides to tab them without building them when even the least width each could ask does not fit.
The loss view is also built when training starts: it keeps the bars from before training. While the
gradient view waits, its slow numbers are still asked for at each new trace, as it would ask: they are
in when it first comes to the front, as they were when it was built with the window.
"""

from __future__ import annotations

from rnnviz.ui import style
from rnnviz.ui.gradient_side import ask_numbers


class DeckViews:
    def _deck_makers(self) -> dict:
        """How to build each view not built with the window (its module is imported then too)."""

        def loss():
            from rnnviz.ui.widgets.loss_view import LossView

            return LossView(self.session, self.theme)

        def gradients():
            from rnnviz.ui.widgets.gradient_view import GradientView

            return GradientView(self.session, self.theme)

        return {"loss": loss, "gradients": gradients}

    def _least_widths(self) -> dict:
        """The least width each could ask, once built: a plot's for the loss view (its two plots
        stacked), two plots' for the gradient view (its heat map and its going-back plot stand side
        by side in every arrangement). Every plot is at least style.plot_minimum wide (style.usable)."""
        plot = lambda: style.plot_minimum(self.theme)[0]  # noqa: E731 - the theme of the moment
        return {"loss": plot, "gradients": lambda: 2 * plot()}

    loss_view = property(lambda self: self.views["loss"], doc="built when first asked for")
    gradient_view = property(lambda self: self.views["gradients"], doc="built when first asked for")

    def _before_training(self, training: bool) -> None:
        """Training starts: a loss view not built yet is built now, to keep the bars from before it."""
        if training and not self.views.is_built("loss"):
            self.loss_view.keep_bars_before_training(True)

    def _ask_for_gradient_numbers(self, *_) -> None:
        """A new trace while the gradient view is not built: ask for the numbers it would ask for."""
        if not self.views.is_built("gradients"):
            ask_numbers([self.session.side(i) for i in range(len(self.session.tracks))])
