"""Every library Qt's platform plugins link to is installed (scripts/setup.sh installs them).

A missing one makes Qt abort at start-up with a misleading hint ("xcb-cursor0 ... reinstalling the
application may fix this problem"), so check the plugins the way the dynamic loader sees them.
"""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="ldd is Linux-only"
)
QT = Path(importlib.util.find_spec("PySide6").origin).parent / "Qt"
PLUGINS = [
    "platforms/libqxcb.so",
    "platforms/libqoffscreen.so",
    "platforms/libqwayland.so",
    "xcbglintegrations/libqxcb-egl-integration.so",
    "xcbglintegrations/libqxcb-glx-integration.so",
    "wayland-graphics-integration-client/libqt-plugin-wayland-egl.so",
]


@pytest.mark.parametrize("plugin", PLUGINS)
def test_every_library_the_plugin_links_to_is_found(plugin):
    path = QT / "plugins" / plugin
    assert path.exists(), f"{plugin} is not in this PySide6"
    out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True).stdout
    missing = sorted({line.split()[0] for line in out.splitlines() if "not found" in line})
    assert not missing, (
        f"{plugin} needs {', '.join(missing)}: run scripts/setup.sh (see docs/qt-libraries.md)"
    )


def test_setup_installs_each_library_the_plugins_load_by_name():
    """The sonames setup.sh checks include every X11/Wayland/GL library the plugins load."""
    setup = (Path(__file__).parents[1] / "scripts" / "setup.sh").read_text(encoding="utf-8")
    needed = set()
    for plugin in PLUGINS:
        out = subprocess.run(["ldd", str(QT / "plugins" / plugin)], capture_output=True, text=True).stdout
        needed |= {
            line.split()[0]
            for line in out.splitlines()
            if line.split()
            and line.split()[0].startswith(("libxcb", "libX", "libxkb", "libwayland", "libEGL", "libGL"))
        }
    assert needed, "ldd listed no X11/Wayland/GL libraries: the check itself is broken"
    absent = sorted(name for name in needed if f'"{name} ' not in setup and f' "{name} ' not in setup)
    assert not absent, f"scripts/setup.sh does not install {absent}"
