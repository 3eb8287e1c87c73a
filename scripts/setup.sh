#!/usr/bin/env bash
# Set up rnnviz on a Debian/Ubuntu machine: the few system libraries Qt needs, then the package.
#   bash scripts/setup.sh          app only
#   bash scripts/setup.sh --test   app + test tools
set -euo pipefail
cd "$(dirname "$0")/.."

# Qt 6 (PySide6) loads EGL/GL, xkbcommon, fontconfig and dbus at start-up, and draws text with
# the system fonts (with none, every label renders as empty boxes). See docs/qt-libraries.md.
QT_DEBS=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core)
missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${QT_DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  echo "installing system libraries for Qt: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
extra=""; [ "${1:-}" = "--test" ] && extra="[test]"
"$PY" -m pip install --quiet --disable-pip-version-check -e ".${extra}"
