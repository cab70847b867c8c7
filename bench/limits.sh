#!/bin/bash
# bench/limits.sh - what the cgroup limits add to start-up (issue 15):
# `sandbox --memory 1G --pids 1000 -- /bin/true` against the bare
# `sandbox -- /bin/true`, and against systemd-run --user --scope with the
# same limits wrapping the bare sandbox (and podman run --memory against
# podman run, where podman runs), in one hyperfine run, as ratios; then
# the median of what `sandbox -v` reports for obtaining the scope and
# setting up the cgroup. See bench/README.md for how to run it and read it.
#
# It needs what a desktop user has: cgroup v2 alone at /sys/fs/cgroup and
# a systemd user manager (systemd-run --user --scope works).  Where that
# is missing (a hybrid or v1 host, no user manager) it boots Debian's
# stock kernel with systemd 252 as pid 1 under qemu (tests/vm, the group
# systemd:bench-limits), runs itself there as the test user beside a real
# user@1000.service, and copies the results out of the VM's console log.
#
# Environment:
#   SANDBOX=PATH        binary under test (default ./sandbox, else the repo's;
#                       in the VM always the repository's ./sandbox)
#   BENCH_OUT=DIR       results directory (default bench/results)
#   BENCH_RUNS=N        hyperfine runs per command (default 200, minimum 100)
#   BENCH_WARMUP=N      hyperfine warm-up runs per command (default 20)
#   BENCH_V_RUNS=N      `sandbox -v` runs for the step medians (default 20)
#   BENCH_VM_KERNEL=S   the stock kernel the VM boots (default 6.12; or 6.1)
#   BENCH_VM=1          boot the VM even where this machine could run it
set -euo pipefail

BENCH_NAME=limits
# shellcheck source=bench/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

RUNS=${BENCH_RUNS:-200}
WARMUP=${BENCH_WARMUP:-20}
V_RUNS=${BENCH_V_RUNS:-20}
for v in RUNS WARMUP V_RUNS; do
	case ${!v} in '' | *[!0-9]*) bench_die "BENCH_$v must be a number, not '${!v}'" ;; esac
done
[ "$RUNS" -ge 100 ] || bench_die "BENCH_RUNS=$RUNS: at least 100 runs per command"
[ "$V_RUNS" -ge 1 ] || bench_die "BENCH_V_RUNS must be at least 1"

# why this machine cannot run it, or nothing
why_not_here() {
	if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ]; then
		echo "cgroup v2 is not the only hierarchy at /sys/fs/cgroup (hybrid or v1)"
	elif ! command -v systemd-run >/dev/null 2>&1; then
		echo "no systemd-run"
	elif ! systemd-run --user --scope --quiet /bin/true >/dev/null 2>&1; then
		echo "systemd-run --user --scope fails (no systemd user manager for $(id -un))"
	fi
}

# ---- on a machine without delegation: the VM --------------------------------
# The bench's files come back in the console log, each between
# "# bench-file: NAME" and "# bench-file-end" lines (see the end).
run_in_vm() {
	local k=${BENCH_VM_KERNEL:-6.12} out log rc=0 t0 envs
	[ -z "${BENCH_IN_VM:-}" ] || bench_die "in the VM, and yet: $1"
	case $k in 6.1 | 6.12) ;; *) bench_die "BENCH_VM_KERNEL=$k: 6.1 or 6.12" ;; esac
	[ -x "$BENCH_REPO/sandbox" ] || bench_die "$BENCH_REPO/sandbox is not built (make)"
	[ -z "${SANDBOX:-}" ] || bench_note "NOTE: the VM runs $BENCH_REPO/sandbox, not SANDBOX=$SANDBOX"
	bench_require qemu-system-x86_64:qemu-system-x86 hyperfine:hyperfine
	out=$(bench_out_dir)
	log=$BENCH_REPO/build/vm/$k.1.log
	envs=BENCH_RUNS=$RUNS,BENCH_WARMUP=$WARMUP,BENCH_V_RUNS=$V_RUNS
	bench_note "$1: booting Debian's $k kernel with systemd under qemu (tests/vm)"
	t0=$(date +%s)
	VM_PARALLEL=0 VM_KERNELS=$k VM_GROUPS=systemd:bench-limits VM_ENV=$envs \
		bash "$BENCH_REPO/tests/vm/check-vm.sh" >"$out/limits-vm.txt" 2>&1 || rc=$?
	bench_note "the VM ran for $(($(date +%s) - t0)) s (check-vm.sh status $rc): $out/limits-vm.txt"
	grep -q '^skip - ' "$out/limits-vm.txt" && bench_die "$(grep -m 1 '^skip - ' "$out/limits-vm.txt")"
	[ -f "$log" ] || bench_die "no console log $log"
	tr -d '\r' <"$log" | awk -v dir="$out" '
		/^# bench-file-end$/ { if (f) close(f); f = ""; next }
		/^# bench-file: [A-Za-z0-9._-]+$/ { f = dir "/" $3; printf "" > f; next }
		f { print > f }'
	[ -s "$out/limits-summary.txt" ] ||
		bench_die "the bench did not finish in the VM; its console: $log"
	cat "$out/limits-summary.txt"
	bench_note "results copied from the VM into $out/"
	grep -q "^# vm: end bench-limits 0 " <(tr -d '\r' <"$log") ||
		bench_die "the bench exited with an error in the VM (see $log)"
	exit 0
}

why=$(why_not_here)
[ -n "${BENCH_VM:-}" ] && [ -z "${BENCH_IN_VM:-}" ] && why=${why:-BENCH_VM=1}
[ -z "$why" ] || run_in_vm "$why"   # does not return

# ---- here: cgroup v2 and a user manager -------------------------------------
bench_require hyperfine:hyperfine systemd-run:systemd
OUT=$(bench_out_dir)
bench_tmpdir
bench_find_sandbox || bench_die "no sandbox binary (\$SANDBOX, ./sandbox or $BENCH_REPO/sandbox; run make)"
SB=$BENCH_SANDBOX
cd /

CMD_BARE="$SB -- /bin/true"
CMD_LIMITS="$SB --memory 1G --pids 1000 -- /bin/true"
CMD_SDRUN="systemd-run --user --scope --quiet -p MemoryMax=1G -p TasksMax=1000 $SB -- /bin/true"
# sandbox alone in a delegated scope: its cgroup is its own, it asks for
# no scope, and the difference between the two is the cgroup work alone
CMD_SDRUN_DELEG="systemd-run --user --scope --quiet -p Delegate=yes $SB -- /bin/true"
CMD_SDRUN_DELEG_LIMITS="systemd-run --user --scope --quiet -p Delegate=yes $SB --memory 1G --pids 1000 -- /bin/true"
ROOTFS=$BENCH_TMP/rootfs
CMD_PODMAN="podman run --rm --network none --rootfs $ROOTFS /bin/true"
CMD_PODMAN_LIMITS="podman run --rm --network none --memory 1g --pids-limit 1000 --rootfs $ROOTFS /bin/true"


names=() cmds=()
add() { names+=("$1") cmds+=("$2"); }
bench_preflight sandbox "$CMD_BARE" || bench_die "sandbox failed its trial run"
bench_preflight sandbox-limits "$CMD_LIMITS" || bench_die "sandbox --memory --pids failed its trial run"
bench_preflight systemd-run "$CMD_SDRUN" || bench_die "systemd-run --user --scope failed its trial run"
add sandbox "$CMD_BARE"
add sandbox-limits "$CMD_LIMITS"
bench_preflight systemd-run-delegated "$CMD_SDRUN_DELEG" ||
	bench_die "systemd-run -p Delegate=yes sandbox failed its trial run"
bench_preflight systemd-run-delegated-limits "$CMD_SDRUN_DELEG_LIMITS" ||
	bench_die "systemd-run -p Delegate=yes sandbox --memory failed its trial run"
add systemd-run "$CMD_SDRUN"
add systemd-run-delegated "$CMD_SDRUN_DELEG"
add systemd-run-delegated-limits "$CMD_SDRUN_DELEG_LIMITS"
PODMAN_NOTE=""
if ! command -v podman >/dev/null 2>&1; then
	PODMAN_NOTE="not measured: podman is not installed here"
else
	bench_make_rootfs "$ROOTFS"
	if bench_preflight podman "$CMD_PODMAN" && bench_preflight podman-limits "$CMD_PODMAN_LIMITS"; then
		add podman "$CMD_PODMAN"
		add podman-limits "$CMD_PODMAN_LIMITS"
	else
		PODMAN_NOTE="not measured: podman does not run here (its error above)"
	fi
fi
[ -z "$PODMAN_NOTE" ] || bench_note "NOTE: podman $PODMAN_NOTE"

bench_machine_info >"$OUT/limits-machine.txt"
{
	echo "sandbox: $SB ($("$SB" --version 2>/dev/null | head -n 1 || true))"
	echo "systemd-run: $(systemd-run --version | head -n 1)"
	echo "cgroup of this shell: $(sed -n 's/^0:://p' /proc/self/cgroup)"
	echo "hyperfine: $(hyperfine --version)"
} >>"$OUT/limits-machine.txt"

hf_args=()
for i in "${!names[@]}"; do
	hf_args+=(--command-name "${names[$i]}" "${cmds[$i]}")
done
echo "== start-up with limits: hyperfine, $RUNS runs + $WARMUP warm-up per command, no shell"
hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" \
	--export-json "$OUT/limits.json" --export-markdown "$OUT/limits.md" \
	--export-csv "$OUT/limits.csv" "${hf_args[@]}" ||
	bench_die "hyperfine failed"

declare -A MED=()
for n in "${names[@]}"; do
	MED[$n]=$(bench_hf_field "$OUT/limits.csv" "$n" median 2>/dev/null || true)
done

# ---- where the time goes: sandbox -v ----------------------------------------
# -v prints each step with the time since the previous step of the same
# process: the scope step is the D-Bus round trip to the user manager
# (and the move into the scope), the cgroup step the leaf layout and the
# limit files, then the teardown's two steps: cgroup.kill and the wait
# for payload/ to empty, and the controllers turned off again and the
# cgroups removed.
echo
echo "== sandbox -v --memory 1G --pids 1000, $V_RUNS runs"
for ((i = 0; i < V_RUNS; i++)); do
	"$SB" -v --memory 1G --pids 1000 -- /bin/true 2>&1 >/dev/null |
		sed -n -e 's/.* \([0-9.][0-9.]*\) ms\] in the transient scope .*/scope \1/p' \
			-e 's/.* \([0-9.][0-9.]*\) ms\] cgroup .* set up$/cgroup \1/p' \
			-e 's/.* \([0-9.][0-9.]*\) ms\] cgroup payload\/ empty$/empty \1/p' \
			-e 's/.* \([0-9.][0-9.]*\) ms\] cgroup .* removed$/removed \1/p'
done >"$OUT/limits-steps.txt"
SCOPE_MS=$(awk '$1 == "scope" { print $2 }' "$OUT/limits-steps.txt" | bench_median || true)
CG_MS=$(awk '$1 == "cgroup" { print $2 }' "$OUT/limits-steps.txt" | bench_median || true)
EMPTY_MS=$(awk '$1 == "empty" { print $2 }' "$OUT/limits-steps.txt" | bench_median || true)
RM_MS=$(awk '$1 == "removed" { print $2 }' "$OUT/limits-steps.txt" | bench_median || true)

# ---- summary ------------------------------------------------------------------
# cost A B: (A - B) in ms, or empty
cost() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b != "") printf "%.3f\n", (a - b) * 1000 }'; }
# verdict VALUE MAX: met, NOT met or -
verdict() { awk -v r="${1:-}" -v t="$2" 'BEGIN { if (r == "" || r == "n/a") print "-";
	else print (r + 0 <= t + 0 ? "met" : "NOT met") }'; }
show_ms() { if [ -n "${1:-}" ]; then bench_ms "$1"; else echo "not measured"; fi; }
LIM_COST=$(cost "${MED[sandbox-limits]:-}" "${MED[sandbox]:-}")
SD_COST=$(cost "${MED[systemd-run]:-}" "${MED[sandbox]:-}")
DELEG_COST=$(cost "${MED[systemd-run-delegated-limits]:-}" "${MED[systemd-run-delegated]:-}")
PM_COST=$(cost "${MED[podman-limits]:-}" "${MED[podman]:-}")
COST_RATIO=$(bench_ratio "$LIM_COST" "$SD_COST")
DELEG_RATIO=$(bench_ratio "$DELEG_COST" "$SD_COST")
{
	echo
	echo "== summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -r), $(nproc) cpus, $(systemd-detect-virt 2>/dev/null || echo unknown))"
	echo "  median start-up time ($RUNS runs, one hyperfine run)"
	for n in sandbox sandbox-limits systemd-run systemd-run-delegated \
		systemd-run-delegated-limits podman podman-limits; do
		printf '    %-29s %s\n' "$n" "$(show_ms "${MED[$n]:-}")"
	done
	[ -z "$PODMAN_NOTE" ] || echo "    (podman $PODMAN_NOTE)"
	echo "  what the limits cost (median minus the bare sandbox's)"
	printf '    %-40s %9s ms\n' "sandbox --memory 1G --pids 1000" "${LIM_COST:-n/a}"
	printf '    %-40s %9s ms\n' "systemd-run --user --scope -p ... sandbox" "${SD_COST:-n/a}"
	printf '    %-40s %9s ms\n' "the same in a delegated scope (no scope asked)" "${DELEG_COST:-n/a}"
	if [ -n "$PM_COST" ]; then
		printf '    %-40s %9s ms\n' "podman --memory --pids-limit" "$PM_COST"
	else
		printf '    %-40s %s\n' "podman --memory --pids-limit" "not measured"
	fi
	echo "  ratios and the targets of issue 15"
	printf '  %-40s %7s ms  target <= 5     %s\n' "limits' cost" "${LIM_COST:-n/a}" \
		"$(verdict "$LIM_COST" 5)"
	printf '  %-40s %7s x   target <= 0.3   %s\n' "limits' cost / systemd-run's" "$COST_RATIO" \
		"$(verdict "$COST_RATIO" 0.3)"
	printf '  %-40s %7s ms  target <= 5     %s\n' "limits' cost, delegated cgroup" \
		"${DELEG_COST:-n/a}" "$(verdict "$DELEG_COST" 5)"
	printf '  %-40s %7s x   target <= 0.3   %s\n' "the same / systemd-run's" "$DELEG_RATIO" \
		"$(verdict "$DELEG_RATIO" 0.3)"
	bench_print_ratio "time limits/bare" "${MED[sandbox-limits]:-}" "${MED[sandbox]:-}"
	bench_print_ratio "time systemd-run/bare" "${MED[systemd-run]:-}" "${MED[sandbox]:-}"
	bench_print_ratio "time limits/systemd-run" "${MED[sandbox-limits]:-}" "${MED[systemd-run]:-}"
	[ -z "${MED[podman]:-}" ] ||
		bench_print_ratio "time podman-limits/podman" "${MED[podman-limits]:-}" "${MED[podman]:-}"
	echo "  sandbox -v, median of $V_RUNS runs"
	printf '    %-40s %s ms\n' "scope from the user manager" "${SCOPE_MS:-n/a (no scope: a delegated cgroup)}"
	printf '    %-40s %s ms\n' "cgroup layout and limit files" "${CG_MS:-n/a}"
	printf '    %-40s %s ms\n' "teardown: payload/ killed and empty" "${EMPTY_MS:-n/a}"
	printf '    %-40s %s ms\n' "teardown: controllers off, cgroups removed" "${RM_MS:-n/a}"
	echo "  results in ${BENCH_OUT_SHOWN:-$OUT}/: limits.{json,md,csv}, limits-steps.txt,"
	echo "    limits-machine.txt, limits-summary.txt"
} | tee "$OUT/limits-summary.txt"

# in the VM: the files, for bench/limits.sh on the host to copy out
if [ -n "${BENCH_IN_VM:-}" ]; then
	for f in limits.csv limits.md limits.json limits-steps.txt limits-machine.txt \
		limits-summary.txt; do
		echo "# bench-file: $f"
		cat -- "$OUT/$f"
		echo "# bench-file-end"
	done
fi
