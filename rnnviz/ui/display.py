"""Is there a display Qt can open a window on? Answered before Qt starts, because Qt's own answer
is an abort (SIGABRT) with a misleading hint about "xcb-cursor0". No Qt import here."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import socket
import sys
from pathlib import Path

HOW_TO_RUN_WITHOUT_A_SCREEN = (
    "  On a machine with no screen (ssh, a container, CI), run it on a virtual one:\n"
    "      xvfb-run -a rnnviz        (Debian/Ubuntu: apt-get install xvfb)\n"
    "  or save a picture of the window without any display:\n"
    "      rnnviz --screenshot out.png"
)


def use_offscreen_for_screenshots() -> None:
    """A screenshot needs no screen: draw offscreen unless the user chose a platform."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def display_problem(env=os.environ) -> str | None:
    """Why Qt could not open a window here, in words a user can act on; None if it can."""
    if not sys.platform.startswith("linux"):
        return None  # macOS and Windows always have their native platform
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: the user chose, Qt reports its own errors
    if not platform and env.get("WAYLAND_DISPLAY"):
        return None  # Qt tries Wayland first
    display = env.get("DISPLAY", "")
    if not display:
        return f"rnnviz: no display to open a window on (DISPLAY is not set).\n{HOW_TO_RUN_WITHOUT_A_SCREEN}"
    if not x_server_reachable(display):
        return (
            f"rnnviz: cannot reach the X display {display!r} (nothing answers there).\n"
            f"{HOW_TO_RUN_WITHOUT_A_SCREEN}"
        )
    missing = xcb_plugin_problem()
    if missing:
        return (
            f"rnnviz: Qt's X11 plugin cannot load: {missing}\n"
            "  Install the system libraries Qt needs with:  bash scripts/setup.sh\n"
            "  (the list and the reasons are in docs/qt-libraries.md)"
        )
    return None


def x_server_reachable(display: str, timeout: float = 2.0) -> bool:
    """True if something accepts connections at DISPLAY ("[host]:N[.S]"), as the X client would try."""
    m = re.fullmatch(r"(?:unix)?([^:]*):(\d+)(?:\.\d+)?", display)
    if not m:
        return False
    host, n = m[1], int(m[2])
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{n}"
        for address in ("\0" + path, path):  # Linux's abstract socket first, then the file
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(timeout)
                    s.connect(address)
                    return True
            except OSError:
                continue
        return False
    try:
        socket.create_connection((host, 6000 + n), timeout=timeout).close()
        return True
    except OSError:
        return False


def xcb_plugin_path() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.exists() else None


def xcb_plugin_problem(plugin: Path | None = None) -> str | None:
    """The dynamic loader's own words if Qt's X11 plugin cannot be loaded (a missing library)."""
    plugin = plugin or xcb_plugin_path()
    if plugin is None:
        return None
    try:
        ctypes.CDLL(str(plugin))  # loads the libraries it links to, as Qt would
    except OSError as e:
        return str(e)
    return None
