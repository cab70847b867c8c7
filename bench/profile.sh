#!/bin/bash
# bench/profile.sh - start-up with the shipped gui profile (a display, the
# GPU, the desktop's look, an empty home, the session bus through
# xdg-dbus-proxy) against a bare `sandbox -- true`, in one hyperfine run,
# with a headless X server (Xvfb) and a private session bus to pass.
#
# Environment:
#   SANDBOX=PATH      binary under test (default ./sandbox, else the repo's)
#   BENCH_OUT=DIR     results directory (default bench/results)
#   BENCH_RUNS=N      hyperfine runs per command (default 100)
#   BENCH_USER=NAME   the unprivileged user root re-runs this as (default sbtest)
set -euo pipefail

BENCH_NAME=profile
# shellcheck source=bench/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

RUNS=${BENCH_RUNS:-100}
case $RUNS in '' | *[!0-9]*) bench_die "BENCH_RUNS must be a number, not '$RUNS'" ;; esac

if [ "$(id -u)" -eq 0 ]; then
	bench_require hyperfine:hyperfine Xvfb:xvfb dbus-daemon:dbus-daemon \
		xdg-dbus-proxy:xdg-dbus-proxy runuser:util-linux
	bench_reexec_unprivileged "$@"   # does not return
fi
bench_require hyperfine:hyperfine Xvfb:xvfb dbus-daemon:dbus-daemon xdg-dbus-proxy:xdg-dbus-proxy
bench_find_sandbox
bench_tmpdir
bench_runtime_dir
OUT=$(bench_out_dir)
S=$BENCH_SANDBOX
PIDS=()
stop() { [ ${#PIDS[@]} -eq 0 ] || kill "${PIDS[@]}" 2>/dev/null; bench_cleanup; }
trap stop EXIT

# a free display, Xvfb on it, and a session bus in the runtime dir
for D in $(seq 70 99); do
	[ -e /tmp/.X11-unix/X$D ] || [ -e /tmp/.X$D-lock ] || break
done
Xvfb ":$D" -screen 0 640x480x24 -nolisten tcp >/dev/null 2>&1 &
PIDS+=($!)
export DISPLAY=:$D
unset WAYLAND_DISPLAY XAUTHORITY
mkfifo "$BENCH_TMP/bus.addr"
dbus-daemon --session --address="unix:path=$XDG_RUNTIME_DIR/bus" --nofork --nopidfile \
	--print-address=3 3>"$BENCH_TMP/bus.addr" </dev/null >/dev/null 2>&1 &
PIDS+=($!)
read -r DBUS_SESSION_BUS_ADDRESS <"$BENCH_TMP/bus.addr"
export DBUS_SESSION_BUS_ADDRESS
while [ ! -S "/tmp/.X11-unix/X$D" ]; do sleep 0.05; done

GUI="$S --profile $BENCH_REPO/profiles/gui.profile -- /bin/true"
BARE="$S -- /bin/true"
for c in "$BARE" "$GUI"; do
	# shellcheck disable=SC2086 # split as hyperfine -N does
	$c || bench_die "does not run here: $c"
done
hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$OUT/profile.json" \
	--command-name bare "$BARE" --command-name "profile gui" "$GUI" | tee "$OUT/profile.txt"
python3 - "$OUT/profile.json" <<'EOF' | tee -a "$OUT/profile.txt"
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print("median: bare %.2f ms, --profile gui %.2f ms; gui/bare %.2f x"
      % (r["bare"] * 1e3, r["profile gui"] * 1e3, r["profile gui"] / r["bare"]))
EOF
