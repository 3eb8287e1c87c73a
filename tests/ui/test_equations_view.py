import numpy as np
from PySide6 import QtWidgets

from rnnviz.core import Stepper
from rnnviz.ui import style
from rnnviz.ui.widgets.equations_view import EquationsView, bar_mark, num
from tests.ui.helpers import computed


def make_view(session, qtbot, theme=style.NORMAL):
    view = EquationsView(session, theme)
    qtbot.addWidget(view)
    return view


def text(view) -> str:
    """What Qt actually laid out (so the HTML parsed), with non-breaking spaces made plain."""
    return view.browser.toPlainText().replace("\xa0", " ")


def norm(a) -> str:
    return num(np.linalg.norm(a))


def test_start_shows_every_equation_with_nothing_highlighted(session, qtbot):
    view = make_view(session, qtbot)
    assert view.active is None
    h = view.html()
    for symbol in ("∂", "∑", "∏", "⊙", "δ", "η", "←", "<sub>", "<sup>"):
        assert symbol in h
    t = text(view)
    for piece in ("tanh(zt)", "softmax(V st)", "−log ot[yt]", "diag(1 − sj2) W", "Step 0 of"):
        assert piece in t
    for accent in (style.NORMAL.forward, style.NORMAL.backward):
        assert bar_mark(accent) not in h  # no coloured bar before the first step


def test_forward_step_shows_the_events_numbers(session, qtbot):
    view = make_view(session, qtbot)
    for _ in range(3):
        session.step()
    ev = session.stepper.last
    assert view.active == "forward" and ev.t == 2
    h, t = view.html(), text(view)
    assert f"{ev.E:.4f}" in h
    assert f"'{session.vocab.label(ev.x)}'" in t and f"U[:, {ev.x}]" in t
    assert f"|s2| = {norm(ev.s)}" in t
    assert f"|W s1| = {norm(session.stepper.W @ ev.s_prev)}" in t
    top = int(np.argmax(ev.o))
    assert f"o2[{top}] = {num(ev.o[top])}" in t and f"o2[y2] = {num(ev.o[ev.y])}" in t
    mean = np.mean([e.E for e in session.stepper.forward_steps()])
    assert f"mean of 3 of {session.T}" in t and f"{mean:.4f}" in t
    assert bar_mark(style.NORMAL.forward) in h  # the live block's bar


def test_backward_step_shows_error_split_delta_and_gradient(session, qtbot):
    view = make_view(session, qtbot)
    for _ in range(session.T + 2):
        session.step()
    ev = session.stepper.last
    assert view.active == "backward" and ev.t == session.T - 2
    t = text(view)
    assert f"|δ{ev.t}| = |∂L/∂z{ev.t}| = {norm(ev.delta)}" in t
    assert f"(1/T)|V⊤(o{ev.t} − y{ev.t})| = {norm(ev.error_direct)}" in t
    assert f"|W⊤δ{ev.t + 1}| = {norm(ev.error_carried)}" in t
    assert f"|δ{ev.t} s{ev.t - 1}⊤| = {norm(ev.dW_step)}" in t
    assert f"|∂L/∂W| = {norm(ev.gradients.dW)}" in t
    assert num(ev.delta[0]) in t
    h = view.html()
    assert bar_mark(style.NORMAL.backward) in h and bar_mark(style.NORMAL.forward) not in h


def test_highlight_follows_back(session, qtbot):
    view = make_view(session, qtbot)
    for _ in range(session.T + 1):
        session.step()
    assert view.active == "backward"
    session.back()
    assert view.active == "forward" and f"{session.stepper.last.E:.4f}" in view.html()
    while session.back() is not None:
        pass
    assert view.active is None and "Step 0 of" in text(view)


def test_single_mode_names_the_traced_loss_and_term(session, qtbot):
    view = make_view(session, qtbot)
    session.update_settings(mode="single", target=2)
    assert "gradient of E2 alone" in text(view)
    for _ in range(session.T + 1):  # forward, then the first backward step: k = t* = 2
        session.step()
    ev = session.stepper.last
    assert ev.t == 2 and view.active == "backward"
    t = text(view)
    assert "tracing E2 alone: this step's term k = 2 of ∂E2/∂W" in t
    assert f"|δ2 s1⊤| = {norm(ev.dW_step)}" in t and f"|∂E2/∂W| = {norm(ev.gradients.dW)}" in t
    assert "the product is I" in t  # k = t*: no Jacobian factors yet
    session.step()  # k = 1: E_1 is not traced, so no direct error
    assert "term k = 1 of ∂E2/∂W" in text(view) and "not part of this trace (only E2 is traced)" in text(view)
    assert "∂sj/∂sj−1| = computing…" in text(view)  # the worker computes the row
    jac = computed(qtbot, lambda: session.jacobian_row(2)).norm[1]
    assert f"∂sj/∂sj−1| = {num(jac)}" in text(view)


def test_update_step_shows_learning_rate_and_change(session, qtbot):
    view = make_view(session, qtbot)
    # the Session never asks for an update step yet, so trace one with a stepper that does
    session.stepper = Stepper(session.rnn, session.x, session.y, update_lr=0.5)
    session.sig_reset.emit()
    while session.step() is not None:
        pass
    ev = session.stepper.last
    assert ev.phase == "update" and view.active == "update"
    t = text(view)
    assert f"η = {num(0.5)}" in t and f"|ΔW| = {norm(ev.new['W'] - ev.old['W'])}" in t
    session.back()  # restores the parameters; the view follows
    assert view.active == "backward"


def test_presenter_theme_makes_the_text_bigger(session, qtbot):
    view = make_view(session, qtbot)
    session.step()
    assert f"font-size:{style.NORMAL.font_pt}pt" in view.html()
    view.apply_theme(style.PRESENTER)
    assert f"font-size:{style.PRESENTER.font_pt}pt" in view.html()
    assert view.browser.font().pointSizeF() == style.PRESENTER.font_pt
    assert view.active == "forward" and f"{session.stepper.last.E:.4f}" in view.html()


def test_redraw_is_idempotent_and_never_touches_the_model(session, qtbot):
    view = make_view(session, qtbot)
    before = {k: v.copy() for k, v in session.rnn.params().items()}
    for _ in range(session.T + 3):
        session.step()
    first = view.html()
    view.show_state()
    assert view.html() == first
    assert all(np.array_equal(before[k], v) for k, v in session.rnn.params().items())


def test_off_screen_the_page_is_drawn_when_it_comes_back_into_view(session, qtbot):
    view = make_view(session, qtbot)
    document = view.browser.document()
    view.set_on_screen(False)  # as its dock reports when another tab is raised over it
    revision = document.revision()
    for _ in range(3):
        session.step()
    assert document.revision() == revision  # nothing redrawn while off screen
    assert view.active == "forward"  # what the window reads of it stays current
    view.set_on_screen(True)
    assert document.revision() != revision
    drawn = QtWidgets.QTextBrowser.toPlainText(view.browser)  # as drawn, without a catch-up
    assert f"{session.stepper.last.E:.4f}" in drawn and "Step 3 of" in drawn


def test_reading_the_text_off_screen_brings_it_up_to_date(session, qtbot):
    view = make_view(session, qtbot)
    view.set_on_screen(False)
    session.step()
    assert f"{session.stepper.last.E:.4f}" in text(view) and f"{session.stepper.last.E:.4f}" in view.html()
