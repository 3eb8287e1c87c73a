"""Issue 11 in the app: bad files and failed changes leave the session and the controls as they were."""

import os
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt

from rnnviz.core.session_file import save_session
from rnnviz.core.settings import Settings
from rnnviz.ui.main_window import MainWindow
from rnnviz.ui.widgets.loss_view import LossView
from tests.session_files import member_bytes, npy_bytes, valid_data, write_members
from tests.ui.helpers import PATIENCE_MS


@pytest.fixture
def window(session, qtbot):
    w = MainWindow(session, restore=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def state(session):
    return (
        session.settings,
        session.rnn.U.copy(),
        session.rnn.W.copy(),
        session.rnn.V.copy(),
        session.x.copy(),
        session.stepper.cursor,
        session.T,
        session.history.count,
    )


def assert_same(a, b):
    for p, q in zip(a, b, strict=True):
        assert np.array_equal(p, q) if isinstance(p, np.ndarray) else p == q


def messages_of(session):
    said = []
    session.sig_message.connect(said.append)
    return said


# --- 1: a file that would half-replace the session -------------------------------------------------


def test_a_sequence_too_long_for_its_settings_leaves_the_session_whole(session, tmp_path):
    session.step()
    p = tmp_path / "long.rnnviz"
    save_session(p, valid_data(seq_len=10))
    members = member_bytes(p)
    members["x"] = members["y"] = npy_bytes(np.zeros(30_000, np.int64))
    write_members(p, members)
    before, said = state(session), messages_of(session)
    assert not session.load(p)
    assert said == [said[0]] and said[0].startswith("Could not open the session: long.rnnviz has a sequence")
    assert_same(state(session), before)
    assert session.step() is not None and session.stepper.cursor == 2  # still a working session


def test_a_failure_while_building_the_new_state_changes_nothing(session, tmp_path, monkeypatch):
    p = tmp_path / "fine.rnnviz"
    save_session(p, valid_data(hidden=5, seq_len=9))
    session.step()
    before, said = state(session), messages_of(session)

    def out_of_memory(*a, **k):
        raise MemoryError

    monkeypatch.setattr(type(session.stepper), "step_losses", out_of_memory)  # a new trace's E_t
    assert not session.load(p)
    assert said == ["Could not open the session: fine.rnnviz needs more memory than is free."]
    assert_same(state(session), before)
    monkeypatch.undo()
    assert session.step() is not None and session.load(p) and session.rnn.hidden_size == 5


# --- 6 and 9: what is opened, and as what ------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.timeout(60)  # the hang detector: before the fix, open() waited for a writer forever
def test_opening_a_fifo_says_what_it_is(window, session, tmp_path):
    said = messages_of(session)
    for name in ("x.rnnviz", "notes.txt"):
        os.mkfifo(tmp_path / name)
        assert not window.files.open_path(tmp_path / name)
        assert f"{name} is a pipe (FIFO)" in said[-1]


def test_a_text_starting_with_pk_opens_as_text(window, session, tmp_path):
    p = tmp_path / "pk.txt"
    p.write_text("PK is how this note starts, and it is plain text.\n", encoding="utf-8")
    assert window.files.open_path(p)
    assert session.settings.task == "file" and session.settings.text.startswith("PK is")


def test_a_session_file_with_another_name_is_still_recognised(window, session, tmp_path):
    p = tmp_path / "lesson.backup"
    save_session(p, valid_data(hidden=5))
    assert window.files.open_path(p) and session.settings.hidden == 5


# --- 8 and 12: save errors name the path ----------------------------------------------------------


def test_save_errors_name_the_path(session, tmp_path):
    said = messages_of(session)
    target = tmp_path / "gone" / "lesson.rnnviz"
    assert not session.save(target)
    assert said == [f"Could not save the session to {target}: No such file or directory."]


# --- 10: controls show what is in force ------------------------------------------------------------


def test_learning_rate_box_never_shows_a_value_not_in_force(window, session, qtbot):
    box = window.controls.fields["lr"]
    assert session.update_settings(lr=0.01)
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down)  # learning rates step along 1, 2, 5, 10, ...
    assert session.settings.lr == box.value() == 0.005 and box.text() == "0.005"
    qtbot.keyClick(box, Qt.Key.Key_Up)
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert session.settings.lr == 0.02 and box.text() == "0.02"
    assert session.update_settings(lr=1e-6)
    assert box.text() == "0.000001" and box.value() == pytest.approx(session.settings.lr)
    qtbot.keyClick(box, Qt.Key.Key_Down)  # at the minimum: nothing changes, nothing shows 0
    assert box.text() == "0.000001" and session.settings.lr == 1e-6


def test_clip_and_radius_boxes_show_small_values_rather_than_off(window, session):
    assert session.update_settings(clip=0.001, spectral_radius=0.005)
    assert window.controls.fields["clip"].text() == "0.001"
    assert window.controls.fields["spectral_radius"].text() == "0.005"


def test_a_failed_switch_to_word_tokens_restores_the_combo_and_announces_nothing(window, session, qtbot):
    words = "ab"  # two characters, but one token at word level: nothing to predict
    assert session.update_settings(task="file", text=words, text_name="marks.txt")
    session.train(3)
    qtbot.waitUntil(lambda: not session.training, timeout=PATIENCE_MS)
    said = messages_of(session)
    window.controls.level.setCurrentText("word")
    assert session.settings.level == "char" and window.controls.level.currentText() == "char"
    assert len(said) == 1 and said[0].startswith("Settings not applied") and "at least two tokens" in said[0]
    assert session.undo_data is None and not session.undo()


def test_a_refused_number_is_put_back_in_its_box(window, session, monkeypatch):
    box = window.controls.fields["hidden"]
    real = session.update_settings

    def refuse(**changes):
        return False if "hidden" in changes else real(**changes)

    monkeypatch.setattr(session, "update_settings", refuse)
    box.setValue(30)
    assert box.value() == session.settings.hidden == 8


# --- 5: infinite step losses with finite weights ---------------------------------------------------


def test_infinite_step_losses_are_drawn_cut_and_marked(session, qtbot):
    view = LossView(session)
    qtbot.addWidget(view)
    data = session.snapshot()
    V = np.where(np.random.default_rng(0).random(data.V.shape) < 0.5, -1e4, 1e4)
    session.restore(replace(data, parameters={**data.parameters, "V": V}))
    infinite = np.isinf(session.step_losses)
    assert infinite.any() and np.all(np.isfinite(V))
    for _ in range(session.T):
        session.step()  # before the fix: "Cannot set range [0, inf]" at each step
    heights = np.asarray(view.step_bars.opts["height"])
    top = view.step_plot.vb.viewRange()[1][1]
    assert np.all(np.isfinite(heights)) and np.all(heights[infinite] == top)
    assert np.array_equal(heights[~infinite], session.step_losses[~infinite])
    assert len(view.infinity_marks) == infinite.sum()
    assert "inf" in view.step_plot.titleLabel.text


def test_a_session_file_whose_losses_are_infinite_opens_and_steps(window, session, tmp_path, qtbot):
    d = valid_data()
    V = np.where(np.random.default_rng(1).random(d.V.shape) < 0.5, -1e4, 1e4)
    p = tmp_path / "wild.rnnviz"
    save_session(p, replace(d, parameters={**d.parameters, "V": V}))
    assert window.files.open_path(p)
    while session.step() is not None:
        pass
    assert session.stepper.done


def test_loading_keeps_the_settings_of_the_file(session, tmp_path):
    p = tmp_path / "a.rnnviz"
    save_session(p, valid_data(task="parity", hidden=3, seq_len=4))
    assert session.load(p)
    assert session.settings == Settings(task="parity", hidden=3, seq_len=4) and session.stepper.cursor == 3
