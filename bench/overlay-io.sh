#!/bin/bash
# bench/overlay-io.sh - the cost of the copy-on-write root: an I/O workload
# inside the sandbox on kernel overlayfs, on fuse-overlayfs and on a plain
# writable bind, side by side in one run; then the start-up cost of
# --overlay (each driver) against --read-only. See bench/README.md.
#
# Environment:
#   SANDBOX=PATH          binary under test (default ./sandbox, else the repo's)
#   BENCH_OUT=DIR         results directory (default bench/results)
#   BENCH_IO_RUNS=N       workload runs per configuration (default 5)
#   BENCH_IO_MB=N         size of the tree the workload unpacks (default 200)
#   BENCH_RUNS=N          hyperfine runs per start-up command (default 100)
#   BENCH_WARMUP=N        hyperfine warm-up runs per start-up command (default 10)
#   BENCH_USER=NAME       the unprivileged user root re-runs this as (default sbtest)
set -euo pipefail

BENCH_NAME=overlay-io
# shellcheck source=bench/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

IO_RUNS=${BENCH_IO_RUNS:-5}
IO_MB=${BENCH_IO_MB:-200}
RUNS=${BENCH_RUNS:-100}
WARMUP=${BENCH_WARMUP:-10}
for v in IO_RUNS IO_MB RUNS WARMUP; do
	case ${!v} in '' | *[!0-9]*) bench_die "BENCH_$v must be a number, not '${!v}'" ;; esac
done
[ "$IO_RUNS" -ge 1 ] || bench_die "BENCH_IO_RUNS must be at least 1"
[ "$RUNS" -ge 10 ] || bench_die "BENCH_RUNS=$RUNS: at least 10 runs per command"

if [ "$(id -u)" -eq 0 ]; then
	bench_require hyperfine:hyperfine fuse-overlayfs:fuse-overlayfs tar:tar \
		runuser:util-linux
	bench_reexec_unprivileged "$@"   # does not return
fi

# From here on: an unprivileged user.
bench_require hyperfine:hyperfine fuse-overlayfs:fuse-overlayfs tar:tar
bench_check_subids
OUT=$(bench_out_dir)
bench_find_sandbox || bench_die "no sandbox binary (SANDBOX, ./sandbox or the repo's; run make)"
SB=$BENCH_SANDBOX
bench_tmpdir
[ -w /dev/fuse ] || bench_die "/dev/fuse is not writable by $(id -un): fuse-overlayfs cannot run"

ROOTFS=$BENCH_TMP/rootfs     # the lower layer (and the bind's root)
IN=$BENCH_TMP/in             # the workload's inputs, bound read-only on /bench
OD=$BENCH_TMP/od             # --overlay-dir of the overlay runs
bench_make_rootfs "$ROOTFS"
mkdir -p "$IN" "$ROOTFS/bench" "$ROOTFS/work"
cd /

# ---- the tree: IO_MB MiB in files of 4, 32 and 256 KiB (70/25/5 %), 20
# files a directory, two levels; text content (a tar is not compressed).
bench_note "generating a $IO_MB MiB tree"
gen_tree() {
	local dir=$1 total=$((IO_MB * 1024 * 1024)) sum=0 i=0 size d blob
	blob=$(head -c 197376 /dev/urandom | base64 -w 0)   # 257 KiB of text
	while [ "$sum" -lt "$total" ]; do
		case $((i % 20)) in
		0) size=262144 ;;
		1 | 2 | 3 | 4 | 5) size=32768 ;;
		*) size=4096 ;;
		esac
		d=$dir/d$((i / 400))/s$((i / 20 % 20))
		[ $((i % 20)) -eq 0 ] && mkdir -p "$d"
		printf '%s' "${blob:$((i % 1000)):$size}" >"$d/f$i"
		sum=$((sum + size)) i=$((i + 1))
	done
	TREE_FILES=$i
}
gen_tree "$BENCH_TMP/gen"
tar -C "$BENCH_TMP/gen" -cf "$IN/tree.tar" .
TREE_BYTES=$(stat -c %s "$IN/tree.tar")
# the same tree in the lower layer, for the copy-up phase
mkdir -p "$ROOTFS/data"
tar -C "$ROOTFS/data" -xf "$IN/tree.tar"
rm -rf "$BENCH_TMP/gen"
# 1000 files to rewrite (every k-th of the tree), and 4 KiB to write
(cd "$ROOTFS/data" && find . -type f | sort | awk -v n="$TREE_FILES" \
	'BEGIN { k = int(n / 1000); if (k < 1) k = 1 } (NR - 1) % k == 0 && c < 1000 { print; c++ }') \
	>"$IN/list"
REWRITE_FILES=$(wc -l <"$IN/list")
head -c 3072 /dev/urandom | base64 -w 0 >"$IN/blob4k"

# ---- the workload; each phase ends with a line on stdout, which the host
# timestamps ($EPOCHREALTIME) as it arrives: start-up is not in the times.
# Each run unpacks into a new directory /work/$RUN: a tree deleted just
# before would make ext4 skip its recently freed inodes one by one while
# allocating (recently_deleted(), for dirty_expire_centisecs), and charge
# that to whichever configuration runs next. The trees are removed at the
# end: they need about 3 x IO_MB MiB of disk per round of the five
# configurations (about 4 GiB with the defaults: 6 rounds with the trial).
WORKLOAD='set -e
echo start
mkdir /work/$RUN
tar -xf /bench/tree.tar -C /work/$RUN
echo unpack
du -s /work/$RUN /data >/dev/null
echo stat
blob=$(cat /bench/blob4k)
while read -r f; do printf "%s" "$blob" 1<>"/work/$RUN/$f"; done </bench/list
echo rewrite
while read -r f; do printf "%s" "$blob" 1<>"/data/$f"; done </bench/list
echo copy-up'
PHASES=(unpack stat rewrite copy-up)
# bind: DIR bound writable. kernel, fuse: the upper layer in --overlay-dir
# on the bind's filesystem (the same disk work). kernel-tmpfs, fuse-tmpfs:
# the default throwaway upper layer, a tmpfs.
CONFIGS=(bind kernel fuse kernel-tmpfs fuse-tmpfs)

# config_args CONFIG RUN-ID
config_args() {
	case $1 in
	bind) echo "--rootfs-rw" ;;
	kernel) echo "--overlay-driver kernel --overlay-dir $OD-$2" ;;
	fuse) echo "--overlay-driver fuse --overlay-dir $OD-$2" ;;
	kernel-tmpfs) echo "--overlay-driver kernel" ;;
	fuse-tmpfs) echo "--overlay-driver fuse" ;;
	esac
}

# cleanup_runs: remove what the runs wrote (untimed, at the end).
cleanup_runs() {
	chmod -R u+rwX "$OD"-* 2>/dev/null || true
	rm -rf "$OD"-*
	find "$ROOTFS/work" -mindepth 1 -delete
}

# one_run CONFIG: run the workload once, on a fresh upper layer (or a fresh
# directory of the bind), after writing back what earlier runs left dirty;
# appends "CONFIG PHASE SECONDS" lines to $RAW.
RAW=$OUT/overlay-io-raw.txt
: >"$RAW"
RUN_N=0
one_run() {
	local cfg=$1 line prev='' now phase status id
	local -a args
	RUN_N=$((RUN_N + 1))
	id=run$RUN_N-$cfg
	read -r -a args <<<"$(config_args "$cfg" "$id")"
	sync
	exec {fd}< <("$SB" --no-subids --rootfs "$ROOTFS" "${args[@]}" --setenv RUN "$id" \
		--ro-bind "$IN" /bench -- /bin/sh -c "$WORKLOAD" 2>"$BENCH_TMP/err"
		echo "exit $?")
	while IFS= read -r -u "$fd" line; do
		now=$EPOCHREALTIME
		case $line in
		start) prev=$now ;;
		"exit "*) status=${line#exit } ;;
		*)
			[ -n "$prev" ] || continue
			phase=$line
			awk -v a="$prev" -v b="$now" -v c="$cfg" -v p="$phase" \
				'BEGIN { printf "%s %s %.6f\n", c, p, b - a }' >>"$RAW"
			prev=$now
			;;
		esac
	done
	exec {fd}<&-
	if [ "${status:-1}" -ne 0 ]; then
		bench_note "the workload failed on $cfg (status ${status:-?}):"
		sed 's/^/    /' "$BENCH_TMP/err" >&2
		return 1
	fi
	# fuse-overlayfs prints a harmless "unknown argument ignored: lazytime"
	grep -v 'unknown argument ignored' "$BENCH_TMP/err" >&2 || true
}

bench_machine_info >"$OUT/overlay-io-machine.txt"
{
	echo "sandbox: $SB"
	echo "fuse-overlayfs: $(fuse-overlayfs --version 2>/dev/null | grep "^fuse-overlayfs" | head -n 1)"
	echo "hyperfine: $(hyperfine --version)"
	echo "rootfs: $BENCH_ROOTFS_FROM"
	echo "workdir filesystem: $(stat -fc %T "$BENCH_TMP") ($BENCH_TMP)"
	echo "tree: $TREE_FILES files, $TREE_BYTES bytes of tar; $REWRITE_FILES files rewritten"
} >>"$OUT/overlay-io-machine.txt"

echo "== I/O workload: $IO_RUNS runs per configuration, interleaved"
echo "   tree: $TREE_FILES files, $((TREE_BYTES / 1048576)) MiB; rewrite: $REWRITE_FILES files;" \
	"upper layer and bind on $(stat -fc %T "$BENCH_TMP")"
# a trial run of each, so that a configuration that cannot run stops here;
# it is also the warm-up (what it wrote stays until the end: see above)
for cfg in "${CONFIGS[@]}"; do
	one_run "$cfg" || bench_die "$cfg: the workload does not run; not benchmarking"
done
: >"$RAW"
for ((r = 1; r <= IO_RUNS; r++)); do
	for cfg in "${CONFIGS[@]}"; do
		one_run "$cfg" || bench_die "$cfg failed in run $r"
	done
	printf '   run %d/%d done\n' "$r" "$IO_RUNS"
done
cleanup_runs

# median CONFIG PHASE (PHASE "total": the sum of the phases of each run)
median() {
	if [ "$2" = total ]; then
		awk -v c="$1" -v n="${#PHASES[@]}" '$1 == c { s += $3; k++; if (k % n == 0) { print s; s = 0 } }' "$RAW"
	else
		awk -v c="$1" -v p="$2" '$1 == c && $2 == p { print $3 }' "$RAW"
	fi | bench_median
}

# ---- start-up: --read-only against --overlay with each driver ----------
echo
echo "== start-up: hyperfine, $RUNS runs + $WARMUP warm-up per command, no shell"
S_RO="$SB --no-subids --rootfs $ROOTFS --read-only -- /bin/true"
S_KERNEL="$SB --no-subids --rootfs $ROOTFS --overlay --overlay-driver kernel -- /bin/true"
S_FUSE="$SB --no-subids --rootfs $ROOTFS --overlay --overlay-driver fuse -- /bin/true"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" \
	--export-json "$OUT/overlay-io-startup.json" \
	--export-csv "$OUT/overlay-io-startup.csv" \
	--command-name read-only "$S_RO" \
	--command-name overlay-kernel "$S_KERNEL" \
	--command-name overlay-fuse "$S_FUSE" ||
	bench_die "hyperfine failed"
smed() { bench_hf_field "$OUT/overlay-io-startup.csv" "$1" median; }
ST_RO=$(smed read-only)
ST_K=$(smed overlay-kernel)
ST_F=$(smed overlay-fuse)

# ---- summary ---------------------------------------------------------------
{
	echo
	echo "== summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -r), $(nproc) cpus)"
	echo "  I/O workload, median of $IO_RUNS runs, seconds (start-up excluded)"
	printf '    %-8s' phase
	for cfg in "${CONFIGS[@]}"; do printf ' %12s' "$cfg"; done
	echo
	for p in "${PHASES[@]}" total; do
		printf '    %-8s' "$p"
		for cfg in "${CONFIGS[@]}"; do printf ' %12.3f' "$(median "$cfg" "$p")"; done
		echo
	done
	echo "  ratios to the plain bind (fuse/kernel: the two drivers, same upper)"
	printf '    %-8s' phase
	for cfg in "${CONFIGS[@]:1}"; do printf ' %12s' "$cfg"; done
	printf ' %12s\n' fuse/kernel
	for p in "${PHASES[@]}" total; do
		b=$(median bind "$p")
		printf '    %-8s' "$p"
		for cfg in "${CONFIGS[@]:1}"; do printf ' %12s' "$(bench_ratio "$(median "$cfg" "$p")" "$b")"; done
		printf ' %12s\n' "$(bench_ratio "$(median fuse "$p")" "$(median kernel "$p")")"
	done
	spec=0 specb=0
	for p in unpack stat rewrite; do
		spec=$(awk -v a="$spec" -v b="$(median kernel "$p")" 'BEGIN { print a + b }')
		specb=$(awk -v a="$specb" -v b="$(median bind "$p")" 'BEGIN { print a + b }')
	done
	for pair in "unpack+stat+rewrite:$spec:$specb" \
		"all four phases:$(median kernel total):$(median bind total)"; do
		IFS=: read -r what k b <<<"$pair"
		r=$(bench_ratio "$k" "$b")
		met=$(awk -v r="$r" 'BEGIN { print (r != "n/a" && r <= 1.2) ? "met" : "NOT met" }')
		echo "  target kernel/bind <= 1.2 ($what, upper on the same filesystem): $r x, $met"
	done
	echo "  median start-up time ($RUNS runs)"
	printf '    %-16s %s\n' read-only "$(bench_ms "$ST_RO")"
	printf '    %-16s %s\n' overlay-kernel "$(bench_ms "$ST_K")"
	printf '    %-16s %s\n' overlay-fuse "$(bench_ms "$ST_F")"
	bench_print_ratio "overlay-kernel/read-only" "$ST_K" "$ST_RO"
	bench_print_ratio "overlay-fuse/read-only" "$ST_F" "$ST_RO"
	bench_print_ratio "overlay-fuse/overlay-kernel" "$ST_F" "$ST_K"
	echo "  results in ${BENCH_OUT_SHOWN:-$OUT}/: overlay-io-raw.txt (every phase of every run),"
	echo "    overlay-io-startup.{json,csv}, overlay-io-machine.txt, overlay-io-summary.txt"
} | tee "$OUT/overlay-io-summary.txt"
