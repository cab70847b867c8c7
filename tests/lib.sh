#!/bin/bash
# tests/lib.sh - a tiny test framework for bash test suites.
#
#   . tests/lib.sh
#   t "hostname is sandbox by default"     # starts a test
#   run "$SANDBOX" -- hostname              # sets OUT, ERR, RC
#   expect_status 0
#   expect_eq "hostname" sandbox "$OUT"
#   done_testing                            # last line; exit status
#
# Each test prints one line: "ok - NAME", "not ok - NAME" followed by the
# differing values indented by four spaces, or "skip - NAME: REASON".
# done_testing prints "# SUITE: N passed, N failed, N skipped"; a caller
# sums the ok/not ok/skip lines (tests/check.sh does).
#
# A test passes when it made at least one expectation and none failed.
#
#   run CMD...             run CMD (stdin /dev/null, or RUN_STDIN=FILE; in
#                          RUN_CWD=DIR when set; killed after T_TIMEOUT s)
#                          and set OUT, ERR and RC
#   expect_eq/expect_ne WHAT EXPECTED ACTUAL, expect_match/expect_no_match
#   WHAT ERE TEXT, expect_status N [ACTUAL], expect_true/expect_false WHAT
#   CMD..., pass, fail MESSAGE..., skip REASON
#   poll SECONDS CMD...    bounded wait for CMD to succeed (SECONDS is
#                          an overall deadline: use "$T_WAIT", generous,
#                          for anything whose time depends on the machine)
#   track_pid PID          kill PID when the suite exits
#   start_bus TYPE SOCKET VAR  a private dbus-daemon of TYPE (session,
#                          system) listening at SOCKET, with no service
#                          activation and everything allowed; VAR gets its
#                          address once it listens (tracked: killed at exit)
#   private_dirs           a fresh empty TMPDIR and XDG_RUNTIME_DIR for
#                          the next sandbox run (PRIV_ENV: env(1)
#                          assignments); private_left: what is in them
#
# T_TMP is a private directory for this run (under /tmp, owned by the
# user running the tests); it is removed on exit, and every process
# registered with track_pid is killed then (and t_cleanup_hook, when the
# suite defines one, is called).

T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_NAME=
T_STATE=none      # none | running | skipped
T_CHECKS=0
T_ERRORS=()
T_PIDS=()
T_SUITE=${T_SUITE:-${0##*/}}
T_TIMEOUT=${T_TIMEOUT:-120}
T_WAIT=${T_WAIT:-90}
RUN_CWD=
# Set by run(), read by the suites.
# shellcheck disable=SC2034
OUT='' ERR='' RC=0
RUN_CMD=''

T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sandbox-tests.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory" >&2
	exit 2
}
chmod 0700 "$T_TMP"

t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for pid in "${T_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	T_PIDS=()
	# A suite may define t_cleanup_hook for its own resources.
	if declare -F t_cleanup_hook >/dev/null; then
		t_cleanup_hook
	fi
	# Files created inside a sandbox may be read-only; make them removable.
	chmod -R u+rwX "$T_TMP" 2>/dev/null
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# track_pid PID: kill PID (with SIGKILL) when the suite exits.
track_pid() { T_PIDS+=("$1"); }

_t_indent() { sed 's/^/    /'; }

_t_finish() {
	case $T_STATE in
	running)
		if ((${#T_ERRORS[@]} == 0 && T_CHECKS == 0)); then
			T_ERRORS+=("the test made no expectation")
		fi
		if ((${#T_ERRORS[@]})); then
			printf 'not ok - %s\n' "$T_NAME"
			printf '%s\n' "${T_ERRORS[@]}" | _t_indent
			T_FAILED=$((T_FAILED + 1))
		else
			printf 'ok - %s\n' "$T_NAME"
			T_PASSED=$((T_PASSED + 1))
		fi
		;;
	skipped) T_SKIPPED=$((T_SKIPPED + 1)) ;;
	esac
	T_STATE=none
	T_NAME=
	T_CHECKS=0
	T_ERRORS=()
}

# t NAME: end the current test and start a new one.
t() {
	_t_finish
	T_NAME=$1
	T_STATE=running
	RUN_CWD=
	OUT='' ERR='' RC=0 RUN_CMD=''
}

# skip REASON: mark the current test skipped (later expectations ignored).
skip() {
	[[ $T_STATE == running ]] || return 0
	printf 'skip - %s: %s\n' "$T_NAME" "$1"
	T_STATE=skipped
}

_t_active() { [[ $T_STATE == running ]]; }

# Context of the last run, shown under a failure.
_t_context() {
	[[ -n $RUN_CMD ]] || return 0
	printf 'command: %s\n' "$RUN_CMD"
	printf 'status: %s\n' "$RC"
	if [[ -n $ERR ]]; then
		printf 'stderr:\n'
		printf '%s\n' "$ERR" | head -n 20 | _t_indent
	fi
}

# fail MESSAGE...: record a failure of the current test (outside a test,
# report it as a test of its own).
fail() {
	if [[ $T_STATE == none ]]; then
		t "(outside a test)"
	fi
	_t_active || return 0
	T_CHECKS=$((T_CHECKS + 1))
	T_ERRORS+=("$(printf '%s\n' "$@"; _t_context)")
	return 1
}

pass() {
	_t_active || return 0
	T_CHECKS=$((T_CHECKS + 1))
	return 0
}

_t_show() {
	# Multi-line values go on their own lines, indented.
	local label=$1 value=$2
	if [[ $value == *$'\n'* ]]; then
		printf '%s\n' "$label"
		printf '%s\n' "$value" | _t_indent
	else
		printf '%s %s\n' "$label" "$value"
	fi
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	_t_active || return 0
	if [[ $2 == "$3" ]]; then pass; return 0; fi
	fail "$1:" "$(_t_show "  expected:" "$2")" "$(_t_show "  actual:  " "$3")"
}

# expect_ne WHAT UNEXPECTED ACTUAL
expect_ne() {
	_t_active || return 0
	if [[ $2 != "$3" ]]; then pass; return 0; fi
	fail "$1: expected anything but: $2"
}

# expect_match WHAT ERE ACTUAL: some line of ACTUAL matches (grep -E).
expect_match() {
	_t_active || return 0
	if grep -Eq -- "$2" <<<"$3"; then pass; return 0; fi
	fail "$1: no line matches /$2/" "$(_t_show "  actual:" "$3")"
}

# expect_no_match WHAT ERE ACTUAL: no line of ACTUAL matches.
expect_no_match() {
	_t_active || return 0
	if ! grep -Eq -- "$2" <<<"$3"; then pass; return 0; fi
	fail "$1: unexpected match of /$2/" "$(_t_show "  actual:" "$3")"
}

# expect_status EXPECTED [ACTUAL]: ACTUAL defaults to the last run's RC.
expect_status() {
	_t_active || return 0
	local actual=${2-$RC}
	if [[ $1 == "$actual" ]]; then pass; return 0; fi
	fail "exit status: expected $1, got $actual"
}

# expect_true WHAT CMD...: CMD succeeds.
expect_true() {
	_t_active || return 0
	local what=$1
	shift
	if "$@"; then pass; return 0; fi
	fail "$what: failed: $*"
}

# expect_false WHAT CMD...: CMD fails.
expect_false() {
	_t_active || return 0
	local what=$1
	shift
	if ! "$@"; then pass; return 0; fi
	fail "$what: unexpectedly succeeded: $*"
}

# run CMD...: run CMD with stdin from /dev/null (in RUN_CWD when set),
# bounded by T_TIMEOUT seconds; sets OUT and ERR (trailing newlines
# stripped) and RC.
run() {
	RUN_CMD=$(printf '%q ' "$@")
	RUN_CMD=${RUN_CMD% }
	if [[ -n $RUN_CWD ]]; then
		(cd "$RUN_CWD" && exec timeout -k 5 "$T_TIMEOUT" "$@") \
			<"${RUN_STDIN:-/dev/null}" >"$T_TMP/.out" 2>"$T_TMP/.err"
	else
		timeout -k 5 "$T_TIMEOUT" "$@" \
			<"${RUN_STDIN:-/dev/null}" >"$T_TMP/.out" 2>"$T_TMP/.err"
	fi
	RC=$?
	# shellcheck disable=SC2034
	OUT=$(<"$T_TMP/.out")
	ERR=$(<"$T_TMP/.err")
	return 0
}

# poll SECONDS CMD...: run CMD every 0.05 s until it succeeds or SECONDS
# have passed; the status is CMD's last.
poll() {
	local deadline=$((SECONDS + $1))
	shift
	while :; do
		"$@" && return 0
		((SECONDS < deadline)) || { "$@"; return; }
		sleep 0.05
	done
}

# start_bus TYPE SOCKET VAR (see above).  Not in a command substitution:
# the daemon is tracked by this shell.
BUS_N=0
start_bus() {
	local _sb_type=$1 _sb_sock=$2 _sb_addr _sb_conf
	BUS_N=$((BUS_N + 1))
	_sb_conf=$T_TMP/bus-$BUS_N
	cat >"$_sb_conf.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>$_sb_type</type>
  <listen>unix:path=$_sb_sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
	mkfifo "$_sb_conf.addr"
	dbus-daemon --config-file="$_sb_conf.conf" --nofork --nopidfile --print-address=3 \
		3>"$_sb_conf.addr" </dev/null >/dev/null 2>"$_sb_conf.log" &
	track_pid $!
	# the address is printed once the socket listens (or EOF on failure)
	read -r _sb_addr <"$_sb_conf.addr"
	printf -v "$3" %s "$_sb_addr"
	[[ -n $_sb_addr ]]
}

# private_dirs: make PRIV, a fresh directory under T_TMP holding empty
# tmp and run directories, and set PRIV_ENV to the env(1) assignments
# that make them a run's TMPDIR and XDG_RUNTIME_DIR. A leftover check
# then looks there (private_left), not at the host's shared /tmp.
PRIV_N=0
private_dirs() {
	PRIV_N=$((PRIV_N + 1))
	PRIV=$T_TMP/p$PRIV_N
	mkdir -m 0700 "$PRIV" "$PRIV/tmp" "$PRIV/run" || return
	# shellcheck disable=SC2034 # read by the suites
	PRIV_ENV=(TMPDIR="$PRIV/tmp" XDG_RUNTIME_DIR="$PRIV/run")
}

# private_left: the entries left in PRIV's tmp and run, one a line.
private_left() {
	(cd "$PRIV" && find tmp run -mindepth 1 -maxdepth 1 | sort)
}

# done_testing: end the last test, print the totals, exit 1 on failure.
done_testing() {
	_t_finish
	printf '# %s: %d passed, %d failed, %d skipped\n' \
		"$T_SUITE" "$T_PASSED" "$T_FAILED" "$T_SKIPPED"
	((T_FAILED == 0))
	exit
}
