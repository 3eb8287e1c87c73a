"""Issue 11: closing the window ends long operations cleanly, never loses training unasked,
and a step-through export that is cancelled (or closed) saves nothing and says so."""

import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtWidgets import QMessageBox

from rnnviz.core.session_file import load_session
from rnnviz.ui import export
from rnnviz.ui.main_window import MainWindow
from tests.ui.helpers import PATIENCE_MS

Button = QMessageBox.StandardButton


@pytest.fixture
def window(session, qtbot):
    w = MainWindow(session, restore=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def train(session, qtbot, n=30):
    session.train(n)
    qtbot.waitUntil(lambda: not session.training, timeout=PATIENCE_MS)


def answer(window, qtbot, button):
    qtbot.waitUntil(
        lambda: window.files.close_question is not None and window.files.close_question.isVisible()
    )
    window.files.close_question.button(button).click()
    qtbot.waitUntil(lambda: window.files.close_question is None)


# --- 13: unsaved training ------------------------------------------------------------------------------


def test_closing_with_unsaved_training_asks_and_cancel_keeps_everything(window, session, qtbot):
    train(session, qtbot)
    assert session.unsaved_training == 30
    assert not window.close()
    assert "30 iterations" in window.files.close_question.text()
    answer(window, qtbot, Button.Cancel)
    assert window.isVisible() and session.history.count == 30


def test_discard_closes_without_saving(window, session, qtbot, tmp_path):
    train(session, qtbot)
    window.close()
    answer(window, qtbot, Button.Discard)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert list(tmp_path.iterdir()) == []


def test_save_saves_then_closes(window, session, qtbot, tmp_path, monkeypatch):
    train(session, qtbot)
    target = tmp_path / "kept.rnnviz"
    monkeypatch.setattr(window.files, "choose_save_path", lambda: str(target))
    window.close()
    answer(window, qtbot, Button.Save)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert load_session(target).history_count == 30


def test_save_cancelled_in_the_file_chooser_keeps_the_window(window, session, qtbot, monkeypatch):
    train(session, qtbot)
    monkeypatch.setattr(window.files, "choose_save_path", lambda: None)
    window.close()
    answer(window, qtbot, Button.Save)
    assert window.isVisible() and session.unsaved_training == 30


@pytest.mark.parametrize("kind", ["session", "text"])
def test_opening_a_file_over_unsaved_training_asks_and_cancel_keeps_everything(
    window, session, qtbot, tmp_path, kind
):
    path = tmp_path / ("other.rnnviz" if kind == "session" else "other.txt")
    if kind == "session":
        assert session.save(path)
    else:
        path.write_text("a small text for another vocabulary " * 20)
    train(session, qtbot)
    settings = session.settings
    window.files.open_asking(path)
    assert f"before opening {path.name}" in window.files.close_question.text()
    answer(window, qtbot, Button.Cancel)
    assert session.history.count == 30 and session.settings == settings


@pytest.mark.parametrize("button", [Button.Discard, Button.Save])
def test_discard_or_save_then_opens_the_file(window, session, qtbot, tmp_path, monkeypatch, button):
    other = tmp_path / "other.txt"
    other.write_text("a small text for another vocabulary " * 20)
    kept = tmp_path / "kept.rnnviz"
    monkeypatch.setattr(window.files, "choose_save_path", lambda: str(kept))
    train(session, qtbot)
    window.files.open_asking(other)
    answer(window, qtbot, button)
    assert session.settings.text_name == "other.txt" and session.unsaved_training == 0
    assert kept.exists() == (button == Button.Save)
    if button == Button.Save:
        assert load_session(kept).history_count == 30


def test_opening_without_unsaved_training_asks_nothing(window, session, qtbot, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("a small text for another vocabulary " * 20)
    window.files.open_asking(other)
    assert window.files.close_question is None and session.settings.text_name == "other.txt"


def test_saved_or_loaded_training_closes_without_a_question(window, session, qtbot, tmp_path):
    train(session, qtbot)
    assert session.save(tmp_path / "s.rnnviz") and session.unsaved_training == 0
    assert window.close() and window.files.close_question is None


def test_closing_during_training_stops_it_and_asks(window, session, qtbot):
    session.train(1_000_000)
    qtbot.waitUntil(lambda: session.history.count > 5, timeout=PATIENCE_MS)
    assert not window.close()
    assert not session.training and window.files.close_question is not None
    answer(window, qtbot, Button.Discard)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_closing_during_the_gradient_check_stops_it(window, qtbot):
    window.run_gradcheck()
    assert window.gradcheck_view.running
    assert window.close()
    assert not window.gradcheck_view.running


# --- 3 and 4: step-through export --------------------------------------------------------------------


def render_hook(monkeypatch, at_frame: int, action):
    """Run action() once, while frame `at_frame` of an export is being drawn."""
    real = export._render_image
    count = {"n": 0}

    def counting(widget, scale=1.0):
        count["n"] += 1
        if count["n"] == at_frame:
            action()
        return real(widget, scale)

    monkeypatch.setattr(export, "_render_image", counting)
    return count


def test_cancel_in_the_progress_dialog_saves_nothing_and_says_so(
    window, session, qtbot, tmp_path, monkeypatch
):
    said = []
    session.sig_message.connect(said.append)
    render_hook(monkeypatch, 3, lambda: window.files.progress_dialog.cancel())
    target = tmp_path / "steps.gif"
    assert not window.files.export_gif("hidden", str(target))
    assert said == ["Export cancelled: nothing was saved."] and list(tmp_path.iterdir()) == []
    assert window.files.progress_dialog is None and not window.files.exporting


def test_cancel_while_the_gif_is_encoded_saves_nothing(window, session, tmp_path):
    n = session.stepper.total_steps + 1
    asked = []

    def cancelled():  # asked once per drawn frame, then between frames while encoding
        asked.append(True)
        return len(asked) == n + 2

    out = export.export_step_through(session, window.hidden_view, tmp_path / "x.gif", cancelled=cancelled)
    assert out == [] and list(tmp_path.iterdir()) == [] and len(asked) == n + 2
    assert session.stepper.cursor == 0


def test_a_finished_export_says_saved(window, session, qtbot, tmp_path):
    said = []
    session.sig_message.connect(said.append)
    target = tmp_path / "steps.gif"
    assert window.files.export_gif("hidden", str(target))
    assert said == [f"Saved {target}"] and target.exists()


def test_closing_the_window_during_an_export_stops_it_then_closes(
    window, session, qtbot, tmp_path, monkeypatch
):
    said = []
    session.sig_message.connect(said.append)
    closed = []
    render_hook(monkeypatch, 3, lambda: closed.append(window.close()))
    assert not window.files.export_gif("hidden", str(tmp_path / "steps.gif"))
    assert closed == [False]  # not yet: the export's loop is still below on the stack
    assert said == ["Export cancelled: nothing was saved."] and list(tmp_path.iterdir()) == []
    qtbot.waitUntil(lambda: not window.isVisible())


DRIVER = textwrap.dedent(
    """
    import sys
    from PySide6 import QtWidgets
    from PySide6.QtCore import QTimer
    from rnnviz.__main__ import build_parser
    from rnnviz.ui import app as app_module, export
    from rnnviz.ui.main_window import MainWindow

    out = sys.argv[1]
    QtWidgets.QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: (out, ""))
    QtWidgets.QInputDialog.getItem = staticmethod(lambda *a, **k: ("graph", True))
    real = export._render_image

    def render(widget, scale=1.0):
        if render.n == 4:
            window = next(w for w in QtWidgets.QApplication.topLevelWidgets() if isinstance(w, MainWindow))
            window.session.sig_message.connect(lambda m: print("message:", m, flush=True))
            print("closing", flush=True)  # benchmarks/hostile_files.py times the exit from here
            QTimer.singleShot(0, window.close)  # as a click on the window's close button would
        render.n += 1
        return real(widget, scale)

    render.n = 0
    export._render_image = render

    def start():
        window = next(w for w in QtWidgets.QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        window.actions["export_gif"].trigger()

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    QTimer.singleShot(0, start)
    args = build_parser().parse_args(["--task", "text", "--hidden", "128", "--seq-len", "120"])
    sys.exit(app_module.run(args))
    """
)


@pytest.mark.timeout(400)
def test_the_process_ends_when_the_window_closes_during_an_export(tmp_path):
    """The process ends (its timeout is a hang guard, not a speed bound; benchmarks/hostile_files.py
    measures how soon) and leaves no partial file."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    out = tmp_path / "out" / "steps.gif"
    out.parent.mkdir()
    r = subprocess.run(
        [sys.executable, "-c", DRIVER, str(out)], env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    assert "message: Export cancelled: nothing was saved." in r.stdout, r.stdout
    assert "Saved" not in r.stdout and list(out.parent.iterdir()) == []
