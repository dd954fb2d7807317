#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser test (playwright-core drives it; Playwright downloads
# no browser). Idempotent: does nothing when /usr/bin/chromium is already there.
set -euo pipefail
CHROMIUM=${STOCKOPS_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "scripts/browser/install.sh: $CHROMIUM is missing and installing it needs root (apt-get install chromium)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
[ -x "$CHROMIUM" ] || { echo "scripts/browser/install.sh: chromium installed but $CHROMIUM not found" >&2; exit 1; }
