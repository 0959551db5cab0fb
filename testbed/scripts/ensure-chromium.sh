#!/bin/sh
# Install Debian's Chromium (used by testbed's end-to-end report check) when /usr/bin/chromium is missing.
# Idempotent and quiet: prints one line saying what it did. Needs root (or sudo) to install.
set -eu
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo -n"
else
  echo "ensure-chromium: $CHROMIUM is missing and this user is not root; install it with: apt-get install -y chromium" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium so that $CHROMIUM exists" >&2
  exit 1
fi
echo "ensure-chromium: $CHROMIUM missing, installing Debian's chromium package (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp)
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium; } >"$LOG" 2>&1; then
  tail -n 20 "$LOG" >&2
  rm -f "$LOG"
  echo "ensure-chromium: installing chromium failed (see the lines above)" >&2
  exit 1
fi
rm -f "$LOG"
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: chromium installed but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: installed $($CHROMIUM --version 2>/dev/null || echo chromium)"
