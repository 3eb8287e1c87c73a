"""Pictures of issue 13's lab views, as the README shows them:
    python -m tests.ui.lab_shots --out docs/screens [--size 1920x1080] [--presenter]

Pascanu's cliff with its default start, and the hidden-state space of a vanilla RNN trained on the
embedded Reber grammar (coloured by the grammar's node), each grabbed from the real window.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.ui.screen_probe import configure, finish, lab_done, save_small, settle

REBER = dict(task="embedded-reber", hidden=16, seed=0, lr=0.1, optimizer="adagrad", clip=5.0)
TRAIN = 6000  # iterations before the state-space picture


def shots(out: Path, presenter: bool) -> list[Path]:
    from PySide6 import QtWidgets

    from rnnviz.core.settings import Settings
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.pg_config import configure_pyqtgraph
    from rnnviz.ui.session import Session

    app = QtWidgets.QApplication([])
    configure_pyqtgraph()
    session = Session(Settings(**REBER))
    window = MainWindow(session)
    window.show_first()
    settle(app)
    session.train(TRAIN)
    while session.training:
        app.processEvents()
        time.sleep(0.02)
    while session.T < 12:  # a string with a loop in it
        session.new_sequence()
    for _ in range(session.T - 1):  # the forward pass up to the inner E: the long-range step is next
        session.step()
    window.set_presenter(presenter)
    saved = []
    for name, file in (("cliff", "lab-cliff"), ("states", "lab-state-space")):
        window.choose_view(name)  # as key 5 or 4 does: below the graph in place of the usual views
        settle(app)
        lab_done(app, window)
        path = out / f"{file}{'-presenter' if presenter else ''}.png"
        save_small(window.lab_views[name].grab().toImage(), path)
        saved.append(path)
        if presenter:
            window.choose_view(name)  # hide it again: the next one takes its place
    finish(app, session, window)
    return saved


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--presenter", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rnnviz-shots-") as config_dir:
        configure(args.size, config_dir)
        for path in shots(args.out, args.presenter):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
