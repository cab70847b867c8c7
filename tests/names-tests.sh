#!/bin/bash
# tests/names-tests.sh - named sandboxes (issue 17): --name, --list
# [--json], --stop NAME [--grace], the state under $XDG_RUNTIME_DIR, and
# its cleaning after kill -9.
#
#   SANDBOX=/abs/path/sandbox bash tests/names-tests.sh
#
# Every sandbox here runs with a private XDG_RUNTIME_DIR under $T_TMP, so
# --list sees only this run's sandboxes.
#
# Payload scripts are single-quoted on purpose (they expand inside):
# shellcheck disable=SC2016,SC2317 # and functions called through poll/expect_true

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SUITE=${T_SUITE:-names-tests($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-$HERE/../sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}
export XDG_RUNTIME_DIR=$T_TMP/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"
STATE=$XDG_RUNTIME_DIR/sandbox

listed() { "$SANDBOX" --list | awk 'NR > 1 { print $1 }' | sort; }
is_listed() { listed | grep -qx -- "$1"; }
# started NAME: poll until NAME is listed; else fail with its output
started() {
	poll "$T_WAIT" is_listed "$1" && { pass; return; }
	fail "$1 is not listed; its output:" "$(sed 's/^/    /' "$T_TMP/$1.out" 2>/dev/null)"
}
# bg NAME CMD...: a named sandbox in the background; its pid in BG
bg() {
	local name=$1
	shift
	"$SANDBOX" --name "$name" "$@" >"$T_TMP/$name.out" 2>&1 &
	BG=$!
	track_pid "$BG"
}

t "--name: listed while it runs, with its pid, command and root"
bg web -- sleep 60
W=$BG
started web
run "$SANDBOX" --list
expect_status 0
expect_match "header" '^NAME +PID +UPTIME +COMMAND +ROOT$' "$OUT"
expect_match "its line" "^web +$W +[0-9]+s +sleep 60  /\$" "$OUT"
expect_true "state directory is 0700" test "$(stat -c %a "$STATE/web")" = 700

t "--list --json: one object per sandbox"
run "$SANDBOX" --list --json
expect_status 0
expect_eq "parsed" "web $W sleep,60 /" "$(python3 -c '
import json, sys
for e in json.load(sys.stdin):
    print(e["name"], e["pid"], ",".join(e["command"]), e["root"])' <<<"$OUT")"

t "a second sandbox with a running name is refused, nothing changed"
run "$SANDBOX" --name web -- true
expect_status 125
expect_match "message" '^sandbox: --name web: a sandbox of that name is running' "$ERR"
expect_true "the first still listed" is_listed web

t "--stop: SIGTERM, the command's status 143, the state gone"
run "$SANDBOX" --stop web
expect_status 0
wait "$W"
expect_eq "the stopped sandbox's status" 143 "$?"
expect_false "no longer listed" is_listed web
expect_false "its state directory is gone" test -e "$STATE/web"

t "--stop --grace: a command that ignores SIGTERM is killed after the grace period"
bg stubborn -- sh -c 'trap "" TERM; echo ready; sleep 60'
S=$BG
ready() { grep -qx ready "$T_TMP/stubborn.out"; }
expect_true "listed, its trap set" poll "$T_WAIT" ready
start=$(date +%s%N)
run "$SANDBOX" --stop stubborn --grace 500ms
expect_status 0
took=$((($(date +%s%N) - start) / 1000000))
expect_true "took at least the grace period (${took} ms)" test "$took" -ge 500
wait "$S"
expect_eq "status" 137 "$?"

t "--stop with --net pasta: the helper is gone when it returns"
if command -v pasta >/dev/null; then
	bg netted --net pasta -- sleep 60
	N=$BG
	started netted
	# pasta's process name is passt, or passt.avx2 and the like
	helper=$(ps -o pid=,comm= --ppid "$N" | awk '$2 ~ /^pas/ { print $1 }')
	expect_ne "pasta runs under it" "" "$helper"
	run "$SANDBOX" --stop netted
	expect_status 0
	expect_false "pasta ($helper) is gone" kill -0 "${helper:-999999}"
	expect_false "the sandbox's process is gone" kill -0 "$N"
else
	skip "pasta is not installed"
fi

t "the state of a sandbox killed with -9 is cleaned by the next --list"
bg killed -- sleep 60
K=$BG
started killed
kill -9 "$K"
wait "$K" 2>/dev/null
# its pid 1 dies with it (PR_SET_PDEATHSIG): then the lock is free
gone() { ! is_listed killed; }
expect_true "not listed" poll "$T_WAIT" gone
expect_false "its state directory is gone" test -e "$STATE/killed"
run "$SANDBOX" --name killed -- true
expect_status 0

t "--stop of an unknown name: 125 and a message"
run "$SANDBOX" --stop nosuch
expect_status 125
expect_match "message" '^sandbox: --stop nosuch: no sandbox of that name is running' "$ERR"

t "bad uses: 125, naming the option"
run "$SANDBOX" --name '../x' -- true
expect_status 125
expect_match "--name checked" '^sandbox: --name \.\./x: expected' "$ERR"
run "$SANDBOX" --list extra
expect_status 125
expect_match "--list takes no command" '^sandbox: --list takes no command' "$ERR"
run "$SANDBOX" --json -- true
expect_status 125
run "$SANDBOX" --grace 5 -- true
expect_status 125

t "unnamed sandboxes get COMMAND-PID"
"$SANDBOX" -- sleep 60 &
U=$!
track_pid "$U"
expect_true "listed as sleep-$U" poll "$T_WAIT" is_listed "sleep-$U"
kill -TERM "$U"
wait "$U"

t "--list running all the while never removes a sandbox that is taking its name"
# (a lister that found a new directory before its lock was taken used to
# think it dead and remove it: the sandbox then ran unlisted)
for k in 1 2 3; do
	(for _ in $(seq 200); do "$SANDBOX" --list >/dev/null 2>&1; done) &
	track_pid $!
done
unlisted=0
for i in $(seq 30); do
	"$SANDBOX" --name "race-$i" -- sleep 2 >"$T_TMP/race-$i.out" 2>&1 &
	track_pid $!
	poll 10 is_listed "race-$i" || unlisted=$((unlisted + 1))
done
expect_eq "sandboxes never listed" 0 "$unlisted"
expect_eq "warnings" "" "$(cat "$T_TMP"/race-*.out)"
wait

t "50 named sandboxes at once: all listed, all stopped, nothing left"
pids=()
for i in $(seq 50); do
	"$SANDBOX" --name "many-$i" -- sleep 120 >/dev/null 2>&1 &
	pids+=($!)
	track_pid $!
done
fifty() { [[ $(listed | grep -c '^many-') == 50 ]]; }
expect_true "50 listed" poll "$T_WAIT" fifty
for i in $(seq 50); do
	"$SANDBOX" --stop "many-$i" &
done
wait "${pids[@]}" 2>/dev/null
wait
expect_eq "none listed" "" "$(listed)"
expect_eq "the runtime dir is empty" "" "$(ls -A "$XDG_RUNTIME_DIR")"

t "under the name bwrap: no state"
ln -s "$SANDBOX" "$T_TMP/bwrap"
run "$T_TMP/bwrap" --dev-bind / / -- sh -c 'ls -A "$XDG_RUNTIME_DIR"'
expect_status 0
expect_eq "nothing in the runtime dir" "" "$OUT"

done_testing
