#!/usr/bin/env bash
# Set up rnnviz: the system libraries Qt needs (apt-get), then the package in a virtual environment.
#   bash scripts/setup.sh          app only
#   bash scripts/setup.sh --test   app + test tools
# Environment: PYTHON=/path/to/python3.11+ picks the interpreter (default: python3). An already
# active virtual environment ($VIRTUAL_ENV) is used as it is; otherwise the project's own .venv is
# created (Debian/Ubuntu's python3 refuses `pip install` outside one: PEP 668). Either way .venv
# is the environment afterwards, so `.venv/bin/rnnviz` and `.venv/bin/python -m pytest` always run
# the interpreter this script installed into.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV="$ROOT/.venv"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- system libraries (Debian/Ubuntu) -----------------------------------------------------------
# Shared libraries Qt 6 loads, by soname, with the Debian package that ships each. The list is
# the closure of `ldd` over PySide6's xcb, wayland and offscreen platform plugins (checked by
# tests/test_system_libraries.py); see docs/qt-libraries.md for why each is there.
QT_LIBS=(
  "libEGL.so.1 libegl1" "libGL.so.1 libgl1" "libGLX.so.0 libglx0" "libGLdispatch.so.0 libglvnd0"
  "libfontconfig.so.1 libfontconfig1"
  "libfreetype.so.6 libfreetype6" "libdbus-1.so.3 libdbus-1-3" "libglib-2.0.so.0 libglib2.0-0"
  "libxkbcommon.so.0 libxkbcommon0" "libxkbcommon-x11.so.0 libxkbcommon-x11-0"
  "libX11.so.6 libx11-6" "libX11-xcb.so.1 libx11-xcb1" "libXau.so.6 libxau6" "libXdmcp.so.6 libxdmcp6"
  "libxcb.so.1 libxcb1"
  "libxcb-cursor.so.0 libxcb-cursor0" "libxcb-icccm.so.4 libxcb-icccm4"
  "libxcb-image.so.0 libxcb-image0" "libxcb-keysyms.so.1 libxcb-keysyms1"
  "libxcb-randr.so.0 libxcb-randr0" "libxcb-render.so.0 libxcb-render0"
  "libxcb-render-util.so.0 libxcb-render-util0" "libxcb-shape.so.0 libxcb-shape0"
  "libxcb-shm.so.0 libxcb-shm0" "libxcb-sync.so.1 libxcb-sync1" "libxcb-util.so.1 libxcb-util1"
  "libxcb-xfixes.so.0 libxcb-xfixes0" "libxcb-xkb.so.1 libxcb-xkb1" "libxcb-glx.so.0 libxcb-glx0"
  "libwayland-client.so.0 libwayland-client0" "libwayland-cursor.so.0 libwayland-cursor0"
  "libwayland-egl.so.1 libwayland-egl1"
)

apt_install() {
  if ! command -v apt-get >/dev/null; then
    say "no apt-get here: install the equivalents of these yourself if Qt complains: $*"
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to run: apt-get install $*"
    sudo="sudo"
  fi
  say "installing system packages: $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
if [ "$(uname -s)" = Linux ] && [ -x "$LDCONFIG" ]; then
  known=$("$LDCONFIG" -p 2>/dev/null | awk 'NR > 1 {print $1}')
  missing=()
  for pair in "${QT_LIBS[@]}"; do
    grep -qxF "${pair% *}" <<<"$known" || missing+=("${pair#* }")
  done
  # with no font at all Qt draws every glyph as an empty box, and says nothing
  if ! ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1; then
    missing+=(fonts-dejavu-core)
  fi
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
fi

# --- the interpreter and its virtual environment --------------------------------------------------
PY=${PYTHON:-python3}
if [ -z "${PYTHON:-}" ] && [ -n "${VIRTUAL_ENV:-}" ] && [ "$VIRTUAL_ENV" != "$VENV" ]; then
  PY="$VIRTUAL_ENV/bin/python"
  ACTIVE="$VIRTUAL_ENV"
fi
command -v "$PY" >/dev/null || die "no $PY found: install Python 3.11 or newer (or set PYTHON=/path/to/python3)"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "$("$PY" -V 2>&1) is too old: rnnviz needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)"
real_py=$("$PY" -c 'import os, sys; print(os.path.realpath(sys.executable))')

if [ -n "${ACTIVE:-}" ]; then
  # use the environment the user has active; .venv points at it so the README's commands still hold
  if [ -e "$VENV" ] && [ ! -L "$VENV" ]; then
    [ -f "$VENV/pyvenv.cfg" ] || die "$VENV exists and is not a virtual environment: move it away"
    rm -rf "$VENV"
  fi
  ln -sfn "$ACTIVE" "$VENV"
  say "using the active virtual environment $ACTIVE (linked as .venv)"
else
  # an existing .venv is kept if it works and, when PYTHON is set, runs that interpreter
  # (a .venv linked to the user's own environment by an earlier run stays linked)
  if [ -e "$VENV" ] || [ -L "$VENV" ]; then
    venv_py=$("$VENV/bin/python" -c 'import os, sys; print(os.path.realpath(sys._base_executable))' 2>/dev/null || true)
    if [ -z "$venv_py" ] || { [ -n "${PYTHON:-}" ] && [ "$venv_py" != "$real_py" ]; }; then
      [ -L "$VENV" ] || [ -f "$VENV/pyvenv.cfg" ] || die "$VENV exists and is not a virtual environment: move it away"
      say "recreating .venv for $real_py (it ran ${venv_py:-nothing: it was broken})"
      rm -rf "$VENV"
    elif [ -L "$VENV" ]; then
      say "using $(readlink "$VENV") (linked as .venv by an earlier run)"
    fi
  fi
  if [ ! -e "$VENV" ]; then
    if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
      # Debian/Ubuntu ship venv's pip bootstrap separately (python3.X-venv)
      ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      case "$real_py" in
        /usr/bin/*) apt_install "python$ver-venv" ;;
        *) die "$PY cannot create virtual environments (no venv/ensurepip module): install them, or set PYTHON" ;;
      esac
    fi
    say "creating .venv with $real_py"
    "$PY" -m venv "$VENV"
  fi
fi

# --- the package ----------------------------------------------------------------------------------
extra=""
[ "${1:-}" = "--test" ] && extra="[test]"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT$extra"
# an editable install compiles no bytecode (pip compiles a wheel's): without it, where Python may not
# write .pyc files (PYTHONDONTWRITEBYTECODE, a read-only tree) every start compiles the app's ~90
# modules again (0.05-0.2 s measured on a busy 2-core machine). A module edited since is compiled at
# each start until this runs again.
"$VENV/bin/python" -m compileall -q "$ROOT/rnnviz" >/dev/null || say "could not compile bytecode (the app still runs)"

say "done. Launch the app:   .venv/bin/rnnviz"
say "      run the tests:    .venv/bin/python -m pytest"
say "      (or 'source .venv/bin/activate' once, then plain 'rnnviz' and 'pytest')"
