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
	bench_require hyperfine:hyperfine "$BWRAP":bubblewrap /usr/bin/time:time \
		unshare:util-linux runuser:util-linux
	bench_reexec_unprivileged "$@"   # does not return
fi

# From here on: an unprivileged user.
bench_require hyperfine:hyperfine "$BWRAP":bubblewrap /usr/bin/time:time unshare:util-linux
bench_check_subids
OUT=$(bench_out_dir)
bench_tmpdir
ROOTFS=$BENCH_TMP/rootfs
bench_make_rootfs "$ROOTFS"

bench_find_sandbox || true
SB=$BENCH_SANDBOX
cd /   # the same working directory (/) inside every sandbox

# The commands, as hyperfine runs them (-N: no shell, split on blanks).
CMD_SANDBOX="$SB --rootfs $ROOTFS --read-only --no-subids -- /bin/true"
CMD_BWRAP="$BWRAP --unshare-all --bind $ROOTFS / --proc /proc --dev /dev --tmpfs /tmp /bin/true"
CMD_UNSHARE="unshare -rfmpnui --mount-proc /bin/true"
# podman rootless over the same tree, no image, no network.  Where cgroup
# v2 is mounted in hybrid mode crun refuses to run at all, so runc is
# used when it is installed.
PODMAN_RUNTIME=""
[ -x /usr/sbin/runc ] && PODMAN_RUNTIME="--runtime /usr/sbin/runc"
CMD_PODMAN="podman $PODMAN_RUNTIME run --rm --network none --rootfs $ROOTFS /bin/true"

# Each command once, so that a failure is reported with its own message
# rather than as a hyperfine error.
preflight() {
	local name=$1 cmd=$2 err rc=0
	# shellcheck disable=SC2086  # the command is split like hyperfine -N does
	err=$($cmd 2>&1 >/dev/null) || rc=$?
	[ "$rc" -eq 0 ] && return 0
	bench_note "$name does not run here (status $rc): $cmd"
	[ -n "$err" ] && printf '%s\n' "$err" | sed 's/^/    /' >&2
	return 1
}

names=() cmds=()
if [ -n "$SB" ]; then
	preflight sandbox "$CMD_SANDBOX" || bench_die "sandbox failed its trial run; not benchmarking"
	names+=(sandbox) cmds+=("$CMD_SANDBOX")
	SB_NOTE=""
else
	SB_NOTE="sandbox binary not found (no \$SANDBOX, ./sandbox or $BENCH_REPO/sandbox; run make): sandbox column skipped"
	bench_note "NOTE: $SB_NOTE"
fi
preflight bwrap "$CMD_BWRAP" || bench_die "bwrap failed its trial run (user namespaces disabled?)"
names+=(bwrap) cmds+=("$CMD_BWRAP")
preflight unshare "$CMD_UNSHARE" || bench_die "unshare failed its trial run (user namespaces disabled?)"
names+=(unshare) cmds+=("$CMD_UNSHARE")
HAVE_PODMAN=""
if command -v podman >/dev/null 2>&1 && preflight podman "$CMD_PODMAN"; then
	names+=(podman) cmds+=("$CMD_PODMAN")
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

med() { bench_hf_field "$OUT/startup.csv" "$1" median 2>/dev/null || true; }
MED_SB=""
[ -z "$SB" ] || MED_SB=$(med sandbox)
MED_BW=$(med bwrap)
MED_UN=$(med unshare)
MED_PM=""
[ -z "$HAVE_PODMAN" ] || MED_PM=$(med podman)

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
RSS_SB=""
[ -n "$SB" ] && RSS_SB=$(rss_median sandbox "$CMD_SANDBOX")
RSS_BW=$(rss_median bwrap "$CMD_BWRAP")
RSS_UN=$(rss_median unshare "$CMD_UNSHARE")
RSS_PM=""
[ -z "$HAVE_PODMAN" ] || RSS_PM=$(rss_median podman "$CMD_PODMAN")

# ---- summary --------------------------------------------------------------
show_ms() { if [ -n "$1" ]; then bench_ms "$1"; else echo "skipped"; fi; }
show_kib() { if [ -n "$1" ]; then echo "$1 KiB"; else echo "skipped"; fi; }
{
	echo
	echo "== summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -r), $(nproc) cpus)"
	[ -n "$SB_NOTE" ] && echo "  NOTE: $SB_NOTE"
	echo "  median start-up time ($RUNS runs)"
	printf '    %-10s %s\n' sandbox "$(show_ms "$MED_SB")"
	printf '    %-10s %s\n' bwrap "$(show_ms "$MED_BW")"
	printf '    %-10s %s\n' unshare "$(show_ms "$MED_UN")"
	printf '    %-10s %s\n' podman "$(show_ms "$MED_PM")"
	bench_print_ratio "time sandbox/bwrap" "$MED_SB" "$MED_BW"
	bench_print_ratio "time sandbox/unshare" "$MED_SB" "$MED_UN"
	[ -z "$MED_PM" ] || bench_print_ratio "time sandbox/podman" "$MED_SB" "$MED_PM"
	echo "  median peak RSS of the setup process tree ($RSS_RUNS runs, GNU time %M)"
	printf '    %-10s %s\n' sandbox "$(show_kib "$RSS_SB")"
	printf '    %-10s %s\n' bwrap "$(show_kib "$RSS_BW")"
	printf '    %-10s %s\n' unshare "$(show_kib "$RSS_UN") (reference)"
	printf '    %-10s %s\n' podman "$(show_kib "$RSS_PM")"
	bench_print_ratio "RSS sandbox/bwrap" "$RSS_SB" "$RSS_BW"
	[ -z "$RSS_PM" ] || bench_print_ratio "RSS sandbox/podman" "$RSS_SB" "$RSS_PM"
	echo "  results in ${BENCH_OUT_SHOWN:-$OUT}/: startup.{json,md,csv}, startup-rss-*.txt,"
	echo "    startup-machine.txt, startup-summary.txt"
} | tee "$OUT/startup-summary.txt"
