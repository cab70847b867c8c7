#!/bin/bash
# bench/net.sh - userspace networking: iperf3 throughput from a sandbox to
# a server on the host's loopback through pasta and through slirp4netns,
# side by side with the same helper set up by hand (unshare + helper) and
# with the host's own loopback; then the start-up cost of --net pasta and
# --net slirp4netns against --net none (hyperfine). See bench/README.md.
#
#   bench/net.sh [--seconds N] [--repeat N]
#
# --seconds: length of each iperf3 run (default 5); --repeat: runs per
# path, interleaved, the median reported (default 3).
#
# Environment: SANDBOX, BENCH_OUT, BENCH_RUNS (hyperfine runs per command,
# default 100), BENCH_WARMUP (default 10), BENCH_USER (see startup.sh).
#
# All traffic stays on this machine: the iperf3 server listens on
# 127.0.0.1 and every client reaches it through the host's loopback or the
# helper's gateway 10.0.2.2, which the helper maps to that loopback.
set -euo pipefail

BENCH_NAME=net
# shellcheck source=bench/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

SECONDS_PER_RUN=5
REPEAT=3
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECONDS_PER_RUN=${2:?}; shift 2 ;;
	--repeat) REPEAT=${2:?}; shift 2 ;;
	*) bench_die "unknown argument $1 (--seconds N, --repeat N)" ;;
	esac
done
RUNS=${BENCH_RUNS:-100}
WARMUP=${BENCH_WARMUP:-10}
for v in SECONDS_PER_RUN REPEAT RUNS WARMUP; do
	case ${!v} in '' | *[!0-9]*) bench_die "$v must be a number, not '${!v}'" ;; esac
done

NEEDS=(iperf3:iperf3 hyperfine:hyperfine pasta:passt slirp4netns:slirp4netns
	nsenter:util-linux unshare:util-linux python3:python3 ss:iproute2)
if [ "$(id -u)" -eq 0 ]; then
	bench_require "${NEEDS[@]}" runuser:util-linux
	bench_reexec_unprivileged --seconds "$SECONDS_PER_RUN" --repeat "$REPEAT"
fi

bench_require "${NEEDS[@]}"
bench_check_subids
[ -r /dev/net/tun ] && [ -w /dev/net/tun ] ||
	bench_die "/dev/net/tun is not readable and writable (as root: chmod 0666 /dev/net/tun)"
OUT=$(bench_out_dir)
bench_tmpdir
bench_find_sandbox || bench_die "no sandbox binary (run make, or set SANDBOX)"
SB=$BENCH_SANDBOX
cd /

# ---- the iperf3 server -----------------------------------------------------
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo 15201)
iperf3 -s -B 127.0.0.1 -p "$PORT" >"$BENCH_TMP/iperf3-server.log" 2>&1 &
SERVER=$!
PIDS=("$SERVER")
cleanup_all() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	bench_cleanup
}
trap cleanup_all EXIT
for _ in $(seq 100); do
	[ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ] && break
	kill -0 "$SERVER" 2>/dev/null || bench_die "iperf3 -s failed: $(cat "$BENCH_TMP/iperf3-server.log")"
	sleep 0.05
done

# ---- the helpers set up by hand: a user+network namespace of unshare(1),
# the helper joined to it with the options sandbox gives it, iperf3 run in
# it with nsenter(1) -------------------------------------------------------
# hand_ns VAR: start a namespace holder, its pid in VAR
hand_ns() {
	unshare --user --map-root-user --net sleep 3600 >/dev/null 2>&1 &
	local p=$!
	PIDS+=("$p")
	while [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ]; do
		kill -0 "$p" 2>/dev/null || bench_die "unshare failed"
		sleep 0.01
	done
	printf -v "$1" '%s' "$p"
}
in_ns() { nsenter --preserve-credentials -U -n -t "$1" "${@:2}"; }

hand_ns NS_PASTA
# pasta writes its pid file (a FIFO here) once it is set up
mkfifo "$BENCH_TMP/pasta.ready"
pasta --foreground --quiet --ipv4-only --config-net --ns-ifname eth0 --address 10.0.2.100 \
	--netmask 24 --gateway 10.0.2.2 --mtu 65520 --dns-forward 10.0.2.3 --tcp-ports none \
	--udp-ports none --tcp-ns none --udp-ns none --pid "$BENCH_TMP/pasta.ready" \
	--netns "/proc/$NS_PASTA/ns/net" --userns "/proc/$NS_PASTA/ns/user" \
	>"$BENCH_TMP/pasta.log" 2>&1 &
PIDS+=("$!")
read -r _ <"$BENCH_TMP/pasta.ready" || bench_die "pasta by hand failed: $(cat "$BENCH_TMP/pasta.log")"

hand_ns NS_SLIRP
mkfifo "$BENCH_TMP/slirp.ready"
slirp4netns --configure --mtu=65520 --cidr=10.0.2.0/24 --ready-fd=3 --netns-type=path \
	--userns-path="/proc/$NS_SLIRP/ns/user" "/proc/$NS_SLIRP/ns/net" eth0 \
	3>"$BENCH_TMP/slirp.ready" >"$BENCH_TMP/slirp.log" 2>&1 &
PIDS+=("$!")
read -r -n 1 _ <"$BENCH_TMP/slirp.ready" ||
	bench_die "slirp4netns by hand failed: $(cat "$BENCH_TMP/slirp.log")"

# ---- throughput -------------------------------------------------------------
# iperf_bps CMD...: run the iperf3 client command CMD, print bits/s received.
iperf_bps() {
	local json
	json=$("$@" -p "$PORT" -t "$SECONDS_PER_RUN" -J 2>&1) ||
		bench_die "iperf3 failed: $* :: $(printf '%s' "$json" | tail -n 5)"
	printf '%s' "$json" | python3 -c 'import json, sys
print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])'
}

PATHS=(host sandbox-pasta hand-pasta sandbox-slirp4netns hand-slirp4netns)
cmd_for() {
	case $1 in
	host) echo iperf3 -c 127.0.0.1 ;;
	sandbox-pasta) echo "$SB" --net pasta --allow-host-loopback -- iperf3 -c 10.0.2.2 ;;
	hand-pasta) echo nsenter --preserve-credentials -U -n -t "$NS_PASTA" iperf3 -c 10.0.2.2 ;;
	sandbox-slirp4netns) echo "$SB" --net slirp4netns --allow-host-loopback -- iperf3 -c 10.0.2.2 ;;
	hand-slirp4netns) echo nsenter --preserve-credentials -U -n -t "$NS_SLIRP" iperf3 -c 10.0.2.2 ;;
	esac
}

bench_machine_info >"$OUT/net-machine.txt"
{
	echo "sandbox: $SB ($("$SB" --version 2>/dev/null | head -n 1 || true))"
	echo "iperf3: $(iperf3 --version 2>/dev/null | head -n 1)"
	echo "passt: $(dpkg-query -W -f='${Version}' passt 2>/dev/null || echo unknown)"
	echo "slirp4netns: $(slirp4netns --version 2>/dev/null | head -n 1)"
	echo "hyperfine: $(hyperfine --version)"
} >>"$OUT/net-machine.txt"

echo "== throughput: iperf3 -t $SECONDS_PER_RUN, sandbox -> 127.0.0.1 of the host, $REPEAT runs per path, interleaved"
: >"$OUT/net-iperf3.txt"
for ((r = 1; r <= REPEAT; r++)); do
	for p in "${PATHS[@]}"; do
		# shellcheck disable=SC2046 # the command's words
		bps=$(iperf_bps $(cmd_for "$p"))
		printf '%s %s\n' "$p" "$bps" >>"$OUT/net-iperf3.txt"
		awk -v p="$p" -v r="$r" -v b="$bps" 'BEGIN { printf "  run %d  %-20s %8.2f Gbit/s\n", r, p, b / 1e9 }'
	done
done
med_bps() { awk -v p="$1" '$1 == p { print $2 }' "$OUT/net-iperf3.txt" | bench_median; }
max_bps() { awk -v p="$1" '$1 == p && $2 > m { m = $2 } END { print m }' "$OUT/net-iperf3.txt"; }
declare -A BPS MAX
for p in "${PATHS[@]}"; do
	BPS[$p]=$(med_bps "$p")
	MAX[$p]=$(max_bps "$p")
done

# ---- start-up cost ----------------------------------------------------------
echo
echo "== start-up: hyperfine, $RUNS runs + $WARMUP warm-up per command, no shell"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" \
	--export-csv "$OUT/net-startup.csv" --export-markdown "$OUT/net-startup.md" \
	--command-name none "$SB --net none -- /bin/true" \
	--command-name pasta "$SB --net pasta -- /bin/true" \
	--command-name slirp4netns "$SB --net slirp4netns -- /bin/true" ||
	bench_die "hyperfine failed"
T_NONE=$(bench_hf_field "$OUT/net-startup.csv" none median)
T_PASTA=$(bench_hf_field "$OUT/net-startup.csv" pasta median)
T_SLIRP=$(bench_hf_field "$OUT/net-startup.csv" slirp4netns median)

# ---- summary ------------------------------------------------------------------
gbit() { awk -v b="$1" 'BEGIN { printf "%.2f Gbit/s", b / 1e9 }'; }
{
	echo
	echo "== summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -r), $(nproc) cpus)"
	echo "  iperf3 throughput, sandbox -> host loopback ($REPEAT x ${SECONDS_PER_RUN} s): median, best"
	for p in "${PATHS[@]}"; do
		printf '    %-20s %-14s %s\n' "$p" "$(gbit "${BPS[$p]}")" "$(gbit "${MAX[$p]}")"
	done
	bench_print_ratio "pasta: sandbox/by hand" "${BPS[sandbox-pasta]}" "${BPS[hand-pasta]}"
	bench_print_ratio "slirp4netns: sandbox/by hand" "${BPS[sandbox-slirp4netns]}" "${BPS[hand-slirp4netns]}"
	bench_print_ratio "best runs, pasta" "${MAX[sandbox-pasta]}" "${MAX[hand-pasta]}"
	bench_print_ratio "best runs, slirp4netns" "${MAX[sandbox-slirp4netns]}" "${MAX[hand-slirp4netns]}"
	bench_print_ratio "pasta: sandbox/host" "${BPS[sandbox-pasta]}" "${BPS[host]}"
	bench_print_ratio "slirp4netns: sandbox/host" "${BPS[sandbox-slirp4netns]}" "${BPS[host]}"
	bench_print_ratio "pasta/slirp4netns (sandbox)" "${BPS[sandbox-pasta]}" "${BPS[sandbox-slirp4netns]}"
	echo "    target: sandbox/by hand >= 0.90 for each helper"
	echo "  median start-up time ($RUNS runs, /bin/true over the host's root)"
	printf '    %-20s %s\n' "--net none" "$(bench_ms "$T_NONE")"
	printf '    %-20s %s\n' "--net pasta" "$(bench_ms "$T_PASTA")"
	printf '    %-20s %s\n' "--net slirp4netns" "$(bench_ms "$T_SLIRP")"
	bench_print_ratio "time pasta/none" "$T_PASTA" "$T_NONE"
	bench_print_ratio "time slirp4netns/none" "$T_SLIRP" "$T_NONE"
	awk -v a="$T_PASTA" -v b="$T_SLIRP" -v n="$T_NONE" 'BEGIN {
		printf "    added by the helper: pasta %.1f ms, slirp4netns %.1f ms\n", (a - n) * 1e3, (b - n) * 1e3 }'
	echo "  results in ${BENCH_OUT_SHOWN:-$OUT}/: net-iperf3.txt, net-startup.{csv,md},"
	echo "    net-machine.txt, net-summary.txt"
} | tee "$OUT/net-summary.txt"
