"""Qt paints in the UI thread only: its raster engine would otherwise hand each large fill of a
repaint to a pool of threads and wait for them, which costs more than the fill on a small machine
(pg_config.paint_in_the_ui_thread). Mechanism only: no times."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TASKS = Path("/proc/self/task")


def thread_names() -> list[str]:
    return [(t / "comm").read_text().strip() for t in TASKS.iterdir()]


@pytest.mark.skipif(not TASKS.is_dir(), reason="thread names are read from /proc (Linux)")
def test_a_full_repaint_of_a_large_window_starts_no_paint_threads(make_window):
    assert os.environ.get("QT_NO_GUI_THREADPOOL") == "1"  # set by configure_pyqtgraph (conftest)
    w, s = make_window(size=(1920, 1080))
    for _ in range(3):
        s.step()
        w.repaint()
    w.grab()
    assert "Thread (pooled)" not in thread_names()
