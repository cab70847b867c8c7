#!/bin/bash
# bench/x11-screenshot.sh [OUT.png] - three X clients (xclock, xeyes, xlogo),
# each in its own sandbox with --x11, drawn on a private Xvfb; the root
# window is saved as OUT.png (default bench/x11-screenshot.png), for a
# reader to look at.  Needs xvfb, x11-apps, imagemagick.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SB=${SANDBOX:-$PWD/sandbox}
OUT=$(realpath -m "${1:-bench/x11-screenshot.png}")
work=$(mktemp -d)
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
for d in $(seq 70 99); do [[ -e /tmp/.X11-unix/X$d ]] || break; done
Xvfb ":$d" -screen 0 480x320x24 -nolisten tcp >/dev/null 2>&1 &
pids=($!)
export DISPLAY=:$d
for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.05; done
"$SB" --x11 -- xclock -geometry 200x200+20+20 -update 1 & pids+=($!)
"$SB" --x11 -- xeyes -geometry 200x150+250+40 & pids+=($!)
"$SB" --x11 -- xlogo -geometry 150x100+260+200 & pids+=($!)
sleep 3
import -window root "$OUT"
echo "bench/x11-screenshot.sh: $OUT"
