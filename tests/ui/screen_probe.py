"""Render the main window offscreen on one screen size, in normal and presenter mode, at a step
half-way through the backward pass; check the layout rules (screen_rules.py) and save screenshots.

The offscreen platform fixes its screens at start-up, so each size runs in its own process:
    python -m tests.ui.screen_probe 1280x720 [--scale 2] [--out DIR]
prints one JSON object per mode: {"mode", "size", "counts", "violations", "shot"}.
Regenerate the README's screenshots with:  python -m tests.ui.screen_probe --all --out docs/screens
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SCENARIOS = {  # name -> the lesson running (its caption in the strip, its views beside the graph)
    "no lesson": None,
    "lesson": "05_vanishing",  # half-way through the backward pass: one of the longest captions
    "lesson with a panel": "03_bptt_one_loss",  # the equations panel shown, even in presenter mode
    "two views": None,  # presenter mode: the gradient and hidden-state views beside each other
    "compare": None,  # compare mode: two graphs side by side, both cells in the gradient view
    # issue 13 (last: they leave the lab's views open): keys 4-6 on the embedded Reber grammar, and the
    # cliff lesson (its caption names the gradient-norm and loss views)
    "lab views": None,
    "the cliff lesson": "11_the_cliff",
}
COMPARE = {"compare": "lstm"}  # scenario -> the cell compared with the session's (settings.compare)
SHOT = "lesson"  # the scenario saved as docs/screens/<size>-<mode>.png
SIZES = ("1024x768", "1280x720", "1366x768", "1920x1080", "2560x1440", "1920x1080@2x")


def configure(size: str, config_dir: str) -> None:
    """Environment for one offscreen screen of `size` ("WxH" or "WxH@2x"), before Qt starts."""
    dims, _, scale = size.partition("@")
    width, height = (int(v) for v in dims.split("x"))
    screen = {"name": "probe", "x": 0, "y": 0, "width": width, "height": height}
    screen.update(logicalDpi=96, logicalBaseDpi=96, dpr=1)
    config = Path(config_dir) / "screens.json"
    config.write_text(json.dumps({"screens": [screen], "windowFrameMargins": True}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    os.environ["XDG_CONFIG_HOME"] = config_dir  # a first start: no saved layout
    if scale:
        os.environ["QT_SCALE_FACTOR"] = scale.rstrip("x")  # 1920x1080@2x: 960x540 logical pixels


def save_small(image, path: Path) -> None:
    """A screenshot as a palette PNG (a fraction of the size of a true-colour one)."""
    from PIL import Image
    from PySide6.QtGui import QImage

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    size = (rgb.width(), rgb.height())
    picture = Image.frombuffer("RGB", size, bytes(rgb.constBits()), "raw", "RGB", rgb.bytesPerLine(), 1)
    picture.quantize(256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)  # colours stay true


def settle(app, rounds: int = 6) -> None:
    for _ in range(rounds):
        app.processEvents()


def finish(app, session, window) -> None:
    """Close the window, end the session's threads, free both and shut the application down."""
    window.close()
    session.shutdown()
    window.deleteLater()
    session.deleteLater()
    settle(app)
    app.shutdown()


def lab_done(app, window) -> None:
    """Let the lab's worker deliver the cliff's surface and paths and the state-space fit. No
    deadline of its own (a loaded machine may take long): the caller's subprocess timeout is the
    hang guard."""
    import time

    views = window.lab_views
    while views["cliff"].computing or views["states"].computing:
        app.processEvents()
        time.sleep(0.01)  # let the worker thread run
    settle(app)


def probe(size: str, out: Path | None) -> list[dict]:
    from PySide6 import QtWidgets

    from rnnviz.core.settings import Settings
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.pg_config import configure_pyqtgraph
    from rnnviz.ui.session import Session
    from tests.ui.screen_rules import check_all

    app = QtWidgets.QApplication([])
    configure_pyqtgraph()
    session = Session(Settings())
    window = MainWindow(session)
    window.show_first()
    results = []
    names = [lesson.name for lesson in window.lesson_panel.lessons]
    for mode in ("normal", "presenter"):  # before the first step: the views' notes ("fills in ...")
        window.set_presenter(mode == "presenter")
        if mode == "presenter":  # the smallest heatmap: the gradient view beside another one
            window.choose_view("gradients")
        settle(app)
        report = check_all(window, mode == "presenter", lambda: settle(app, 2))
        results.append(
            {"size": size, "scenario": "start", "mode": mode, "counts": report.counts,
             "violations": report.violations, "shot": "None"}
        )  # fmt: skip
    window.automatic_views()
    window.set_presenter(False)
    for scenario, lesson in SCENARIOS.items():
        if lesson is not None:
            window.lesson_panel.start(names.index(lesson))
        if scenario == "lab views":
            window.lesson_panel.end()
            session.update_settings(task="embedded-reber")
        session.update_settings(compare=COMPARE.get(scenario, ""))
        for _ in range(session.T + session.T // 2):  # half-way through the backward pass
            session.step()
        for mode in ("normal", "presenter"):
            window.set_presenter(mode == "presenter")
            if scenario == "lesson with a panel":
                window.show_panel("equations")  # as its caption does (entering presenter mode hid it)
            if scenario == "two views" and mode == "presenter":
                window.lesson_panel.end()
                window.automatic_views()
                for name in ("gradients", "hidden"):  # keys 3 and 1
                    if name not in window.deck.shown:
                        window.choose_view(name)
            if scenario == "lab views" and mode == "presenter":
                window.automatic_views()
                for name in ("states", "cliff"):  # keys 4 and 5: the two beside the graph
                    if name not in window.deck.shown:
                        window.choose_view(name)
            settle(app)
            lab_done(app, window)
            if scenario == "lab views" and mode == "normal":  # each lab view in turn (keys 4-6)
                report = each_lab_view(app, window)
            elif scenario == "the cliff lesson":
                report = each_caption(app, window, (1, 3), mode == "presenter")  # cliff, grad norm
            else:
                report = check_all(window, mode == "presenter", lambda: settle(app, 2))
                if scenario == "lab views":
                    report.saw(f"view {'+'.join(window.deck.shown)}")
            shot = None
            if out is not None and scenario == SHOT:
                shot = out / f"{size.replace('@', '-')}-{mode}.png"
                save_small(window.grab().toImage(), shot)
            results.append(
                {
                    "size": size,
                    "scenario": scenario,
                    "mode": mode,
                    "counts": report.counts,
                    "violations": report.violations,
                    "shot": str(shot),
                }
            )
        window.set_presenter(False)
    window.close()
    results.append(restored_from_a_bigger_screen(app, session))
    window.deleteLater()
    session.deleteLater()
    settle(app)
    app.shutdown()
    return results


def each_lab_view(app, window):
    """Normal mode: keys 4, 5 and 6 open one lab view at a time below the graph; every rule for each."""
    from tests.ui.screen_rules import Report, check_all

    merged = Report()
    for name in ("states", "cliff", "gradnorm"):
        window.choose_view(name)
        settle(app)
        lab_done(app, window)
        report = check_all(window, False, lambda: settle(app, 2))
        report.saw(f"view {'+'.join(window.deck.shown)}")
        merged.violations += [f"{name} open: {v}" for v in report.violations]
        for what, n in report.counts.items():
            merged.saw(what, n)  # what the three windows showed, together
    return merged


def each_caption(app, window, cursors, presenting: bool):
    """A lesson at each of these steps (its caption's views below or beside the graph); every rule."""
    from tests.ui.screen_rules import Report, check_all

    session, merged = window.session, Report()
    for cursor in cursors:
        session.reset()
        for _ in range(cursor):
            session.step()
        settle(app)
        lab_done(app, window)
        report = check_all(window, presenting, lambda: settle(app, 2))
        report.saw(f"view {'+'.join(window.deck.shown)}")  # which views the caption brought
        merged.violations += [f"caption at step {cursor}: {v}" for v in report.violations]
        for what, n in report.counts.items():
            merged.saw(what, n)
    return merged


def restored_from_a_bigger_screen(app, session) -> dict:
    """A window closed at 3000 x 2000 (as on a large monitor) opens again on this screen: it fits."""
    from rnnviz.ui.main_window import MainWindow
    from tests.ui.screen_rules import Report, check_window

    big = MainWindow(session)
    big.showNormal()
    big.resize(3000, 2000)
    settle(app)
    big.close()  # saves its size and panels
    again = MainWindow(session)
    again.show_first()
    settle(app)
    report = Report()
    check_window(again, report)
    again.close()
    for w in (big, again):
        w.deleteLater()
    size = f"{again.screen().geometry().width()}x{again.screen().geometry().height()}"
    return {
        "size": size,
        "scenario": "restored from a bigger screen",
        "mode": "normal",
        "counts": report.counts,
        "violations": report.violations,
        "shot": "None",
    }


def run_in_subprocess(size: str, out: Path | None) -> list[dict]:
    """One size in a fresh process (its own screen); the results it printed."""
    root = Path(__file__).resolve().parents[2]
    cmd = [sys.executable, "-m", "tests.ui.screen_probe", size] + (["--out", str(out)] if out else [])
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR")}
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"screen probe {size} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("size", nargs="?", choices=SIZES)
    ap.add_argument("--all", action="store_true", help="every size, each in its own process")
    ap.add_argument("--out", type=Path, help="save the screenshots in this folder")
    args = ap.parse_args()
    if args.all:
        bad = 0
        for size in SIZES:
            for result in run_in_subprocess(size, args.out):
                bad += len(result["violations"])
                print(json.dumps(result))
        return 1 if bad else 0
    with tempfile.TemporaryDirectory(prefix="rnnviz-screen-") as config_dir:
        configure(args.size, config_dir)
        for result in probe(args.size, args.out):
            print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
