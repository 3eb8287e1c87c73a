"""Every lesson played end to end in the real window: each caption's claim is checked on screen.

A caption that names a view finds it visible; a panel it names is shown (not hidden behind a tab);
the band, bars, curves and numbers it describes are drawn, with the values the core computes.
The exercises the captions ask for (train, change a setting, train again) are done too, and the
lesson goes on through them.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from rnnviz.core import spectral_radius
from rnnviz.core.settings import Settings
from rnnviz.ui.main_window import MainWindow
from tests.ui.helpers import in_front, settled, shown_on_screen


@pytest.fixture
def window(qtbot):
    from rnnviz.ui.session import Session

    s = Session(Settings())
    w = MainWindow(s, restore=False)
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    qtbot.waitExposed(w)
    yield w
    s.stop_training()
    w.close()


VIEWS = {  # words a caption uses -> the view it means
    "gradient view": "gradient_view",
    "heatmap": None,  # which heatmap is said in the words around it; checked below
    "bar chart": "loss_view",
    "bars": "loss_view",
    "training curve": "loss_view",
    "graph": "graph_view",
    "output node": "graph_view",
}


def check_caption_basics(w, text: str) -> None:
    """What every caption must honour: the views it names are visible, the panel it names is shown,
    it counts timesteps as t = ..., and every $name is filled in."""
    assert "$" not in text and not re.match(r"Step \d", text)
    for words, view in VIEWS.items():
        if words in text and view is not None:
            assert shown_on_screen(getattr(w, view)), words
    if "contribution heatmap" in text:
        assert shown_on_screen(w.gradient_view)
    if "hidden-state heatmap" in text:
        assert shown_on_screen(w.hidden_view)
    if "equations panel" in text:
        assert in_front(w, w.equations_dock), "the caption names the equations panel: it must be in view"


def train(w, qtbot, iterations=2000):
    w.controls.iterations.setValue(iterations)
    w.controls.start_training()
    qtbot.waitUntil(lambda: not w.session.training, timeout=60000)
    title = w.loss_view.curve_plot.titleLabel.text  # the smoothed loss as the screen says it
    return float(re.search(r"smoothed (?:loss )?([\d.]+)", title)[1])


class Player:
    """Steps a lesson and runs the check of every caption as it appears."""

    def __init__(self, w, checks: dict, qtbot=None):
        self.w, self.checks, self.seen, self.qtbot = w, checks, [], qtbot

    def look(self) -> None:
        panel = self.w.lesson_panel
        assert panel.lesson is not None, "the lesson ended"
        i = panel.index
        if not self.seen or self.seen[-1] != i:
            self.seen.append(i)
            check_caption_basics(self.w, panel.caption_text)
            if i in self.checks:
                if self.qtbot is not None:  # the worker's numbers are in and drawn
                    settled(self.qtbot, self.w.session)
                self.checks[i](self.w, self.w.session)

    def to(self, cursor) -> None:
        s = self.w.session
        self.look()
        while s.stepper.cursor < cursor and s.step() is not None:
            self.look()

    def to_end(self) -> None:
        self.to(self.w.session.stepper.total_steps)


def start(w, name: str) -> None:
    panel = w.lesson_panel
    assert panel.start([lesson.name for lesson in panel.lessons].index(name))


def forward(s):
    return s.rnn.forward(s.x)


# --- lesson 1 --------------------------------------------------------------------------------------


def test_lesson_1_forward_pass(window):
    w = window
    s = w.session

    def first_column(w, s):
        img = w.hidden_view.heatmap.image
        z0 = s.rnn.U[:, s.x[0]]  # s_{-1} = 0: z_0 is one column of U
        assert np.allclose(img[:, 0], np.tanh(z0)) and np.abs(img[:, 0]).max() < 1
        assert np.isnan(img[:, 1:]).all()

    def second_step(w, s):
        ev = s.stepper.last
        assert np.allclose(ev.z, s.rnn.U[:, s.x[1]] + s.rnn.W @ np.tanh(s.rnn.U[:, s.x[0]]))

    def near_uniform(w, s):
        o = forward(s).o
        assert 0.1 < o.min() and o.max() < 0.3 and o.shape[1] == 5
        tip = w.graph_view.node_items[("o", 2)].toolTip()
        assert "top 3" in tip

    def complete(w, s):
        assert len(s.stepper.forward_steps()) == s.T == 6 and "6 hidden states" in w.lesson_panel.caption_text

    def backward_started(w, s):
        assert s.stepper.last.phase == "backward"

    start(w, "01_forward_pass")
    assert s.history.count == 0 and np.array_equal(s.y[1:], s.x[:-1])  # untrained; echo of one step back
    p = Player(w, {1: first_column, 2: second_step, 3: near_uniform, 5: complete, 6: backward_started})
    p.to_end()
    assert p.seen == list(range(7))


# --- lesson 2 --------------------------------------------------------------------------------------


def test_lesson_2_the_loss_and_its_bars_after_training(window, qtbot):
    w = window
    s = w.session
    chance = np.log(5)

    def bars_so_far(w, s):
        assert len(w.loss_view.step_bars.opts["height"]) == s.stepper.cursor

    def near_uniform_guess(w, s):
        assert w.loss_view.chance_line.value() == pytest.approx(chance)
        assert abs(w.loss_view.step_losses.mean() - chance) < 0.35

    def far_below_after_training(w, s):
        lv = w.loss_view
        assert lv.ghost_text.isVisible() and lv.step_losses.mean() < chance / 4

    def mean_line(w, s):
        lv = w.loss_view
        if s.stepper.cursor < s.T:  # shown again after training, before the bars are back
            return
        assert lv.mean_line.isVisible() and lv.mean_line.value() == pytest.approx(s.step_losses.mean())

    start(w, "02_the_loss")
    before = np.array(s.step_losses)
    p = Player(
        w, {1: bars_so_far, 2: near_uniform_guess, 3: far_below_after_training, 4: mean_line, 5: mean_line}
    )
    p.to_end()
    assert p.seen == [0, 1, 2, 4]
    smoothed = train(w, qtbot)
    assert smoothed < chance / 10  # the curve fell far below the uniform guess
    assert w.lesson_panel.index == 5 and s.stepper.cursor == 0  # the instructions stay after training
    p.seen = []
    p.to(s.T)
    assert p.seen == [5, 1, 3, 5]
    lv = w.loss_view
    assert np.allclose(lv.ghost_bars.opts["height"], before)  # the bars before training, same axis
    assert lv.step_losses.max() < before.min() and lv.step_plot.viewRange()[1][1] >= before.max()


# --- lesson 3 --------------------------------------------------------------------------------------


def test_lesson_3_one_loss_term_by_term(window, qtbot):
    w = window
    s = w.session
    assert not in_front(w, w.equations_dock)  # behind the Controls tab until a caption needs it

    def term_3(w, s):
        terms = s.rnn.contribution_terms(s.x, s.y, 3)
        text = w.equations_view.browser.toPlainText()
        assert f"|δ3 s2⊤| = {np.linalg.norm(terms[3]):.4g}" in text.replace("\xa0", " ")

    def shrinking(w, s):
        assert abs(np.linalg.norm(s.rnn.W, 2) - 0.92) < 0.005
        img = w.gradient_view.heatmap.image
        assert img[3, 3] > img[3, 2] > img[3, 1]  # each step back shrinks the term

    def whole_row(w, s):
        C = s.contributions
        assert w.gradient_view.revealed[3, :4].all() and C[3, 0] == 0
        terms = s.rnn.contribution_terms(s.x, s.y, 3)
        assert np.allclose(s.stepper.gradients.dW, terms.sum(axis=0))

    start(w, "03_bptt_one_loss")
    assert s.stepper.mode == "single" and s.stepper.target == 3
    p = Player(w, {2: term_3, 4: shrinking, 5: whole_row}, qtbot)
    p.to_end()
    assert p.seen == list(range(6))


# --- lesson 4 --------------------------------------------------------------------------------------


def test_lesson_4_full_sweep(window):
    w = window

    def two_errors(w, s):  # checked at every backward step so far
        for ev in s.stepper.backward_steps():
            direct = (forward(s).o[ev.t] - np.eye(len(s.vocab))[s.y[ev.t]]) @ s.rnn.V / s.T
            assert np.allclose(ev.error_direct, direct)
            assert np.allclose(ev.error, ev.error_direct + ev.error_carried)

    def edges(w, s):
        two_errors(w, s)
        pens = w.graph_view.edge_pens
        widths = {pens[(k, t)].widthF() for k in "UV" for t in (s.T - 1, s.T - 2)}
        assert len(widths) > 1  # they thicken and thin with the error they carry

    def columns(w, s):
        assert w.gradient_view.revealed.any(axis=0).sum() == 4

    def done(w, s):
        two_errors(w, s)
        g = s.rnn.bptt(s.x, s.y)
        assert np.allclose(s.stepper.gradients.dW, g.dW)
        assert w.actions["gradcheck"] in w.menuBar().actions()[1].menu().actions()  # the Model menu

    start(w, "04_full_bptt")
    p = Player(w, {1: two_errors, 2: edges, 3: columns, 4: done})
    p.to_end()
    assert p.seen == list(range(5))


# --- lesson 5 --------------------------------------------------------------------------------------


def follows_radius(w, s):
    gv = w.gradient_view
    assert gv.chosen_t == 19 and shown_on_screen(gv)
    d = np.asarray(gv.curves["ratio"].xData, dtype=int)
    ratio = np.asarray(gv.curves["ratio"].yData)
    rho = np.asarray(gv.curves["radius_factor"].yData)
    assert len(d) >= 6 and np.allclose(rho, 0.5**d)
    assert np.all(np.abs(np.log10(ratio / rho)) < np.log10(3))  # within a factor 3 of 0.5^(t-k)
    far = d.argmax()
    for bound in ("w_factor", "tanh_factor"):  # the bounds fall far more slowly
        assert np.asarray(gv.curves[bound].yData)[far] > 10 * ratio[far]


def test_lesson_5_vanishing_then_delay_2(window, qtbot):
    w = window
    s = w.session

    def radius(w, s):
        assert (
            spectral_radius(s.stepper.W) == pytest.approx(0.5)
            and "memory of 8 steps" in w.lesson_panel.caption_text
        )

    def norm_below_one(w, s):
        assert abs(np.linalg.norm(s.stepper.W, 2) - 0.91) < 0.005

    def near_diagonal(w, s):
        C = s.contributions
        diag = np.mean([np.log10(C[t, t]) for t in range(1, 20)])
        eight = np.mean([np.log10(C[t, t - 8]) for t in range(9, 20)])
        assert eight < diag - 2  # under a hundredth

    start(w, "05_vanishing")
    p = Player(w, {0: radius, 1: norm_below_one, 2: follows_radius, 3: near_diagonal}, qtbot)
    p.to_end()
    assert p.seen == [0, 1, 2, 3]
    p.to_end()
    settled(qtbot, s)
    follows_radius(w, s)  # over all 19 steps too
    assert 0.6 < train(w, qtbot) < 1.0  # stalls near 0.8
    assert w.lesson_panel.index == 4 and "stalls near 0.8" in w.lesson_panel.caption_text
    w.controls.fields["delay"].setValue(2)  # what the caption asks for
    assert w.lesson_panel.lesson is not None and w.lesson_panel.index == 5
    assert train(w, qtbot) < 0.05  # close to zero
    p.seen = []

    def about_untrained(w, s):  # trained now: the captions about the preset's W say so
        assert w.lesson_panel.caption_text.startswith("[This describes the untrained model")

    p.checks = {0: about_untrained, 1: about_untrained, 2: about_untrained}
    p.to_end()
    assert p.seen == [5, 0, 1, 2, 5] and "memory of 2 steps" in w.lesson_panel.lesson.text(0, s.settings)


# --- lesson 6 --------------------------------------------------------------------------------------


def test_lesson_6_exploding_then_clipping(window, qtbot):
    w = window
    s = w.session

    def saturated(w, s):
        img = w.hidden_view.heatmap.image
        assert 0.15 < np.mean(np.abs(img) > 0.9) < 0.25  # a fifth of the values beyond ±0.9

    def norm_3(w, s):
        saturated(w, s)
        assert abs(np.linalg.norm(s.stepper.W, 2) - 3.2) < 0.05

    def growing(w, s):
        gv = w.gradient_view
        d = np.asarray(gv.curves["norm"].xData)
        norm = np.asarray(gv.curves["norm"].yData)
        assert d.max() == 7 and norm[d == 7][0] > 3 > norm[d == 0][0]

    def exploding(w, s):
        text = w.gradient_view.verdict_label.text()
        assert "19 steps back" in text and "exploding" in text
        C = s.contributions
        assert C[19, 1:10].max() > C[19, 19]  # far-back steps contribute more than recent ones

    start(w, "06_exploding")
    p = Player(w, {1: norm_3, 2: growing, 4: exploding}, qtbot)
    p.to_end()
    assert p.seen == [0, 1, 2, 4]
    smoothed = train(w, qtbot)
    _, loss = s.history.data()
    assert np.abs(np.diff(loss)).max() > 2 and smoothed > 1  # it jumps, and stays high
    assert w.lesson_panel.index == 5
    w.controls.fields["clip"].setValue(1.0)
    assert w.lesson_panel.lesson is not None and w.lesson_panel.index == 3
    s.new_model()  # Re-initialise, as the caption says
    assert w.lesson_panel.index == 3 and s.history.count == 0
    smoothed = train(w, qtbot)
    _, loss = s.history.data()
    assert smoothed < 0.05 and np.abs(np.diff(loss)).max() < 1  # smooth, close to zero


# --- lesson 7 --------------------------------------------------------------------------------------


def test_lesson_7_truncation_band_then_off(window, qtbot):
    w = window
    s = w.session
    T = 16

    def band(w, s):
        gv = w.gradient_view
        assert s.stepper.truncate == 3 and gv.band.isVisible()
        kept = gv.kept()
        assert all(kept[t].sum() == 4 for t in range(3, T))  # 4 cells per row, t-3 <= k <= t
        assert set(w.graph_view.cut_items) == set(range(1, T - 3))

    def veiled(w, s):
        band(w, s)
        alpha = w.gradient_view.veil.image[..., 3]
        t, k = np.indices((T, T))
        assert (alpha[(k <= t) & (t - k > 3)] > 0).all()
        g = s.rnn.bptt(s.x, s.y, truncate=3)
        assert np.allclose(s.stepper.gradients.dW, g.dW)  # the trace itself is truncated

    def no_band(w, s):
        assert (
            s.stepper.truncate is None and not w.gradient_view.band.isVisible() and not w.graph_view.cut_items
        )

    start(w, "07_truncated")

    def band_caption(w, s):
        band(w, s)
        assert "4 cells per row" in w.lesson_panel.caption_text

    p = Player(w, {2: band_caption, 4: veiled, 1: no_band, 3: no_band, 5: no_band})
    p.to_end()
    assert p.seen == [0, 2, 4]
    assert 0.75 < train(w, qtbot) < 1.1  # stalls near 0.9
    w.controls.fields["truncate"].setValue(0)  # off, as the caption asks
    assert w.lesson_panel.lesson is not None and w.lesson_panel.index == 5
    no_band(w, s)
    s.new_model()
    assert train(w, qtbot) < 0.35  # about 0.2
    p.seen = []
    p.to_end()
    assert p.seen == [5, 1, 3, 5]
