#!/bin/bash
# bench/bwrap-mounts.sh - set-up cost against the number of mount
# operations: our `bwrap` link and Debian's bubblewrap (/usr/bin/bwrap)
# with 10, 100, 1000 and 2000 --ro-bind operations, side by side in one
# hyperfine run. Prints the curve, the per-operation cost between counts
# and the ratio bubblewrap/ours at each count (issue 5's target: at least
# 20 at 2000). See bench/README.md.
#
#   bench/bwrap-mounts.sh [COUNT...]     (default counts: 10 100 1000 2000)
#
# Environment:
#   SANDBOX=PATH        binary under test (default ./sandbox, else the repo's)
#   BENCH_OUT=DIR       results directory (default bench/results)
#   BENCH_RUNS=N        exactly N hyperfine runs per command (default: at
#                       least 5, more within hyperfine's 3 s budget, at most 100)
#   BENCH_WARMUP=N      hyperfine warm-up runs per command (default 1)
#   BENCH_USER=NAME     the unprivileged user root re-runs this as (default sbtest)
set -euo pipefail

BENCH_NAME=bwrap-mounts
# shellcheck source=bench/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

if [ $# -gt 0 ]; then COUNTS="$*"; else COUNTS="10 100 1000 2000"; fi
RUNS=${BENCH_RUNS:-}
WARMUP=${BENCH_WARMUP:-1}
case $WARMUP in '' | *[!0-9]*) bench_die "BENCH_WARMUP must be a number, not '$WARMUP'" ;; esac
case $RUNS in '' | [2-9] | [1-9][0-9]*) ;; *) bench_die "BENCH_RUNS must be a number >= 2, not '$RUNS'" ;; esac
prev=0
for n in $COUNTS; do
	case $n in '' | *[!0-9]* | 0*) bench_die "COUNT '$n' is not a positive number" ;; esac
	[ "$n" -gt "$prev" ] || bench_die "counts must increase: $COUNTS"
	prev=$n
done
if [ -n "$RUNS" ]; then
	RUNS_ARGS=(--runs "$RUNS") RUNS_TEXT="$RUNS runs"
else
	RUNS_ARGS=(--min-runs 5 --max-runs 100) RUNS_TEXT="5..100 runs (3 s budget)"
fi

DEB_BWRAP=/usr/bin/bwrap   # Debian's bubblewrap, never a link to sandbox

if [ "$(id -u)" -eq 0 ]; then
	bench_require hyperfine:hyperfine "$DEB_BWRAP":bubblewrap runuser:util-linux
	bench_reexec_unprivileged "$@"   # does not return
fi

# From here on: an unprivileged user.
bench_require hyperfine:hyperfine "$DEB_BWRAP":bubblewrap
bench_check_subids
OUT=$(bench_out_dir)
bench_tmpdir
bench_find_sandbox || bench_die "no sandbox binary (set SANDBOX, or run make)"
SB=$BENCH_SANDBOX
bench_make_rootfs "$BENCH_TMP/rootfs"
ROOTFS=$BENCH_TMP/rootfs

# Our bwrap personality: a link named bwrap to the binary.
mkdir "$BENCH_TMP/bin"
ln -s "$SB" "$BENCH_TMP/bin/bwrap"
OUR_BWRAP=$BENCH_TMP/bin/bwrap

# Distinct, existing sources: one empty directory per operation, s/1 ...
# s/MAX, named relative to $BENCH_TMP (the commands run there) so that
# the 2000-operation command line stays far below the kernel's 128 KiB
# limit for one argument (hyperfine passes each command as one).
max=${COUNTS##* }
mkdir "$BENCH_TMP/s"
(cd "$BENCH_TMP/s" && seq 1 "$max" | xargs mkdir)
cd "$BENCH_TMP"

# cmd BWRAP N: N --ro-bind operations, each source on its own destination
# under a tmpfs, then the rootfs's static /bin/true.
cmd() {
	local bw=$1 n=$2 i ops=""
	for ((i = 1; i <= n; i++)); do
		ops+=" --ro-bind s/$i /m/$i"
	done
	printf '%s --ro-bind %s/bin /bin --tmpfs /m%s /bin/true' "$bw" "$ROOTFS" "$ops"
}

# One run of each first, so that a failure shows its own message.
names=() cmds=()
for n in $COUNTS; do
	for who in ours bubblewrap; do
		if [ "$who" = ours ]; then c=$(cmd "$OUR_BWRAP" "$n"); else c=$(cmd "$DEB_BWRAP" "$n"); fi
		# shellcheck disable=SC2086  # split on blanks, as hyperfine -N does
		if ! err=$($c 2>&1 >/dev/null); then
			bench_note "$who with $n operations failed its trial run:"
			printf '%s\n' "$err" | sed 's/^/    /' >&2
			bench_die "not benchmarking"
		fi
		names+=("$who-$n") cmds+=("$c")
	done
done

bench_machine_info >"$OUT/bwrap-mounts-machine.txt"
{
	echo "sandbox: $SB ($("$SB" --version 2>/dev/null | head -n 1 || true)), run as $OUR_BWRAP"
	echo "bubblewrap: $DEB_BWRAP ($("$DEB_BWRAP" --version 2>/dev/null))"
	echo "hyperfine: $(hyperfine --version)"
	echo "rootfs: $BENCH_ROOTFS_FROM"
	echo "counts: $COUNTS"
} >>"$OUT/bwrap-mounts-machine.txt"

hf_args=()
for i in "${!names[@]}"; do
	hf_args+=(--command-name "${names[$i]}" "${cmds[$i]}")
done

echo "== set-up time against --ro-bind operations: hyperfine, no shell," \
	"$RUNS_TEXT + $WARMUP warm-up per command"
hyperfine -N --warmup "$WARMUP" "${RUNS_ARGS[@]}" \
	--export-json "$OUT/bwrap-mounts.json" \
	--export-markdown "$OUT/bwrap-mounts.md" \
	--export-csv "$OUT/bwrap-mounts.csv" \
	"${hf_args[@]}" ||
	bench_die "hyperfine failed"

med() { bench_hf_field "$OUT/bwrap-mounts.csv" "$1" median; }
ms() { awk -v s="$1" 'BEGIN { printf "%10.2f", s * 1000 }'; }
per_op() { # microseconds per operation between two counts
	awk -v a="$1" -v b="$2" -v na="$3" -v nb="$4" \
		'BEGIN { printf "%8.1f", (b - a) / (nb - na) * 1e6 }'
}

{
	echo
	echo "== summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -r), $(nproc) cpus)"
	echo "  median set-up + run time of /bin/true, ms (hyperfine medians)"
	printf '  %6s %12s %12s %18s\n' "--ro-bind" "ours" "bubblewrap" "bubblewrap/ours"
	prev_n="" prev_o="" prev_b=""
	slopes=""
	for n in $COUNTS; do
		o=$(med "ours-$n") b=$(med "bubblewrap-$n")
		printf '  %6s %12s %12s %16s x\n' "$n" "$(ms "$o")" "$(ms "$b")" "$(bench_ratio "$b" "$o")"
		if [ -n "$prev_n" ]; then
			slopes+=$(printf '  %5s..%-5s %10s %10s\n' "$prev_n" "$n" \
				"$(per_op "$prev_o" "$o" "$prev_n" "$n")" "$(per_op "$prev_b" "$b" "$prev_n" "$n")")
			slopes+=$'\n'
		fi
		prev_n=$n prev_o=$o prev_b=$b
	done
	echo "  cost of one more operation between two counts, microseconds"
	echo "  (constant for a linear curve; growing for a quadratic one)"
	printf '  %12s %10s %10s\n' "counts" "ours" "bubblewrap"
	printf '%s' "$slopes"
	last=${COUNTS##* }
	r=$(bench_ratio "$(med "bubblewrap-$last")" "$(med "ours-$last")")
	if awk -v r="$r" 'BEGIN { exit !(r + 0 >= 20) }'; then
		echo "  target (bubblewrap/ours >= 20 at $last operations): met ($r x)"
	else
		echo "  target (bubblewrap/ours >= 20 at $last operations): NOT met ($r x)"
	fi
	echo "  results in ${BENCH_OUT_SHOWN:-$OUT}/: bwrap-mounts.{json,md,csv},"
	echo "    bwrap-mounts-machine.txt, bwrap-mounts-summary.txt"
} | tee "$OUT/bwrap-mounts-summary.txt"
