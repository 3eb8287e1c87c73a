"""ViewDeck: the views below the graph, side by side while each keeps its minimum size, in tabs
when the width runs out (never squeezed to nothing). Presenter mode shows only some of them.

A view that is not built yet (views is an OnDemand) is built when it is first on screen: behind a tab
it has an empty page, which it replaces when its tab comes to the front. Whether the views fit side
by side is first tried with the least width each could need (`least`): when even those do not fit,
the deck is tabbed without building the views behind the tabs; else every view is built and measured.
"""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QSize, Qt, Signal


class ViewDeck(QtWidgets.QWidget):
    sig_arranged = Signal(str)  # "side" or "tabs", after the views moved

    def __init__(self, views, titles: dict[str, str], shown=None, parent=None, least=None):
        """views: a mapping from name to view (a dict, or an OnDemand that builds a view the first
        time it is asked for: the deck asks only for the views it shows); titles: the deck's views
        and their tab titles; shown: the views shown first (all of them if not given); least: name ->
        a function giving a width the view, once built, never asks less than (for views not built)."""
        super().__init__(parent)
        self.views, self.titles, self.least = views, titles, dict(least or {})
        self._waiting: dict[str, QtWidgets.QWidget] = {}  # the empty page of a view not built yet
        self.shown: list[str] = list(titles if shown is None else shown)  # the views in the deck, in order
        self.mode: str | None = None
        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)  # dragging never hides a view
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setTabPosition(QtWidgets.QTabWidget.TabPosition.West)  # costs width, not height
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setExpanding(False)
        self.tabs.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.currentChanged.connect(self._build_in_front)
        self.stack = QtWidgets.QStackedLayout(self)
        # the deck's least size is minimumSizeHint's alone: the splitter's sum of the views (side by
        # side) must not become the window's minimum, or the window could never be narrow enough to tab
        self.stack.setSizeConstraint(QtWidgets.QLayout.SizeConstraint.SetNoConstraint)
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.tabs)
        self._parking = QtWidgets.QWidget(self)  # holds the views not shown
        self._parking.hide()
        if hasattr(views, "on_built"):  # a view built late takes its tab, or is parked if not shown
            views.on_built = self._place
        self.arrange(force=True)

    def set_shown(self, names) -> None:
        """Show these views (in this order), and no others."""
        names = [n for n in names if n in self.titles]
        if names != self.shown:
            self.shown = names
            self.arrange(force=True)

    def min_width(self, name: str, height: int) -> int:
        """A view's least width at this height (a view that reflows needs less when taller)."""
        view = self.views[name]
        at_height = getattr(view, "minimum_width_for", None)
        return at_height(height) if at_height is not None else view.minimumSizeHint().width()

    def side_width(self) -> int:
        """The width the shown views need side by side, each at its minimum for the deck's height."""
        handles = self.splitter.handleWidth() * max(0, len(self.shown) - 1)
        return sum(self.min_width(n, self.height()) for n in self.shown) + handles

    def _is_built(self, name: str) -> bool:
        return self.views.is_built(name) if hasattr(self.views, "is_built") else True

    def _fits_side_by_side(self) -> bool:
        """Whether the shown views fit side by side; views not built are built to be measured only
        when the least width they could need leaves room for them."""
        handles = self.splitter.handleWidth() * max(0, len(self.shown) - 1)
        least = [
            self.min_width(n, self.height()) if self._is_built(n) else self.least.get(n, lambda: 0)()
            for n in self.shown
        ]
        return sum(least) + handles <= self.width() and self.side_width() <= self.width()

    def arrange(self, force: bool = False) -> None:
        mode = "side" if len(self.shown) <= 1 or self._fits_side_by_side() else "tabs"
        if mode == self.mode and not force:
            return
        current = self.current()
        self.mode = mode
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        self.tabs.blockSignals(False)
        for name, view in self._built().items():
            self._park(name, view)
        if mode == "side":
            for i, name in enumerate(self.shown):
                self.splitter.insertWidget(i, self.views[name])
                self.views[name].show()
            self._least_widths()
            weights = [self.min_width(n, self.height()) for n in self.shown]
            self.splitter.setSizes(weights)  # shares in proportion to what each needs
            self.stack.setCurrentWidget(self.splitter)
        else:
            self.tabs.blockSignals(True)  # the view in front is built once the tabs are all there
            for name in self.shown:
                self.tabs.addTab(self._page(name), self.titles[name])
                self.tabs.setTabToolTip(self.tabs.count() - 1, self.titles[name])
            if current in self.shown:
                self.tabs.setCurrentWidget(self._page(current))
            self.tabs.blockSignals(False)
            self.stack.setCurrentWidget(self.tabs)
            self._build_in_front()
        self.updateGeometry()
        self.sig_arranged.emit(mode)

    def _page(self, name: str) -> QtWidgets.QWidget:
        """A view's tab page: the view, or an empty page until the view is built."""
        if self._is_built(name):
            self.views[name].setMinimumWidth(0)  # a tab gets the deck's width: its own least
            return self.views[name]
        return self._waiting.setdefault(name, QtWidgets.QWidget())

    def _build_in_front(self, *_) -> None:
        """The tab in front shows its view: built now if it was waiting (it then takes its tab)."""
        front = self.tabs.currentWidget()
        waiting = next((n for n, page in self._waiting.items() if page is front), None)
        if waiting is not None:
            self.views[waiting]  # noqa: B018 - building it calls _place

    def _place(self, name: str, view) -> None:
        """A view just built: in the tab its empty page held, or parked if the deck does not show it."""
        page = self._waiting.pop(name, None)
        index = self.tabs.indexOf(page) if page is not None else -1
        if index < 0:
            self._park(name, view)
            return
        front = self.tabs.currentIndex() == index
        self.tabs.blockSignals(True)
        view.setMinimumWidth(0)
        self.tabs.insertTab(index, view, self.titles[name])  # before its empty page, which then goes
        self.tabs.setTabToolTip(index, self.titles[name])
        if front:
            self.tabs.setCurrentIndex(index)
        self.tabs.removeTab(index + 1)  # (never the tab in front: no other view is shown meanwhile)
        self.tabs.blockSignals(False)
        page.deleteLater()
        self.updateGeometry()  # the deck's least size now counts this view too

    def current(self) -> str | None:
        """The view in front when tabbed (the first shown one when side by side)."""
        front = self.tabs.currentWidget()
        if self.mode == "tabs" and front is not None:
            pages = {**self._built(), **self._waiting}
            return next(n for n, page in pages.items() if page is front)
        return self.shown[0] if self.shown else None

    def _built(self) -> dict:
        """The deck's views that exist (a view never shown may not be built yet)."""
        built = self.views.built() if hasattr(self.views, "built") else self.views
        return {n: v for n, v in built.items() if n in self.titles}

    def _park(self, name: str, view) -> None:
        """A deck view that is not shown goes to the parking widget (out of the splitter and tabs)."""
        if name in self.titles and name not in self.shown:
            view.setParent(self._parking)

    def bring_to_front(self, name: str) -> None:
        if self.mode == "tabs" and name in self.shown:
            self.tabs.setCurrentWidget(self.views[name])

    def in_view(self, name: str) -> bool:
        """Whether the view is on screen (shown, and in front when tabbed)."""
        if name not in self.shown:
            return False
        if self.mode == "side":
            return True
        return self._is_built(name) and self.tabs.currentWidget() is self.views[name]  # (in front: built)

    def minimumSizeHint(self) -> QSize:
        """What the tabs need: one view at a time (side by side is used only when it fits); a view
        behind a tab that is not built yet asks for its room when it is built."""
        built = [n for n in self.shown if self._is_built(n)]
        if not built:
            return QSize(0, 0)
        bar = self.tabs.tabBar().sizeHint().width() + 2 if len(self.shown) > 1 else 0  # tabs at the side
        least = [self.views[n].minimumSizeHint() for n in built]
        return QSize(max(s.width() for s in least) + bar, max(s.height() for s in least))

    def _least_widths(self) -> None:
        """Side by side, each view may be as narrow as it needs at the deck's height (a view that
        reflows needs less when tall): the widths that decided that they fit."""
        for name in self.shown:
            self.views[name].setMinimumWidth(self.min_width(name, self.height()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.arrange()
        if self.mode == "side" and event.oldSize().height() != event.size().height():
            self._least_widths()
