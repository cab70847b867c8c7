#!/bin/bash
# bench/startup.sh - start-up cost of an empty sandbox: sandbox against
# bubblewrap and unshare(1), each running /bin/true, timed by hyperfine;
# then the peak RSS of the setup process (GNU time %M) of sandbox and
# bubblewrap. See bench/README.md for how to run it and read it.
#
# Environment:
#   SANDBOX=PATH        binary under test (default ./sandbox, else the repo's)
#   BENCH_OUT=DIR       results directory (default bench/results)
#   BENCH_RUNS=N        hyperfine runs per command (default 200, minimum 200)
#   BENCH_WARMUP=N      hyperfine warm-up runs per command (default 20)
#   BENCH_RSS_RUNS=N    GNU time runs per command for the RSS median (default 20)
#   BENCH_USER=NAME     the unprivileged user root re-runs this as (default sbtest)
set -euo pipefail

BENCH_NAME=startup
# shellcheck source=bench/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

RUNS=${BENCH_RUNS:-200}
WARMUP=${BENCH_WARMUP:-20}
RSS_RUNS=${BENCH_RSS_RUNS:-20}
for v in RUNS WARMUP RSS_RUNS; do
	case ${!v} in '' | *[!0-9]*) bench_die "BENCH_$v must be a number, not '${!v}'" ;; esac
done
[ "$RUNS" -ge 200 ] || bench_die "BENCH_RUNS=$RUNS: at least 200 runs per command"
[ "$RSS_RUNS" -ge 1 ] || bench_die "BENCH_RSS_RUNS must be at least 1"

BWRAP=/usr/bin/bwrap   # Debian's bubblewrap, not a bwrap symlink to sandbox

# As root: install what is missing, then run the rest as $BENCH_USER.
if [ "$(id -u)" -eq 0 ]; then
	# podman and runc: the complete rootless stack sandbox is measured
	# against (runc because crun refuses a hybrid cgroup mount)
	bench_require hyperfine:hyperfine "$BWRAP":bubblewrap /usr/bin/time:time \
		unshare:util-linux runuser:util-linux podman:podman /usr/sbin/runc:runc
	bench_reexec_unprivileged "$@"   # does not return
fi

# From here on: an unprivileged user.
bench_require hyperfine:hyperfine "$BWRAP":bubblewrap /usr/bin/time:time unshare:util-linux
bench_check_subids
OUT=$(bench_out_dir)
bench_tmpdir
bench_runtime_dir
ROOTFS=$BENCH_TMP/rootfs
bench_make_rootfs "$ROOTFS"

bench_find_sandbox || true
SB=$BENCH_SANDBOX
cd /   # the same working directory (/) inside every sandbox

# The commands, as hyperfine runs them (-N: no shell, split on blanks).
# Each sandbox mode faces the bubblewrap command that does the same job.
CMD_SB_HOST="$SB -- /bin/true"
CMD_BW_HOST="$BWRAP --unshare-all --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp /bin/true"
CMD_SB_ROOTFS="$SB --rootfs $ROOTFS -- /bin/true"
CMD_SANDBOX="$SB --rootfs $ROOTFS --read-only --no-subids -- /bin/true"
CMD_BWRAP="$BWRAP --unshare-all --bind $ROOTFS / --proc /proc --dev /dev --tmpfs /tmp /bin/true"
CMD_UNSHARE="unshare -rfmpnui --mount-proc /bin/true"
CMD_SB_PASTA="$SB --net pasta -- /bin/true"
CMD_SB_SLIRP="$SB --net slirp4netns -- /bin/true"
# The time to the first packet: the payload (the host's bash) opens a TCP
# connection to a server this script runs on the host's loopback, through
# the helper's gateway; bash alone with --net none is its baseline.
CONN_PORT=""
start_conn_server() {
	local pf=$BENCH_TMP/conn-port
	# accepts and closes, until this script's cleanup kills it
	python3 -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(256)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d %d\n" % (s.getsockname()[1], os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    c.close()
' "$pf" &
	CONN_SERVER=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$pf" ] && break
		kill -0 "$CONN_SERVER" 2>/dev/null || return 1
		sleep 0.05
	done
	[ -s "$pf" ] || return 1
	read -r CONN_PORT _ <"$pf"
}
CONN_SERVER=""
stop_conn_server() { [ -z "$CONN_SERVER" ] || kill "$CONN_SERVER" 2>/dev/null; }
trap 'stop_conn_server; bench_cleanup' EXIT
CMD_SB_BASH="$SB -- /bin/bash -c :"
conn_cmd() { echo "$SB --net $1 --allow-host-loopback -- /bin/bash -c ': </dev/tcp/10.0.2.2/$CONN_PORT'"; }
# podman rootless over the same tree, no image, no network.  Where cgroup
# v2 is mounted in hybrid mode crun refuses to run at all, so runc is
# used when it is installed.
PODMAN_RUNTIME=""
[ -x /usr/sbin/runc ] && PODMAN_RUNTIME="--runtime /usr/sbin/runc"
CMD_PODMAN="podman $PODMAN_RUNTIME run --rm --network none --rootfs $ROOTFS /bin/true"


names=() cmds=()
add() { names+=("$1") cmds+=("$2"); }
if [ -n "$SB" ]; then
	for nc in "sandbox-host:$CMD_SB_HOST" "sandbox-rootfs:$CMD_SB_ROOTFS" \
		"sandbox:$CMD_SANDBOX"; do
		bench_preflight "${nc%%:*}" "${nc#*:}" ||
			bench_die "sandbox failed its trial run; not benchmarking"
		add "${nc%%:*}" "${nc#*:}"
	done
	SB_NOTE=""
else
	SB_NOTE="sandbox binary not found (no \$SANDBOX, ./sandbox or $BENCH_REPO/sandbox; run make): sandbox column skipped"
	bench_note "NOTE: $SB_NOTE"
fi
bench_preflight bwrap-host "$CMD_BW_HOST" || bench_die "bwrap failed its trial run (user namespaces disabled?)"
add bwrap-host "$CMD_BW_HOST"
bench_preflight bwrap "$CMD_BWRAP" || bench_die "bwrap failed its trial run (user namespaces disabled?)"
add bwrap "$CMD_BWRAP"
bench_preflight unshare "$CMD_UNSHARE" || bench_die "unshare failed its trial run (user namespaces disabled?)"
add unshare "$CMD_UNSHARE"
# the network helpers, where they are installed and /dev/net/tun is usable
HAVE_PASTA="" HAVE_SLIRP=""
if [ -n "$SB" ] && command -v pasta >/dev/null 2>&1 && bench_preflight sandbox-pasta "$CMD_SB_PASTA"; then
	add sandbox-pasta "$CMD_SB_PASTA"
	HAVE_PASTA=1
else
	bench_note "NOTE: sandbox --net pasta not runnable here: its column skipped"
fi
if [ -n "$SB" ] && command -v slirp4netns >/dev/null 2>&1 &&
	bench_preflight sandbox-slirp4netns "$CMD_SB_SLIRP"; then
	add sandbox-slirp4netns "$CMD_SB_SLIRP"
	HAVE_SLIRP=1
else
	bench_note "NOTE: sandbox --net slirp4netns not runnable here: its column skipped"
fi
if [ -n "$HAVE_PASTA$HAVE_SLIRP" ] && command -v python3 >/dev/null 2>&1 && [ -x /bin/bash ] &&
	start_conn_server; then
	bench_preflight sandbox-bash "$CMD_SB_BASH" || bench_die "sandbox failed its trial run"
	add sandbox-bash "$CMD_SB_BASH"
	for h in ${HAVE_PASTA:+pasta} ${HAVE_SLIRP:+slirp4netns}; do
		# quoted, as hyperfine -N splits it: eval, not bench_preflight
		eval "$(conn_cmd "$h")" >/dev/null ||
			bench_die "the first connection through $h failed its trial run: $(conn_cmd "$h")"
		add "connect-$h" "$(conn_cmd "$h")"
	done
else
	bench_note "NOTE: no network helper, python3 or /bin/bash: the first-connection rows skipped"
fi
HAVE_PODMAN=""
if command -v podman >/dev/null 2>&1 && bench_preflight podman "$CMD_PODMAN"; then
	add podman "$CMD_PODMAN"
	HAVE_PODMAN=1
else
	bench_note "NOTE: podman (rootless) not installed or not runnable here: podman column skipped"
fi

bench_machine_info >"$OUT/startup-machine.txt"
{
	[ -n "$SB" ] && echo "sandbox: $SB ($("$SB" --version 2>/dev/null | head -n 1 || true))"
	echo "bwrap: $("$BWRAP" --version 2>/dev/null)"
	echo "unshare: $(unshare --version 2>/dev/null)"
	echo "hyperfine: $(hyperfine --version)"
	echo "rootfs: $BENCH_ROOTFS_FROM"
} >>"$OUT/startup-machine.txt"

hf_args=()
for i in "${!names[@]}"; do
	hf_args+=(--command-name "${names[$i]}" "${cmds[$i]}")
done

echo "== start-up time: hyperfine, $RUNS runs + $WARMUP warm-up per command, no shell"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" \
	--export-json "$OUT/startup.json" \
	--export-markdown "$OUT/startup.md" \
	--export-csv "$OUT/startup.csv" \
	"${hf_args[@]}" ||
	bench_die "hyperfine failed"

declare -A MED=()
for n in "${names[@]}"; do
	MED[$n]=$(bench_hf_field "$OUT/startup.csv" "$n" median 2>/dev/null || true)
done

# ---- the egress rules ------------------------------------------------------
# What `-v` reports for the step "egress rules installed": the time from
# the namespaces' creation to the rules' commit, in the child, ms.
RULES_MS=""
if [ -n "$HAVE_PASTA$HAVE_SLIRP" ]; then
	helper=pasta
	[ -n "$HAVE_PASTA" ] || helper=slirp4netns
	echo
	echo "== egress rules: sandbox -v --net $helper, $RSS_RUNS runs"
	for ((i = 0; i < RSS_RUNS; i++)); do
		"$SB" -v --net "$helper" -- /bin/true 2>&1 >/dev/null |
			sed -n 's/.* \([0-9.][0-9.]*\) ms\] egress rules installed.*/\1/p' |
			head -n 1
	done >"$OUT/startup-rules-ms.txt"
	RULES_MS=$(bench_median <"$OUT/startup-rules-ms.txt" || true)
fi

# ---- peak RSS of the setup process --------------------------------------
rss_median() {
	local name=$1 cmd=$2 i v vals=()
	for ((i = 0; i < RSS_RUNS; i++)); do
		# shellcheck disable=SC2086
		v=$(bench_max_rss_kib $cmd) || bench_die "$name failed under /usr/bin/time"
		vals+=("$v")
	done
	printf '%s\n' "${vals[@]}" >"$OUT/startup-rss-$name.txt"
	printf '%s\n' "${vals[@]}" | bench_median
}

echo
echo "== peak RSS (GNU time %M, KiB), median of $RSS_RUNS runs per command"
declare -A RSS=()
for i in "${!names[@]}"; do
	case ${names[$i]} in sandbox-pasta | sandbox-slirp4netns | podman | sandbox-bash | connect-*) continue ;; esac
	RSS[${names[$i]}]=$(rss_median "${names[$i]}" "${cmds[$i]}")
done
[ -z "$HAVE_PODMAN" ] || RSS[podman]=$(rss_median podman "$CMD_PODMAN")

# ---- summary --------------------------------------------------------------
show_ms() { if [ -n "$1" ]; then bench_ms "$1"; else echo "skipped"; fi; }
show_kib() { if [ -n "$1" ]; then echo "$1 KiB"; else echo "skipped"; fi; }
# target LABEL A B MAX: the ratio A/B against its target, met or not
target() {
	local r
	r=$(bench_ratio "$2" "$3")
	printf '  %-34s %6s x   target <= %-5s %s\n' "$1" "$r" "$4" \
		"$(awk -v r="$r" -v t="$4" 'BEGIN { if (r == "n/a") print "-";
			else print (r + 0 <= t + 0 ? "met" : "NOT met") }')"
}
{
	echo
	echo "== summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -r), $(nproc) cpus)"
	[ -n "$SB_NOTE" ] && echo "  NOTE: $SB_NOTE"
	echo "  median start-up time ($RUNS runs, one hyperfine run)"
	for n in sandbox-host bwrap-host sandbox-rootfs sandbox bwrap unshare \
		sandbox-pasta sandbox-slirp4netns podman; do
		printf '    %-20s %s\n' "$n" "$(show_ms "${MED[$n]:-}")"
	done
	echo "  ratios and the targets of issue 18"
	target "host view / bwrap --ro-bind / /" "${MED[sandbox-host]:-}" "${MED[bwrap-host]:-}" 0.75
	target "--rootfs R / bwrap --bind R /" "${MED[sandbox-rootfs]:-}" "${MED[bwrap]:-}" 1.0
	target "--read-only --no-subids / bwrap" "${MED[sandbox]:-}" "${MED[bwrap]:-}" 0.8
	target "--net pasta / --net none" "${MED[sandbox-pasta]:-}" "${MED[sandbox-host]:-}" 3
	target "--net slirp4netns / --net none" "${MED[sandbox-slirp4netns]:-}" \
		"${MED[sandbox-host]:-}" 2
	if [ -n "${MED[sandbox-bash]:-}" ]; then
		echo "  the first connection: bash opens TCP to a host-loopback server through 10.0.2.2"
		printf '    %-20s %s\n' "sandbox-bash" "$(show_ms "${MED[sandbox-bash]:-}")   (--net none, bash -c :)"
		for h in pasta slirp4netns; do
			[ -n "${MED[connect-$h]:-}" ] || continue
			printf '    %-20s %s   (%s x --net none bash)\n' "connect-$h" \
				"$(show_ms "${MED[connect-$h]}")" \
				"$(bench_ratio "${MED[connect-$h]}" "${MED[sandbox-bash]}")"
		done
	fi
	printf '  %-34s %6s ms  target <= %-5s %s\n' "egress rules (-v, median)" \
		"${RULES_MS:-n/a}" 2 "$(awk -v r="${RULES_MS:-}" 'BEGIN { if (r == "") print "-";
			else print (r + 0 <= 2 ? "met" : "NOT met") }')"
	bench_print_ratio "time sandbox/unshare" "${MED[sandbox]:-}" "${MED[unshare]:-}"
	[ -z "${MED[podman]:-}" ] || bench_print_ratio "time sandbox/podman" "${MED[sandbox]:-}" "${MED[podman]:-}"
	echo "  median peak RSS of the setup process tree ($RSS_RUNS runs, GNU time %M)"
	for n in sandbox-host bwrap-host sandbox-rootfs sandbox bwrap unshare podman; do
		printf '    %-20s %s\n' "$n" "$(show_kib "${RSS[$n]:-}")"
	done
	target "RSS host view / bwrap --ro-bind" "${RSS[sandbox-host]:-}" "${RSS[bwrap-host]:-}" 1.0
	target "RSS --rootfs R / bwrap --bind" "${RSS[sandbox-rootfs]:-}" "${RSS[bwrap]:-}" 1.0
	[ -z "${RSS[podman]:-}" ] || bench_print_ratio "RSS sandbox/podman" "${RSS[sandbox]:-}" "${RSS[podman]:-}"
	echo "  results in ${BENCH_OUT_SHOWN:-$OUT}/: startup.{json,md,csv}, startup-rss-*.txt,"
	echo "    startup-rules-ms.txt, startup-machine.txt, startup-summary.txt"
} | tee "$OUT/startup-summary.txt"
