import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from rnnviz.__main__ import build_parser, cells_of, main


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--hidden", "0"], "between 1 and 256"),
        (["--seq-len", "abc"], "whole number"),
        (["--task", "chess"], "invalid choice"),
        (["--screenshot", "shot.jpg"], ".png"),
        (["--cell", "transformer"], "invalid choice"),
        (["--compare", "rnn"], "two cells"),
        (["--compare", "lstm,lstm"], "two different cells"),
        (["--compare", "rnn,lstm", "--cell", "gru"], "name different cells"),
    ],
)
def test_bad_arguments_get_argparse_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_defaults():
    a = build_parser().parse_args([])
    assert (a.task, a.hidden, a.seq_len, a.seed, a.steps, a.screenshot) == ("echo", 16, 12, 0, 0, None)
    assert cells_of(a) == ("rnn", "")


def test_cell_and_compare_name_the_session_cells():
    assert cells_of(build_parser().parse_args(["--cell", "lstm"])) == ("lstm", "")
    assert cells_of(build_parser().parse_args(["--compare", "RNN, gru"])) == ("rnn", "gru")
    assert cells_of(build_parser().parse_args(["--compare", "rnn,lstm", "--cell", "rnn"])) == ("rnn", "lstm")


def test_screenshot_renders_the_window_with_text_and_exits(tmp_path):
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "rnnviz",
            "--task",
            "parity",
            "--hidden",
            "6",
            "--seq-len",
            "5",
            "--steps",
            "7",
            "--screenshot",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1920, 1080)
    # glyphs were drawn: a stretch of the menu bar has dark pixels (no fonts = empty boxes only)
    dark = sum(img.pixelColor(x, y).lightness() < 100 for x in range(0, 300) for y in range(0, 25))
    assert dark > 30
