"""Issue 10, items 2 and 6: at every screen a class uses, in normal and presenter mode, at a step half-way
through the backward pass, the window fits its screen, every view keeps a usable size, every title and
label is whole (or cut with "…" and a tooltip), the graph's three rows are in view, nothing overlaps.

Each size runs in its own process (tests/ui/screen_probe.py: the offscreen platform fixes its screen
at start-up), which measures the rules from the widgets themselves (tests/ui/screen_rules.py).
"""

import pytest
from PySide6.QtGui import QImage

from rnnviz.ui.fit_text import ElidedLabel
from tests.ui.screen_probe import SCENARIOS, SHOT, SIZES, run_in_subprocess
from tests.ui.screen_rules import Report, check_plots, check_texts

# the least each check must have looked at in one window (so a check that saw nothing cannot pass)
SEEN = {"window part": 3, "graph node": 18, "graph row name": 4, "view": 1, "plot": 2, "title": 2,
        "tick label": 6, "axis label": 2, "label": 2}  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
def test_every_view_usable_every_text_whole_at(size, tmp_path):
    results = run_in_subprocess(size, tmp_path)
    modes = {(r["scenario"], r["mode"]) for r in results}
    assert modes >= {(s, m) for s in SCENARIOS for m in ("normal", "presenter")}
    assert ("restored from a bigger screen", "normal") in modes
    for r in results:
        where = f"{size} {r['scenario']} {r['mode']}"
        assert r["violations"] == [], where
        if r["scenario"] in SCENARIOS:
            for what, least in SEEN.items():
                assert r["counts"].get(what, 0) >= least, (where, what)
        lab = {  # issue 13: the lab's views were on screen (each check names the deck's views)
            ("lab views", "normal"): ("view states", "view cliff", "view gradnorm"),
            ("lab views", "presenter"): ("view states+cliff",),
            ("the cliff lesson", "normal"): ("view cliff", "view gradnorm"),
            ("the cliff lesson", "presenter"): ("view cliff", "view gradnorm"),
        }
        for seen in lab.get((r["scenario"], r["mode"]), ()):
            assert r["counts"].get(seen, 0) >= 1, (where, seen)
        if r["scenario"] == SHOT:  # the screenshot is the screen, at its device pixels
            shot = QImage(r["shot"])
            dims, _, scale = size.partition("@")
            width, height = (int(v) for v in dims.split("x"))
            assert abs(shot.width() - width) <= 8 and abs(shot.height() - height) <= 8, (where, shot.size())


# --- the rules catch what they are for -------------------------------------------------------------


def test_the_rules_catch_a_squeezed_plot_a_clipped_title_and_an_uncut_label(qtbot):
    """A bare pyqtgraph layout, as the views were before issue 10: squeezed plots, clipped titles."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    class Bare(QWidget):
        def __init__(self):
            super().__init__()
            self.layout_widget = pg.GraphicsLayoutWidget()
            QVBoxLayout(self).addWidget(self.layout_widget)
            for col, title in enumerate(("t", "a title far too long for a plot this narrow, clipped")):
                plot = self.layout_widget.addPlot(row=0, col=col)
                label = plot.titleLabel  # as the views did: the title never widens its plot ...
                full_minimum = label.updateMin

                def update_min(label=label, full=full_minimum):
                    full()
                    label.setMinimumWidth(0)

                label.updateMin = update_min
                plot.setTitle(title)  # ... and is clipped instead
            self.label = QLabel("a label far too long for its room, clipped at the edge")
            self.layout().addWidget(self.label)
            self.elided = ElidedLabel("a label far too long for its room, cut with an ellipsis " * 3)
            self.layout().addWidget(self.elided)

    bare = Bare()
    qtbot.addWidget(bare)
    bare.resize(300, 260)
    bare.show()
    qtbot.waitExposed(bare)
    bare.label.setMaximumWidth(120)
    qtbot.waitUntil(lambda: bare.label.width() <= 120)
    r = Report()
    check_plots("bare", bare, r, presenting=False)
    check_texts(bare, r, presenting=False)
    text = "\n".join(r.violations)
    assert "below 200x150" in text  # two plots in 300 px
    assert "title 'a title far too long" in text and "(clipped)" in text
    assert "label 'a label far too long for its room, clipp' needs" in text
    assert "cut with an ellipsis" not in text  # cut with "…" and a tooltip: allowed
    assert bare.elided.toolTip() == bare.elided.text() and bare.elided.shown_text().endswith("…")
