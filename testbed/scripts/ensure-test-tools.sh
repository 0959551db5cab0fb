#!/bin/sh
# Installs the Debian packages `npm test` needs when they are missing (it runs as `pretest`):
#   chromium       the report's end-to-end test opens report.html in headless Chromium (/usr/bin/chromium)
#   python3-torch  the tutorial's test exports a PyTorch network to ONNX (/usr/bin/python3)
#   python3-grpcio the held-out Python gRPC client test (a client generated from our .proto)
#   jq             the tutorial's last command
#   nginx          the failover test: two cloud replicas behind nginx's grpc_pass (apps/edge/test/nginx-failover.test.ts)
# Idempotent and quiet: one line saying what it installed. Needs root (or sudo) and apt-get.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || missing="$missing python3-torch"
/usr/bin/python3 -c 'import grpc, grpc_tools' >/dev/null 2>&1 || missing="$missing python3-grpcio python3-grpc-tools"
command -v jq >/dev/null 2>&1 || missing="$missing jq"
[ -x /usr/sbin/nginx ] || missing="$missing nginx"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo -n"
else
  echo "ensure-test-tools: missing Debian packages:$missing; this user is not root: install them with apt-get install -y$missing" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-tools: missing Debian packages:$missing, and apt-get is not available" >&2
  exit 1
fi
echo "ensure-test-tools: installing Debian packages:$missing (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp)
# shellcheck disable=SC2086
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $missing; } >"$LOG" 2>&1; then
  tail -n 20 "$LOG" >&2
  rm -f "$LOG"
  echo "ensure-test-tools: installing$missing failed (see the lines above)" >&2
  exit 1
fi
rm -f "$LOG"
[ -x /usr/bin/chromium ] || { echo "ensure-test-tools: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
echo "ensure-test-tools: installed$missing"
