#!/usr/bin/env bash
# test-quick-start.sh — app/quick-start.sh installs what is missing as
# root without sudo, through sudo as a user, and says what to do as a user
# without sudo (issue 11: the README's commands began with sudo, which a
# fresh Debian container does not have).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The script runs with --deps-only on a PATH of fakes: `id` says who we
# are, `dpkg-query` what is installed, and `apt-get` and `sudo` note how
# they were called. Nothing is installed for real.
#
# Usage: test-quick-start.sh SCRIPT
set -euo pipefail

script=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

echo "1..5"

# fake_bin DIR UID INSTALLED WITH_SUDO
fake_bin() {
  local dir=$1 uid=$2 installed=$3 with_sudo=$4
  mkdir -p "$dir"
  # What the script needs of the real system.
  for tool in bash dirname env cat; do
    ln -sf "$(command -v "$tool")" "$dir/$tool"
  done
  cat >"$dir/id" <<EOS
#!$BASH
echo $uid
EOS
  cat >"$dir/dpkg-query" <<EOS
#!$BASH
[ "$installed" = yes ] && printf 'install ok installed'
exit 0
EOS
  cat >"$dir/apt-get" <<EOS
#!$BASH
echo "apt-get \$* as \$(id)\${SUDO_RAN:+ via sudo}" >>"$tmp/log"
EOS
  if [ "$with_sudo" = yes ]; then
    cat >"$dir/sudo" <<EOS
#!$BASH
SUDO_RAN=1 "\$@"
EOS
  fi
  chmod +x "$dir"/*
}

# run_case NAME UID INSTALLED WITH_SUDO EXPECTED_STATUS
run_case() {
  local name=$1 uid=$2 installed=$3 with_sudo=$4 expected=$5 status=0
  local bin="$tmp/bin-$name"
  fake_bin "$bin" "$uid" "$installed" "$with_sudo"
  : >"$tmp/log"
  PATH="$bin" "$bin/bash" "$script" --deps-only >"$tmp/out" 2>&1 || status=$?
  n=$((n + 1))
  if [ "$status" -ne "$expected" ]; then
    echo "not ok $n - $name: exit status $status, not $expected"
    sed 's/^/# /' "$tmp/out"
    exit 1
  fi
}

check_log() {  # check_log NAME EXPECTED_LOG
  if [ "$(cat "$tmp/log")" != "$2" ]; then
    echo "not ok $n - $1: apt-get calls were:"
    sed 's/^/# /' "$tmp/log"
    echo "# expected:"
    echo "$2" | sed 's/^/# /'
    exit 1
  fi
  echo "ok $n - $1"
}

packages="build-essential pkg-config meson ninja-build gettext appstream libglib2.0-dev libgtk-4-dev libadwaita-1-dev"

run_case root-without-sudo 0 no no 0
check_log root-without-sudo "apt-get update as 0
apt-get install -y --no-install-recommends $packages as 0"

run_case user-with-sudo 1000 no yes 0
check_log user-with-sudo "apt-get update as 1000 via sudo
apt-get install -y --no-install-recommends $packages as 1000 via sudo"

run_case root-with-sudo 0 no yes 0
check_log root-with-sudo "apt-get update as 0
apt-get install -y --no-install-recommends $packages as 0"

run_case all-installed 1000 yes no 0
check_log all-installed ""

run_case user-without-sudo 1000 no no 1
if grep -q "run this as root, or install sudo" "$tmp/out"; then
  echo "ok $n - user-without-sudo: says what to do"
else
  echo "not ok $n - user-without-sudo: no advice"
  sed 's/^/# /' "$tmp/out"
  exit 1
fi
