#!/bin/bash
# tests/cgroup-tests.sh - the cgroup v2 limits for real (issue 15): memory
# with the OOM killer, pids against a fork storm, cpu.max throttling,
# io.weight, the payload unable to lift its limits (io.max of brd's ram
# disk included, where the kernel has brd), the errors for a controller that is
# not delegated and for a cgroup shared with other processes, and no
# cgroup left behind.
#
#   SANDBOX=/abs/path/sandbox bash tests/cgroup-tests.sh
#
# Needs what a user has under systemd's user@.service: cgroup v2 alone at
# /sys/fs/cgroup, and this shell in a cgroup whose parent is delegated to
# the user (writable, with controllers enabled for its children).  Each
# sandbox is started from a fresh sibling cgroup holding nothing else, as
# `systemd-run --user --scope -p Delegate=yes` would give it.  The VM
# harness (tests/vm/init.sh) sets up exactly that on Debian's 6.1 and 6.12
# kernels; on a host without it (this CI host's hybrid layout, or v1) the
# whole suite is one skip naming what is missing.  The errors on such a
# host are tested in tests/integration.sh.
#
# Payload scripts are single-quoted on purpose (they expand inside):
# shellcheck disable=SC2016

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SUITE=${T_SUITE:-cgroup-tests($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-$HERE/../sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}

# the delegated parent of this shell's cgroup, or why there is none
why_not=
if [[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) != cgroup2fs ]]; then
	why_not="cgroup v2 is not the only hierarchy at /sys/fs/cgroup (hybrid or v1 host)"
else
	self=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
	BASE=${self%/*}
	if [[ ! -w $BASE || ! -w $BASE/cgroup.procs ]]; then
		why_not="the parent of this shell's cgroup ($BASE) is not delegated to $(id -un)"
	elif ! grep -qw memory "$BASE/cgroup.subtree_control" ||
		! grep -qw pids "$BASE/cgroup.subtree_control" ||
		! grep -qw cpu "$BASE/cgroup.subtree_control"; then
		why_not="$BASE does not give its children the cpu, memory and pids controllers"
	fi
fi
if [[ -n $why_not ]]; then
	t "cgroup v2 limits, for real"
	skip "$why_not (tests/vm runs this suite on stock kernels)"
	done_testing
fi

N=0
# run_in_cg CMD...: run (lib.sh) CMD in a fresh cgroup of its own below
# BASE (a sibling of this shell's), as a delegated scope would be; the
# cgroup is removed afterwards
run_in_cg() {
	N=$((N + 1))
	local cg=$BASE/test-$$-$N
	mkdir "$cg" || { fail "mkdir $cg"; return; }
	run sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" "$@"
	rmdir "$cg" 2>/dev/null
}

leftovers() {
	find "$BASE" -mindepth 1 -maxdepth 3 -type d -name 'sandbox-*' 2>/dev/null
}

# shellcheck source=tests/limit-checks.sh
. "$HERE/limit-checks.sh"
limit_after() { expect_eq "nothing left in $BASE" "" "$(leftovers)"; }
limit_checks run_in_cg

t "--pids 20: the stats report peak pids at most 20"
run_in_cg "$SANDBOX" --pids 20 --stats -- sh -c 'sleep 1 & sleep 1 & wait'
expect_status 0
peak=$(sed -n 's/^sandbox: stats: peak pids \([0-9]*\)$/\1/p' <<<"$ERR")
if [[ -n $peak ]]; then
	expect_true "peak pids $peak is 3 to 20" test "$peak" -ge 3 -a "$peak" -le 20
else
	expect_match "stats name pids.peak (6.1 has none: then absent)" 'peak memory' "$ERR"
fi

t "the payload sees its own cgroup at /sys/fs/cgroup"
run_in_cg "$SANDBOX" --memory 64M -- sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/cgroup.controllers'
expect_status 0
expect_match "its cgroup namespace's root" '^0::/$' "$OUT"
expect_match "memory controller below" 'memory' "$OUT"

# the payload's cgroup below CG while a sandbox runs there (the limits'
# cgroup is its parent), or nothing
payload_cg() {
	local d
	for d in "$1"/sandbox-*/payload/inner; do
		# (cgroupfs files have no size: read them)
		[[ -n $(cat "$d/cgroup.procs" 2>/dev/null) ]] && { echo "${d%/inner}"; return 0; }
	done
	return 1
}

t "--io-weight 50: io.weight is 'default 50' in the limits' cgroup, out of the payload's reach"
if ! grep -qw io "$BASE/cgroup.subtree_control"; then
	skip "$BASE does not give its children the io controller"
else
	N=$((N + 1))
	cg=$BASE/test-$$-$N
	mkdir "$cg" && mkfifo "$T_TMP/io-go"
	# the payload holds until the fifo's writer closes: its limits are read meanwhile
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
		"$SANDBOX" --io-weight 50 -- sh -c \
		'cat /sys/fs/cgroup/io.weight; echo 1000 | tee /sys/fs/cgroup/io.weight >/dev/null || echo refused
		 echo waiting; read -r x || :' \
		<"$T_TMP/io-go" >"$T_TMP/io.out" 2>"$T_TMP/io.err" &
	bg=$!
	track_pid "$bg"
	exec 7>"$T_TMP/io-go"
	# once the payload has tried to write its weight (or has ended)
	poll "$T_WAIT" sh -c 'grep -q waiting "$1" || ! kill -0 "$2" 2>/dev/null' sh "$T_TMP/io.out" "$bg"
	if grep -q waiting "$T_TMP/io.out" && payload_cg "$cg" >/dev/null; then
		p=$(payload_cg "$cg")
		expect_eq "io.weight of ${p#"$BASE"/}" "default 50" "$(<"$p/io.weight")"
	else
		fail "no payload waiting below $cg ($T_WAIT s at most): $(<"$T_TMP/io.err")"
	fi
	exec 7>&-
	wait "$bg"
	expect_status 0 $?
	# inside, /sys/fs/cgroup is payload/inner: the io controller, its default weight
	expect_match "its own cgroup (inner) inside" '^default 100' "$(<"$T_TMP/io.out")"
	expect_match "the payload cannot write its io.weight (nsdelegate)" 'refused' "$(<"$T_TMP/io.out")"
	expect_match "with EPERM" 'io\.weight: (Operation not permitted|Permission denied)' "$(<"$T_TMP/io.err")"
	rmdir "$cg" 2>/dev/null
	expect_eq "nothing left in $BASE" "" "$(leftovers)"
fi

t "io.max of brd's ram disk: the delegated parent sets it, the payload cannot"
if [[ ! -r /sys/block/ram0/dev ]]; then
	skip "no ram disk /sys/block/ram0 (the kernel has no brd module, or it is not loaded)"
elif ! grep -qw io "$BASE/cgroup.subtree_control"; then
	skip "$BASE does not give its children the io controller"
else
	dev=$(</sys/block/ram0/dev)
	N=$((N + 1))
	cg=$BASE/test-$$-$N
	mkdir "$cg"
	expect_true "the parent writes $dev wbps=1048576 to $cg/io.max" \
		sh -c 'echo "$1 wbps=1048576" >"$2/io.max"' sh "$dev" "$cg"
	expect_match "and reads it back" "^$dev rbps=max wbps=1048576 riops=max wiops=max" "$(<"$cg/io.max")"
	run sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
		"$SANDBOX" --io-weight 50 -- sh -c \
		'cat /sys/fs/cgroup/io.max; echo "$1 wbps=max" | tee /sys/fs/cgroup/io.max >/dev/null && echo lifted' \
		sh "$dev"
	expect_ne "the payload's write fails" 0 "$RC"
	expect_match "refused" 'io\.max: (Operation not permitted|Permission denied)' "$ERR"
	expect_no_match "not lifted" 'lifted' "$OUT"
	expect_match "the limit stands" "^$dev rbps=max wbps=1048576 " "$(<"$cg/io.max")"
	rmdir "$cg" 2>/dev/null
	expect_eq "nothing left in $BASE" "" "$(leftovers)"
fi

t "--cpuset without a delegated cpuset controller: 125 naming it and the fix"
if grep -qw cpuset "$BASE/cgroup.subtree_control"; then
	skip "$BASE delegates cpuset here"
else
	run_in_cg "$SANDBOX" --cpuset 0 -- true
	expect_status 125
	expect_match "message" '^sandbox: --cpuset needs the cpuset controller, which is not delegated to your cgroup .*Delegate=' "$ERR"
	expect_eq "nothing left in $BASE" "" "$(leftovers)"
fi

t "a cgroup shared with other processes: 125 saying so"
run "$SANDBOX" --memory 64M -- true
expect_status 125
expect_match "message" 'holds [0-9]+ other process.*systemd-run --user --scope -p Delegate=yes' "$ERR"
# no user manager in this VM: sandbox asked for a scope, and says why none came
expect_match "the scope tried" 'no delegated scope could be had from your systemd instead: neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set.*loginctl enable-linger' "$ERR"

t "--stats with a cgroup: memory.peak, OOM kills, in the usage line too"
run_in_cg "$SANDBOX" --memory 64M --stats --json-status-fd 3 -- true 3>"$T_TMP/status.json"
expect_status 0
expect_match "peak memory from memory.peak" '^sandbox: stats: peak memory [0-9.]+ [KMG]iB \(memory\.peak, limit 64 MiB\)$' "$ERR"
expect_match "OOM kills" '^sandbox: stats: OOM kills 0$' "$ERR"
expect_match "usage line" '"peak-memory-source": "memory.peak"' "$(<"$T_TMP/status.json")"

t "--memory with a helper started before the limits (the D-Bus proxy): it follows into the supervisor cgroup"
if command -v dbus-daemon >/dev/null && command -v xdg-dbus-proxy >/dev/null; then
	addr=
	start_bus session "$T_TMP/bus" addr
	mkdir -m 0700 "$T_TMP/rt"
	XDG_RUNTIME_DIR=$T_TMP/rt DBUS_SESSION_BUS_ADDRESS=$addr \
		run_in_cg "$SANDBOX" --memory 64M --dbus-user -- sh -c 'test -S "$XDG_RUNTIME_DIR/bus" && echo bus'
	expect_status 0
	expect_eq "the filtered bus inside" bus "$OUT"
	expect_eq "nothing left in $BASE" "" "$(leftovers)"
else
	skip "dbus-daemon or xdg-dbus-proxy is not installed"
fi

t "after every run: no sandbox-* cgroup anywhere below $BASE"
expect_eq "leftovers" "" "$(leftovers)"

done_testing
