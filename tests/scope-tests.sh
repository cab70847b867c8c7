#!/bin/bash
# tests/scope-tests.sh - the cgroup v2 limits through a transient systemd
# scope (issue 15): from a cgroup that is not ours, sandbox asks the
# user's systemd over the user bus for "sandbox-PID.scope" with
# Delegate=yes and runs the payload there; the limits hold (OOM kill,
# fork storm, cpu.max), a controller the user manager does not delegate
# is an error naming it and the fix, no scope is left behind, and when
# there is no user manager, bus or libsystemd the error says so.
#
#   SANDBOX=/abs/path/sandbox bash tests/scope-tests.sh
#
# Needs cgroup v2 alone at /sys/fs/cgroup, this shell in a cgroup that is
# not delegated to the user (a system service's, as here, or a login
# session's), and the user's systemd with its user bus at
# $XDG_RUNTIME_DIR/bus.  The VM harness boots exactly that with the
# host's systemd as pid 1 (VM_GROUPS=systemd:scope tests/vm/check-vm.sh:
# the suite runs from system.slice/vm-tests.service, beside a lingering
# user@1000.service); anywhere else the limit tests are skipped with the
# reason, and the error tests run where cgroup v2 is unified.
#
# Payload scripts are single-quoted on purpose (they expand inside):
# shellcheck disable=SC2016

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SUITE=${T_SUITE:-scope-tests($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-$HERE/../sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}

t "no limit option: libsystemd is not loaded"
run env LD_DEBUG=files "$SANDBOX" -- true
expect_status 0
expect_no_match "libsystemd in LD_DEBUG=files" 'libsystemd' "$ERR"

if [[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) != cgroup2fs ]]; then
	t "cgroup v2 limits through a systemd scope"
	skip "cgroup v2 is not the only hierarchy at /sys/fs/cgroup (VM_GROUPS=systemd:scope tests/vm/check-vm.sh runs this suite)"
	done_testing
fi
self=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)

# why the scope path cannot be exercised here, or nothing
why_not=
if [[ -w $self && -w $self/cgroup.procs && -w $self/cgroup.subtree_control ]]; then
	why_not="this shell's cgroup $self is delegated to $(id -un): sandbox would use a cgroup below it, not a scope"
elif [[ -z ${XDG_RUNTIME_DIR:-} || ! -S $XDG_RUNTIME_DIR/bus ]]; then
	why_not="no user bus at \$XDG_RUNTIME_DIR/bus (${XDG_RUNTIME_DIR:-unset}): no systemd user manager"
elif ! command -v systemctl >/dev/null; then
	why_not="no systemctl"
fi

# the scopes of ours that the user manager still has
scopes() {
	systemctl --user list-units --all --plain --no-legend 'sandbox-*' 2>&1
}
# shellcheck disable=SC2317 # called through poll
no_scope() { [[ -z $(scopes) ]]; }

# the error tests, where no scope can be had: each a 125 naming what was
# tried and what fixes it, and nothing left behind
t "no user bus (DBUS_SESSION_BUS_ADDRESS pointing nowhere): 125 naming the address and the fix"
run env DBUS_SESSION_BUS_ADDRESS="unix:path=$T_TMP/nobus" XDG_RUNTIME_DIR= \
	"$SANDBOX" --memory 64M -- true
if [[ -w $self && -w $self/cgroup.procs && -w $self/cgroup.subtree_control && $RC == 0 ]]; then
	skip "this shell's cgroup is ours: no scope is asked for"
else
	expect_status 125
	expect_match "what was tried" "no delegated scope could be had from your systemd instead: cannot connect to the user bus unix:path=$T_TMP/nobus \\(from \\\$DBUS_SESSION_BUS_ADDRESS\\): (No such file or directory|Connection refused)" "$ERR"
	expect_match "why the cgroup would not do" '^sandbox: --memory: your cgroup /sys/fs/cgroup/.* (is not delegated to you|holds [0-9]+ other process)' "$ERR"
	expect_match "the fix" "user@$(id -u)\\.service\\) runs while you are logged in through PAM.*loginctl enable-linger $(id -un).*systemd-run --user --scope -p Delegate=yes" "$ERR"
	expect_eq "one line" 1 "$(wc -l <<<"$ERR")"
fi

t "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR: 125 saying so"
run env -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR "$SANDBOX" --pids 20 -- true
if [[ -w $self && -w $self/cgroup.procs && $RC == 0 ]]; then
	skip "this shell's cgroup is ours: no scope is asked for"
else
	expect_status 125
	expect_match "message" '^sandbox: --pids: .*no delegated scope could be had from your systemd instead: neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set.*loginctl enable-linger' "$ERR"
fi

t "a bus without systemd on it: 125 with the bus's own error name"
if ! command -v dbus-daemon >/dev/null; then
	skip "no dbus-daemon"
elif [[ -w $self && -w $self/cgroup.procs ]]; then
	skip "this shell's cgroup is ours: no scope is asked for"
else
	dbus-daemon --session --nofork --nopidfile --address="unix:path=$T_TMP/bus" \
		>/dev/null 2>&1 </dev/null &
	track_pid $!
	poll "$T_WAIT" test -S "$T_TMP/bus"
	run env DBUS_SESSION_BUS_ADDRESS="unix:path=$T_TMP/bus" "$SANDBOX" --memory 64M -- true
	expect_status 125
	# ServiceUnknown, or Spawn.ChildExited where the bus tries to activate it
	expect_match "the bus's error" 'Subscribe to the user manager failed: org\.freedesktop\.DBus\.Error\.[A-Za-z.]+: ' "$ERR"
fi

t "libsystemd that does not load: 125 naming it and the package"
mkdir -p "$T_TMP/badlib"
echo 'not a library' >"$T_TMP/badlib/libsystemd.so.0"
run env LD_LIBRARY_PATH="$T_TMP/badlib" "$SANDBOX" --memory 64M -- true
if [[ -w $self && -w $self/cgroup.procs && $RC == 0 ]]; then
	skip "this shell's cgroup is ours: no scope is asked for"
else
	expect_status 125
	expect_match "message" "no delegated scope could be had from your systemd instead: cannot load libsystemd\\.so\\.0 \\($T_TMP/badlib/libsystemd\\.so\\.0: .*\\).*libsystemd0" "$ERR"
	expect_no_match "no user-manager advice for a missing library" 'enable-linger' "$ERR"
fi

if [[ -n $why_not ]]; then
	t "cgroup v2 limits through a systemd scope"
	skip "$why_not (VM_GROUPS=systemd:scope tests/vm/check-vm.sh runs this suite)"
	done_testing
fi

t "the payload runs in sandbox-PID.scope of the user's systemd"
run "$SANDBOX" --memory 64M --share-cgroup -- cat /proc/self/cgroup
expect_status 0
expect_match "its cgroup" "^0::/user\\.slice/user-$(id -u)\\.slice/user@$(id -u)\\.service/app\\.slice/sandbox-[0-9]+\\.scope/sandbox-[0-9]+/payload/inner\$" "$OUT"
expect_no_match "no warning" 'warning' "$ERR"
expect_true "the scope goes away by itself" poll "$T_WAIT" no_scope

t "with a limit from a cgroup not ours, libsystemd is loaded (LD_DEBUG sees it)"
run env LD_DEBUG=files "$SANDBOX" --pids 50 -- true
expect_status 0
expect_match "libsystemd in LD_DEBUG=files" 'file=libsystemd\.so\.0 .*dynamically loaded by' "$ERR"

# shellcheck source=tests/limit-checks.sh
. "$HERE/limit-checks.sh"
limit_after() { :; } # the scope's leftovers are checked at the end
limit_checks run

# what the user manager delegates (Debian 12's user@.service: cpu memory
# pids), seen from a scope of its own
delegated=$(systemd-run --user --scope -q -p Delegate=yes -- \
	sh -c 'cat /sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)/cgroup.controllers' 2>/dev/null)
for c in io cpuset; do
	case $c in io) o="--io-weight 50" ;; cpuset) o="--cpuset 0" ;; esac
	t "${o% *} in a scope without the $c controller: 125 naming it and the drop-in"
	if [[ -z $delegated ]]; then
		skip "systemd-run --user --scope did not say what a scope gets"
	elif grep -qw "$c" <<<"$delegated"; then
		skip "the user manager delegates $c here ($delegated)"
	else
		# shellcheck disable=SC2086 # the option and its value
		run "$SANDBOX" $o -- true
		expect_status 125
		expect_match "message" "^sandbox: ${o% *} needs the $c controller, which is not delegated to your cgroup /sys/fs/cgroup/user\\.slice/.*/sandbox-[0-9]+\\.scope \\(it has: [a-z ]+\\); .*drop-in for user@\\.service: \\[Service\\] Delegate=" "$ERR"
	fi
done

t "--stats in a scope: memory.peak and OOM kills"
run "$SANDBOX" --memory 64M --stats -- true
expect_status 0
expect_match "peak memory" '^sandbox: stats: peak memory [0-9.]+ [KMG]iB \(memory\.peak, limit 64 MiB\)$' "$ERR"
expect_match "OOM kills" '^sandbox: stats: OOM kills 0$' "$ERR"

t "two sandboxes at once: a scope each"
run sh -c '"$1" --memory 64M --share-cgroup -- sh -c "cat /proc/self/cgroup; sleep 1" &
	"$1" --memory 64M --share-cgroup -- sh -c "cat /proc/self/cgroup; sleep 1"; wait' sh "$SANDBOX"
expect_status 0
expect_eq "two different scopes" 2 "$(grep -o 'sandbox-[0-9]*\.scope' <<<"$OUT" | sort -u | wc -l)"

t "under systemd-run --user --scope -p Delegate=yes alone: that scope, no new one"
run systemd-run --user --scope -q -p Delegate=yes -- \
	"$SANDBOX" --memory 64M --share-cgroup -- cat /proc/self/cgroup
expect_status 0
expect_match "its cgroup" '^0::/user\.slice/.*/app\.slice/run-[^/]+\.scope/sandbox-[0-9]+/payload/inner$' "$OUT"

t "under a delegated scope shared with a shell: a scope of its own beside it"
run systemd-run --user --scope -q -p Delegate=yes -- \
	sh -c '"$1" --memory 64M --share-cgroup -- cat /proc/self/cgroup; exit $?' sh "$SANDBOX"
expect_status 0
expect_match "its cgroup" '^0::/user\.slice/.*/app\.slice/sandbox-[0-9]+\.scope/sandbox-[0-9]+/payload/inner$' "$OUT"

t "after every run: no sandbox-*.scope left in the user manager"
expect_true "none (systemctl --user list-units 'sandbox-*')" poll "$T_WAIT" no_scope
expect_eq "left" "" "$(scopes)"
expect_eq "no scope directory left" "" \
	"$(find /sys/fs/cgroup/user.slice -maxdepth 5 -type d -name 'sandbox-*.scope' 2>/dev/null)"

done_testing
