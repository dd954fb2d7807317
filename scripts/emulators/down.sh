#!/usr/bin/env bash
# `make down`: stops what `make up` started (each emulator runs in its own process group).
set -uo pipefail
cd "$(dirname "$0")/../.."
pids=.data/emulators/pids
[ -f "$pids" ] || { echo "no emulators recorded as running"; exit 0; }
while read -r pid; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done <"$pids"
rm -f "$pids" .data/emulators.env
echo "emulators stopped"
