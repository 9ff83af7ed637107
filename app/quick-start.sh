#!/usr/bin/env bash
# app/quick-start.sh — set up, build and run the jobrouter application on
# Debian 12: one command for a fresh machine.
#
#   bash app/quick-start.sh [ARGUMENTS FOR jobrouter…]
#
# Installs the packages that are missing (as root directly, or through sudo
# when run by a user: it elevates only for that), builds in ./build, then
# runs ./build/app/jobrouter with the settings schema of the build tree: the
# window, or a short demo on the terminal where there is no display.
# `--deps-only` stops after the packages.
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential pkg-config meson ninja-build gettext appstream
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "quick-start: installing packages needs root: run this as root, or install sudo" >&2
    exit 1
  fi
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "quick-start: installing ${missing[*]}"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--deps-only" ]; then
  exit 0
fi

if [ ! -f build/meson-private/coredata.dat ]; then
  meson setup build
fi
meson compile -C build

# Uninstalled, the settings schema is the build tree's.
GSETTINGS_SCHEMA_DIR="$PWD/build/data" exec ./build/app/jobrouter "$@"
