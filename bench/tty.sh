#!/bin/bash
# bench/tty.sh - the terminal relay (--tty): throughput of a command's
# output (1 GiB written to its terminal) and the round trip of one
# keystroke, with the relay (the default on a terminal) against the same
# command writing to the terminal directly (--tty never), in one run.
# The terminal is a pty that bench/tty-harness.py owns and reads as fast
# as it can. Results as ratios, relay / direct; see bench/README.md.
#
# Environment:
#   SANDBOX=PATH      binary under test (default ./sandbox, else the repo's)
#   BENCH_OUT=DIR     results directory (default bench/results)
#   BENCH_BYTES=N     bytes the command writes (default 1073741824)
#   BENCH_RUNS=N      throughput runs per mode, median taken (default 5)
#   BENCH_KEYS=N      keystrokes timed per mode, median taken (default 2000)
#   BENCH_USER=NAME   the unprivileged user root re-runs this as (default sbtest)
set -euo pipefail

BENCH_NAME=tty
# shellcheck source=bench/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

BYTES=${BENCH_BYTES:-1073741824}
RUNS=${BENCH_RUNS:-5}
KEYS=${BENCH_KEYS:-2000}
for v in BYTES RUNS KEYS; do
	case ${!v} in '' | *[!0-9]*) bench_die "BENCH_$v must be a number, not '${!v}'" ;; esac
done

if [ "$(id -u)" -eq 0 ]; then
	bench_require python3:python3 runuser:util-linux
	bench_reexec_unprivileged "$@"   # does not return
fi
bench_require python3:python3
bench_find_sandbox
bench_tmpdir
bench_runtime_dir
OUT=$(bench_out_dir)
HARNESS=$BENCH_DIR/tty-harness.py
S=$BENCH_SANDBOX

# the echo loop: raw mode, every byte back, ^D ends it
ECHO_LOOP='import os, sys, termios, tty
tty.setraw(0)
os.write(1, b"ready")
while True:
    b = os.read(0, 1)
    if not b or b == b"\x04":
        break
    os.write(1, b)'

# throughput MODE...: the median seconds of RUNS runs
throughput() {
	local i
	for i in $(seq "$RUNS"); do
		python3 "$HARNESS" throughput "$BYTES" -- "$@" | cut -d' ' -f1
	done | bench_median
}

bench_machine_info >"$OUT/tty-machine.txt"
declare -A T L
for mode in relay direct; do
	case $mode in
	relay) opt=(--tty auto) ;;
	direct) opt=(--tty never) ;;
	esac
	T[$mode]=$(throughput "$S" "${opt[@]}" -- head -c "$BYTES" /dev/zero)
	L[$mode]=$(python3 "$HARNESS" latency "$KEYS" -- "$S" "${opt[@]}" -- python3 -c "$ECHO_LOOP")
done
mib() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
{
	printf 'bytes per run: %s, runs: %s, keystrokes: %s\n' "$BYTES" "$RUNS" "$KEYS"
	printf '%-8s %12s %14s\n' mode "MiB/s" "round trip us"
	for mode in direct relay; do
		printf '%-8s %12s %14s\n' "$mode" "$(mib "${T[$mode]}")" "${L[$mode]}"
	done
	printf 'throughput relay/direct: %s (target >= 0.8)\n' \
		"$(awk -v a="${T[direct]}" -v b="${T[relay]}" 'BEGIN { printf "%.2f", a / b }')"
	printf 'round trip added by the relay: %s us (target < 1000)\n' \
		"$(awk -v a="${L[relay]}" -v b="${L[direct]}" 'BEGIN { printf "%.1f", a - b }')"
} | tee "$OUT/tty.txt"
