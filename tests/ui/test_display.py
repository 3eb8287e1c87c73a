"""Before Qt starts, rnnviz says plainly when there is no display, instead of Qt's abort."""

import os
import subprocess
import sys

import pytest

from rnnviz.ui import display

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 checks are Linux-only")


def run_rnnviz(args, tmp_path, **env_changes):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(XDG_CONFIG_HOME=str(tmp_path), **env_changes)
    return subprocess.run(
        [sys.executable, "-m", "rnnviz", *args], env=env, capture_output=True, text=True, timeout=300
    )


@linux_only
def test_no_display_gets_a_clear_message_and_a_nonzero_exit(tmp_path):
    r = run_rnnviz([], tmp_path)
    assert r.returncode == 1
    assert "DISPLAY is not set" in r.stderr and "xvfb-run -a rnnviz" in r.stderr
    assert "--screenshot" in r.stderr and "xcb-cursor0" not in r.stderr


@linux_only
def test_a_display_nobody_answers_on_is_named(tmp_path):
    r = run_rnnviz([], tmp_path, DISPLAY=":93")  # no X server listens there
    assert r.returncode == 1 and "cannot reach the X display ':93'" in r.stderr


def test_screenshot_needs_no_display_and_no_environment_variable(tmp_path):
    out = tmp_path / "shot.png"
    r = run_rnnviz(["--hidden", "4", "--seq-len", "3", "--screenshot", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 10_000


@linux_only
def test_display_rules():
    assert display.display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display.display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert "DISPLAY is not set" in display.display_problem({})
    assert "DISPLAY is not set" in display.display_problem({"QT_QPA_PLATFORM": "xcb"})
    assert "nothing answers" in display.display_problem({"DISPLAY": "not a display"})


def test_a_plugin_that_cannot_load_is_reported_in_the_loaders_words(tmp_path):
    fake = tmp_path / "libqxcb.so"
    fake.write_bytes(b"not a library")
    assert str(fake) in display.xcb_plugin_problem(fake)


@linux_only
def test_the_installed_x11_plugin_loads():
    """setup.sh installed every library it links to (tests/test_system_libraries.py lists them)."""
    assert display.xcb_plugin_problem() is None
