"""The screenshots of docs/screens of lessons and cells: compare mode after training both cells,
half-way through the backward pass (issue 12), and lessons 2, 5, 7 (issue 9), 8-10 (issue 12) and 12
(issue 13) at their key steps, in presenter mode on a 1280x720 projector.

    python -m tests.ui.docs_screens --out docs/screens

Each screen size runs in its own process (the offscreen platform fixes its screen at start-up).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.ui.screen_probe import configure, finish, save_small, settle

SHOTS = {  # size -> [(file name, what), ...]
    "1920x1080": [("compare-1920x1080.png", "compare")],
    "1280x720": [
        ("compare-1280x720-presenter.png", "compare presenter"),
        ("lesson-02-the-loss.png", "02_the_loss"),  # issue 9: lessons 2, 5 and 7 at their key steps
        ("lesson-05-vanishing.png", "05_vanishing"),
        ("lesson-07-truncated.png", "07_truncated"),
        ("lesson-08-inside-lstm.png", "08_inside_lstm"),
        ("lesson-09-cell-state-highway.png", "09_cell_state_highway"),
        ("lesson-10-rnn-lstm-gru.png", "10_rnn_lstm_gru"),
        ("lesson-12-why-the-rnn-forgets.png", "12_why_the_rnn_forgets"),
    ],
}
KEY_STEP = {  # caption to show
    "02_the_loss": "T",
    "05_vanishing": "T+6",
    "07_truncated": "T+10",  # mid-backward: the band drawn, the dropped cells veiled
    "08_inside_lstm": 2,
    "09_cell_state_highway": "T+9",
    "10_rnn_lstm_gru": "2*T",
    "12_why_the_rnn_forgets": "2*T",
}
TRAINED = {"10_rnn_lstm_gru": 5000, "12_why_the_rnn_forgets": 3000}  # iterations its captions ask for


def run_until(app, session, done) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: done() and loop.quit())
    timer.start()
    if not done():
        loop.exec()
    timer.stop()


def train(app, window, iterations: int) -> None:
    window.controls.iterations.setValue(iterations)
    window.controls.start_training()
    run_until(app, window.session, lambda: not window.session.training)


def shoot(size: str, out: Path) -> list[str]:
    from PySide6 import QtWidgets

    from rnnviz.core.lessons import resolve_step
    from rnnviz.core.settings import Settings
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.pg_config import configure_pyqtgraph
    from rnnviz.ui.session import Session

    app = QtWidgets.QApplication([])
    configure_pyqtgraph()
    session = Session(Settings())
    window = MainWindow(session)
    window.show_first()
    names = [lesson.name for lesson in window.lesson_panel.lessons]
    written = []
    for file, what in SHOTS[size]:
        lesson = what if what in names else "10_rnn_lstm_gru"  # compare mode: lesson 10's preset, trained
        window.set_presenter("presenter" in what or what in names)
        window.lesson_panel.start(names.index(lesson))
        if what.startswith("compare") or lesson in TRAINED:
            train(app, window, TRAINED[lesson])
        T = session.T
        target = T + T // 2 if what.startswith("compare") else resolve_step(KEY_STEP[lesson], T)
        while session.stepper.cursor < target and session.step() is not None:
            pass
        run_until(app, session, lambda: not session.computing)
        if what.startswith("compare"):
            window.lesson_panel.end()  # the picture of compare mode alone
            window.show_lesson_views(("gradients", "loss"))
        window.statusBar().clearMessage()  # no message left over from the shot before
        settle(app, 10)
        save_small(window.grab().toImage(), out / file)
        written.append(str(out / file))
        window.set_presenter(False)
    finish(app, session, window)
    return written


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("size", nargs="?", choices=list(SHOTS))
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    if args.size is None:
        root = Path(__file__).resolve().parents[2]
        env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR")}
        for size in SHOTS:
            cmd = [sys.executable, "-m", "tests.ui.docs_screens", size, "--out", str(args.out.resolve())]
            done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=900)
            print(done.stdout.strip() or done.stderr[-2000:])
        return 0
    with tempfile.TemporaryDirectory(prefix="rnnviz-docs-") as config_dir:
        configure(args.size, config_dir)
        print(json.dumps(shoot(args.size, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
