import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QTextBrowser

from rnnviz.core.settings import Settings
from rnnviz.ui import style
from rnnviz.ui.main_window import MainWindow
from tests.ui.helpers import PATIENCE_MS


@pytest.fixture
def window(session, qtbot):
    w = MainWindow(session)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_shortcuts_step_back_and_play(window, session, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert session.stepper.cursor == 2
    assert window.hidden_view.current_t == 1 and window.graph_view.highlighted_t == 1
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert session.stepper.cursor == 1 and window.graph_view.highlighted_t == 0
    session.set_speed(60)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert session.playing and window.actions["play"].isChecked()
    qtbot.waitUntil(lambda: session.stepper.done, timeout=5000)
    assert not window.actions["play"].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert session.stepper.cursor == 0


def test_status_bar_says_phase_t_and_loss(window, session):
    session.step()
    ev = session.stepper.last
    assert "forward" in window.phase_label.text() and f"{ev.E:.4f}" in window.phase_label.text()
    for _ in range(session.T):
        session.step()
    assert "backward" in window.phase_label.text()


def test_training_runs_in_its_own_thread_while_the_event_loop_runs(window, session, qtbot, monkeypatch):
    """The mechanism, not a time bound (that is benchmarks/training_responsiveness.py): every
    iteration runs outside the UI thread, and each one waits until the UI thread's zero-interval
    timer has ticked again, which could never happen if both ran on the same thread."""
    session.update_settings(hidden=32, seq_len=20, task="text")
    window.controls.iterations.setValue(50)
    ticked = threading.Event()
    threads, waits = set(), []
    real_step = session.trainer.step

    def step(should_stop=None):
        threads.add(threading.get_ident())
        waits.append(ticked.wait(30))  # the event loop must run for this iteration to go on
        ticked.clear()
        return real_step(should_stop)

    monkeypatch.setattr(session.trainer, "step", step)
    beat = QTimer(interval=0)
    beat.timeout.connect(ticked.set)
    beat.start()
    window.actions["train"].trigger()
    assert session.training and not window.actions["step"].isEnabled()
    qtbot.waitUntil(lambda: not session.training, timeout=PATIENCE_MS)
    beat.stop()
    x, _ = window.loss_view.raw_curve.getData()
    assert len(x) == 50 and window.actions["step"].isEnabled()
    assert threading.get_ident() not in threads and len(threads) == 1  # one training thread
    assert len(waits) == 50 and all(waits)  # the UI thread ticked between every two iterations


def test_stop_button_stops_training_and_keeps_progress(window, session, qtbot):
    window.controls.iterations.setValue(1_000_000)
    window.controls.start_training()
    qtbot.waitUntil(lambda: session.history.count > 20, timeout=PATIENCE_MS)
    window.controls.stop_button.click()  # returns at once; the iteration under way ends the run
    qtbot.waitUntil(lambda: not session.training, timeout=PATIENCE_MS)
    count = session.history.count
    assert count > 20 and window.controls.train_button.isEnabled()
    qtbot.wait(50)
    assert session.history.count == count  # no iteration after the stop


def test_data_setting_resets_visual_setting_restyles(window, session):
    session.step()
    window.controls.fields["hidden"].setValue(5)
    assert session.rnn.hidden_size == 5 and session.stepper.cursor == 0
    assert window.hidden_view.heatmap.image.shape == (5, session.T)
    session.step()
    window.set_presenter(True)
    assert session.stepper.cursor == 1 and window.hidden_view.theme is style.PRESENTER
    assert not window.controls_dock.isVisible() and not window.actions["reset"].isVisible()
    assert window.actions["step"].isVisible() and window.actions["play"].isVisible()
    window.set_presenter(False)
    assert window.controls_dock.isVisible() and window.actions["reset"].isVisible()


def test_f11_toggles_presenter_mode(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.presenting and window.actions["presenter"].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert not window.presenting


def test_bad_text_file_gives_message_and_changes_nothing(window, session, qtbot, tmp_path):
    before = session.settings
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("naïve".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_text("   ")
    for path, message in ((bad, "not UTF-8"), (empty, "empty")):
        with qtbot.waitSignal(session.sig_message) as blocker:
            assert not window.files.open_path(path)
        assert message in blocker.args[0]
        assert session.settings == before
    good = tmp_path / "poem.txt"
    good.write_text("the quick brown fox jumps over the lazy dog\n" * 3, encoding="utf-8")
    assert window.files.open_path(good)
    assert session.settings.task == "file" and session.settings.text_name == "poem.txt"
    assert len(session.vocab) == len(set(good.read_text()))


def test_open_dispatches_session_files(window, session, tmp_path):
    for _ in range(3):
        session.step()
    p = tmp_path / "s.rnnviz"
    assert session.save(p)
    session.reset()
    assert window.files.open_path(p) and session.stepper.cursor == 3


def test_gradcheck_in_the_app_agrees(window, session, qtbot):
    with qtbot.waitSignal(window.gradcheck_view.sig_finished, timeout=PATIENCE_MS) as blocker:
        window.actions["gradcheck"].trigger()
        assert window.gradcheck_view.running
    results = blocker.args[0]
    assert results is window.gradcheck_view.results
    assert set(results) == {"U", "W", "V"}
    assert all(r.max_rel_error < 1e-6 for r in results.values())
    table = window.gradcheck_view.table
    assert table.rowCount() == 3 and table.item(1, 2).text() == "agrees"
    assert float(table.item(1, 1).text()) == pytest.approx(results["W"].scaled_error, rel=0.06)


def test_lesson_runs_to_its_end_with_captions(window, session):
    panel = window.lesson_panel
    index = [lesson.name for lesson in panel.lessons].index("03_bptt_one_loss")
    assert panel.start(index)
    lesson = panel.lessons[index]
    assert session.settings == lesson.settings and session.stepper.mode == "single"
    seen = [panel.caption_text]
    while session.step() is not None:
        if panel.caption_text != seen[-1]:
            seen.append(panel.caption_text)
    assert seen == [lesson.text(i) for i in range(len(lesson.captions))]
    assert session.stepper.done


def test_close_saves_geometry_and_stops_work(session, qtbot):
    w = MainWindow(session)
    qtbot.addWidget(w)
    w.show()
    session.train(10_000)
    w.close()
    assert not session.training


def test_new_window_with_other_settings(qtbot):
    from rnnviz.ui.session import Session

    s = Session(Settings(task="grammar", hidden=6, seq_len=9))
    w = MainWindow(s)
    qtbot.addWidget(w)
    assert w.hidden_view.heatmap.image.shape == (6, 9)


def test_changing_the_preset_ends_the_lesson_but_an_asked_for_change_does_not(window, session):
    panel = window.lesson_panel
    assert panel.start(0)
    session.update_settings(hidden=session.settings.hidden + 1)
    assert panel.lesson is None and not panel.stop_button.isEnabled()
    names = [lesson.name for lesson in panel.lessons]
    assert panel.start(names.index("05_vanishing"))
    while session.step() is not None:
        pass
    shown = panel.caption_text
    assert "set Echo delay to 2" in shown
    window.controls.fields["delay"].setValue(2)  # what that caption asks for
    assert panel.lesson is not None and session.stepper.cursor == 0
    assert "Echo delay is now 2" in panel.caption_text  # the caption stays (in its delay-2 form)


def test_a_caption_that_names_a_panel_brings_it_into_view(session, qtbot):
    window = MainWindow(session, restore=False)  # the default layout: Equations behind Controls
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    from tests.ui.helpers import in_front

    panel = window.lesson_panel
    assert not in_front(window, window.equations_dock)
    assert panel.start([lesson.name for lesson in panel.lessons].index("03_bptt_one_loss"))
    while "equations panel" not in panel.caption_text:
        assert session.step() is not None
    assert in_front(window, window.equations_dock)
    window.set_presenter(True)  # docks hide in presenter mode ...
    assert not in_front(window, window.equations_dock)
    session.back()
    session.step()  # ... but a caption that names one shows it
    assert in_front(window, window.equations_dock)
    window.set_presenter(False)
    window.close()


def test_lesson_captions_count_timesteps_as_t(window):
    import re

    for lesson in window.lesson_panel.lessons:
        for i in range(len(lesson.captions)):
            assert not re.match(r"Step \d", lesson.text(i)), (lesson.name, i)
    panel = window.lesson_panel
    assert panel.start(0)
    window.session.step()
    assert panel.caption_text.startswith("t = 0.") and "step 1 of" in panel.progress.text()


def test_export_menu_functions_write_every_view(window, session, tmp_path):
    import csv
    import xml.etree.ElementTree as ET

    for _ in range(session.T + 2):
        session.step()
    for name in window.views:
        png, svg = tmp_path / f"{name}.png", tmp_path / f"{name}.svg"
        assert window.files.export_view(name, str(png)) and png.stat().st_size > 1000
        assert window.files.export_view(name, str(svg))
        assert len(list(ET.parse(svg).getroot().iter())) > 10
    out = tmp_path / "forward.csv"
    assert window.files.export_csv("forward", str(out))
    with out.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 1 + session.T and float(rows[1][5]) == session.stepper.forward_steps()[0].E
    assert not window.files.export_view("graph", str(tmp_path / "missing" / "x.png"))


def test_views_survive_the_update_step(window, session):
    assert session.update_settings(final_update=True)
    while session.step() is not None:
        pass
    assert session.stepper.last.phase == "update"
    assert window.equations_view.active == "update" and "update" in window.phase_label.text()
    session.back()
    assert session.stepper.last.phase == "backward"


def test_arrow_keys_reach_the_stepper_from_the_focused_widget(window, session, qtbot):
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.graph_view, timeout=2000)
    qtbot.keyClick(window.graph_view, Qt.Key.Key_Right)
    assert session.stepper.cursor == 1
    box = window.controls.fields["seq_len"]
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "7")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert session.settings.seq_len == 7
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert session.stepper.cursor == 1  # Enter applied T = 7 (reset), then → stepped once


def test_gradcheck_can_be_cancelled_and_keeps_the_window_responsive(qtbot):
    from rnnviz.ui.session import Session

    s = Session(Settings(task="text", hidden=64, seq_len=40))
    w = MainWindow(s, restore=False)
    qtbot.addWidget(w)
    view = w.gradcheck_view
    W = s.rnn.W.copy()
    w.run_gradcheck()
    qtbot.waitUntil(lambda: view.progress.value() > 0, timeout=PATIENCE_MS)
    s.step()  # the window still answers, and stepping does not disturb the check
    assert view.running and np.array_equal(s.rnn.W, W)
    with qtbot.waitSignal(view.sig_finished) as blocker:
        view.cancel_button.click()
    assert blocker.args == [None] and not view.running and view.run_button.isEnabled()


def test_space_after_clicking_a_button_plays_instead_of_pressing_it_again(window, session, qtbot):
    window.controls.iterations.setValue(5)
    qtbot.mouseClick(window.controls.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not session.training, timeout=PATIENCE_MS)
    from PySide6.QtWidgets import QApplication

    focus = QApplication.focusWidget() or window
    assert focus is not window.controls.train_button
    qtbot.keyClick(focus, Qt.Key.Key_Space)
    assert session.playing and not session.training
    session.pause()
    qtbot.mouseClick(window.controls.task, Qt.MouseButton.LeftButton)
    window.controls.task.hidePopup()
    before = session.stepper.cursor
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Right)
    assert window.controls.task.currentIndex() == 0 and session.stepper.cursor == before + 1


def test_the_window_draws_the_page_only_while_its_tab_is_in_front(window, qtbot):
    view, document = window.equations_view, window.equations_view.browser.document()
    window.controls_dock.raise_()
    qtbot.waitUntil(lambda: view._stale or not view._on_screen)
    revision = document.revision()
    window.session.step()
    assert document.revision() == revision
    window.equations_dock.raise_()  # its tab brought to the front: drawn before it is painted
    qtbot.waitUntil(lambda: document.revision() != revision)
    assert "Step 1 of" in QTextBrowser.toPlainText(view.browser)


def test_the_status_line_lays_the_window_out_only_when_it_needs_more_room(make_window):
    """The status line changes at every step. It keeps its width through a trace, so a step lays
    out the status bar (and with it the whole window) again only when its text needs more room than
    any before it: counted, at two sizes of window, over a full sweep."""
    from PySide6 import QtCore, QtWidgets

    class Requests(QtCore.QObject):
        count = 0

        def eventFilter(self, obj, event):
            self.count += event.type() == QtCore.QEvent.Type.LayoutRequest
            return False

    for size in ((1280, 720), (1920, 1080)):
        w, s = make_window(size, task="text", seq_len=30, hidden=16)
        requests = Requests()
        QtWidgets.QApplication.processEvents()  # the window's first layout, done
        w.statusBar().installEventFilter(requests)
        grew = 0
        for _ in range(2 * s.T):
            before = w.phase_label.sizeHint().width()
            s.step()
            QtWidgets.QApplication.processEvents()
            grew += w.phase_label.sizeHint().width() > before
            assert w.phase_label.shown_text() == w.phase_label.text()  # never cut at these sizes
        assert requests.count <= grew < s.T // 2, (size, requests.count, grew)


def test_a_view_that_lays_itself_out_again_does_not_lay_out_the_window(make_window, qtbot):
    """At each backward step the gradient view shows a new verdict and lays itself out again; Qt
    passes that up to the window, which then laid out every dock and view. The splitter under the
    graph passes it on only when a widget's size constraints changed: counted, the window is laid
    out again only when the status line needed more room; and a real change still goes through."""
    from PySide6 import QtCore, QtWidgets

    class Requests(QtCore.QObject):
        def __init__(self, *widgets):
            super().__init__()
            self.count = dict.fromkeys(widgets, 0)
            for w in widgets:
                w.installEventFilter(self)

        def eventFilter(self, obj, event):
            if event.type() == QtCore.QEvent.Type.LayoutRequest:
                self.count[obj] += 1
            return False

    w, s = make_window((1280, 720), task="text", seq_len=30, hidden=16)
    w.choose_view("gradients")
    for _ in range(s.T):  # the forward pass
        s.step()
    QtWidgets.QApplication.processEvents()
    requests = Requests(w, w.splitter)
    grew = changed = 0  # steps where the status line needed more room; where a view asked for other
    for _ in range(s.T):  # the backward pass
        before = (w.phase_label.sizeHint().width(), w.splitter.constraints())
        s.step()
        QtWidgets.QApplication.processEvents()
        grew += w.phase_label.sizeHint().width() > before[0]
        changed += w.splitter.constraints() != before[1]
    assert requests.count[w.splitter] >= s.T // 2  # the views below did ask, at most steps
    assert requests.count[w] <= grew + changed <= s.T // 4, (requests.count[w], grew, changed)
    deck_view = w.gradient_view
    low = deck_view.height() + 60
    deck_view.setMinimumHeight(low)  # a real change of a view's least size: the window follows
    qtbot.waitUntil(lambda: deck_view.height() >= low)
