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

alive() { kill -0 "$1" 2>/dev/null; }
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
	expect_false "pasta ($helper) is gone" alive "${helper:-999999}"
	expect_false "the sandbox's process is gone" alive "$N"
else
	skip "pasta is not installed"
fi

t "--stop with a fuse-overlayfs root: the helper is gone when it returns"
if [[ -n ${ROOTFS:-} && -d ${ROOTFS:-} ]] && command -v fuse-overlayfs >/dev/null && [[ -w /dev/fuse ]]; then
	bg fused --rootfs "$ROOTFS" --overlay-driver fuse -- sleep 60
	F=$BG
	started fused
	# descendants of the sandbox process, by name
	descendants() {
		local p
		for p in $(ps -o pid= --ppid "$1"); do
			echo "$p $(ps -o comm= -p "$p")"
			descendants "$p"
		done
	}
	helper=$(descendants "$F" | awk '$2 == "fuse-overlayfs" { print $1 }')
	expect_ne "fuse-overlayfs runs under it" "" "$helper"
	run "$SANDBOX" --stop fused
	expect_status 0
	expect_false "fuse-overlayfs ($helper) is gone" alive "${helper:-999999}"
	expect_false "the sandbox's process is gone" alive "$F"
else
	skip "no busybox rootfs (ROOTFS), fuse-overlayfs or usable /dev/fuse"
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
for _ in 1 2 3; do
	(for _ in $(seq 200); do "$SANDBOX" --list >/dev/null 2>&1; done) &
	track_pid $!
done
unlisted=0
for i in $(seq 30); do
	"$SANDBOX" --name "race-$i" -- sleep 600 >"$T_TMP/race-$i.out" 2>&1 &
	track_pid $!
	poll "$T_WAIT" is_listed "race-$i" || unlisted=$((unlisted + 1))
done
expect_eq "sandboxes never listed" 0 "$unlisted"
for i in $(seq 30); do "$SANDBOX" --stop "race-$i" --grace 1 & done
wait
expect_eq "warnings" "" "$(grep -v '^sandbox: .*--stop' "$T_TMP"/race-*.out)"

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

t "--enter: the command's processes, /tmp, hostname, uid, filter and capabilities"
bg box --hostname boxed -- sh -c 'echo payload >/tmp/mark
	grep -E "^(Uid|Gid|CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status >/tmp/payload
	echo ready; exec sleep 60'
B=$BG
boxready() { grep -qsx ready "$T_TMP/box.out"; }
expect_true "the command runs" poll "$T_WAIT" boxready
run "$SANDBOX" --enter box -- sh -c 'cat /tmp/mark; hostname; id -u; cat /proc/1/comm
	echo "parent $PPID"
	for p in /proc/[0-9]*; do cat "$p/comm"; done | grep -cx sleep
	grep -E "^(Uid|Gid|CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status |
		diff /tmp/payload - && echo same-confinement'
expect_status 0
expect_eq "what it sees" "payload
boxed
$(id -u)
sandbox
parent 1
1
same-confinement" "$OUT"
expect_eq "stderr" "" "$ERR"

t "--list --json: the sandbox's namespaces, which --enter joins"
run "$SANDBOX" --list --json
ids=$(python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["name"] == "box":
        print(" ".join(str(e["namespaces"][n]) for n in ("cgroup", "ipc", "mnt", "net", "pid", "uts")))' <<<"$OUT")
run "$SANDBOX" --enter box -- sh -c 'for n in cgroup ipc mnt net pid uts; do stat -L -c %i /proc/self/ns/$n; done | tr "\n" " "'
expect_eq "the same inodes" "$ids " "$OUT"
expect_ne "not empty" "" "$ids"

t "--enter: exit status, stdin and stdout, --chdir, --setenv, --unsetenv"
run "$SANDBOX" --enter box -- sh -c 'exit 7'
expect_status 7
RUN_STDIN=<(printf 'line one\nline two\n') run "$SANDBOX" --enter box -- sh -c 'cat; echo "[$HOME]"'
expect_eq "stdin to stdout" "line one
line two
[$HOME]" "$OUT"
run "$SANDBOX" --enter box --chdir /tmp --setenv FOO 'a b' --unsetenv HOME -- sh -c 'pwd; echo "$FOO"; echo "[${HOME-unset}]"'
expect_eq "directory and environment" "/tmp
a b
[unset]" "$OUT"
run "$SANDBOX" --enter box -- sh -c 'kill -TERM $$'
expect_status 143

t "--enter: a command that cannot run, a bad --chdir"
run "$SANDBOX" --enter box -- /no/such/command
expect_status 127
expect_match "message" '^sandbox: /no/such/command: No such file or directory' "$ERR"
run "$SANDBOX" --enter box --chdir /no/such/dir -- true
expect_status 125
expect_match "message" '^sandbox: --chdir /no/such/dir: No such file or directory' "$ERR"

t "--enter refuses what would widen the sandbox: 125, naming the option"
for opt in "--cap-add CAP_SYS_ADMIN" "--seccomp-policy none" "--net host" "--rw /" "--share-pid"; do
	# shellcheck disable=SC2086 # the option and its argument
	run "$SANDBOX" --enter box $opt -- true
	expect_status 125
	expect_match "$opt" "^sandbox: --enter box: ${opt%% *} cannot be given" "$ERR"
done
run "$SANDBOX" --enter box
expect_status 125
expect_match "no command" '^sandbox: --enter box: no command given' "$ERR"

t "--enter of an unknown name: 125 and a message"
run "$SANDBOX" --enter nosuch -- true
expect_status 125
expect_match "message" '^sandbox: --enter nosuch: no sandbox of that name is running' "$ERR"

t "--enter: signals to sandbox reach the entered command; killing sandbox kills it"
"$SANDBOX" --enter box -- sh -c 'trap "echo got-TERM; exit 3" TERM; echo waiting; while :; do sleep 1; done' \
	>"$T_TMP/sig.out" 2>&1 &
E=$!
track_pid "$E"
waiting() { grep -qsx waiting "$T_TMP/sig.out"; }
expect_true "entered" poll "$T_WAIT" waiting
kill -TERM "$E"
wait "$E"
expect_eq "its status" 3 "$?"
expect_eq "its output" "waiting
got-TERM" "$(cat "$T_TMP/sig.out")"
"$SANDBOX" --enter box -- sh -c 'echo $$ >/tmp/victim; exec sleep 60' >/dev/null 2>&1 &
E=$!
track_pid "$E"
victim() { "$SANDBOX" --enter box -- test -s /tmp/victim; }
expect_true "entered again" poll "$T_WAIT" victim
kill -9 "$E"
wait "$E" 2>/dev/null
gone_inside() { "$SANDBOX" --enter box -- sh -c '! kill -0 $(cat /tmp/victim) 2>/dev/null'; }
expect_true "the entered command died with its sandbox process" poll "$T_WAIT" gone_inside

t "--enter: a process inside another sandbox is refused at the socket"
# the caller's own check would stop our client first: talk to the socket
# directly, from a sandbox that is given the state directory
run "$SANDBOX" --ro-bind "$STATE" /tmp/st -- python3 -c '
import socket, struct
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/tmp/st/box/enter")
m = s.recv(4096)
t, e, c = struct.unpack("iii", m[:12])
print(t, c, m[12:].split(b"\0")[0].decode())'
expect_status 0
expect_eq "the gate's answer" "2 125 a process inside a sandbox may not enter another one" "$OUT"

t "--enter of another user's sandbox: 125 and a message"
if ((EUID == 0)) && id sbtest >/dev/null 2>&1; then
	ort=$T_TMP/other-run
	mkdir -m 0700 "$ort" && chown sbtest: "$ort" && chmod 0711 "$T_TMP"
	runuser -u sbtest -- env XDG_RUNTIME_DIR="$ort" "$SANDBOX" --name theirs -- sleep 60 \
		>/dev/null 2>&1 &
	O=$!
	track_pid "$O"
	theirs() { [[ -S $ort/sandbox/theirs/enter ]]; }
	expect_true "sbtest's sandbox runs" poll "$T_WAIT" theirs
	# their runtime dir is not ours: the state is looked for in our own
	XDG_RUNTIME_DIR=$ort run "$SANDBOX" --enter theirs -- id
	expect_status 125
	expect_match "not found through their runtime dir" \
		'^sandbox: --enter theirs: no sandbox of that name is running' "$ERR"
	run "$SANDBOX" --enter theirs -- id
	expect_status 125
	expect_match "unknown here" '^sandbox: --enter theirs: no sandbox of that name is running' "$ERR"
	kill "$O"
	wait "$O" 2>/dev/null
	chmod 0700 "$T_TMP"
else
	skip "needs root and the test user sbtest"
fi

t "--enter a sandbox that ended meanwhile: 137 and a message"
"$SANDBOX" --enter box -- sleep 60 >"$T_TMP/late.out" 2>&1 &
E=$!
track_pid "$E"
entered_sleep() { [[ $("$SANDBOX" --enter box -- sh -c 'for p in /proc/[0-9]*; do cat "$p/comm"; done' | grep -cx sleep) == 2 ]]; }
expect_true "entered" poll "$T_WAIT" entered_sleep
run "$SANDBOX" --stop box
expect_status 0
wait "$E"
expect_eq "its status" 137 "$?"
expect_match "message" 'sandbox: --enter box: the sandbox ended while the command ran' "$(cat "$T_TMP/late.out")"
wait "$B"

t "--enter: a sandbox run with --share-pid or --as-pid-1 cannot be entered"
bg shared --share-pid -- sleep 60
started shared
run "$SANDBOX" --enter shared -- true
expect_status 125
expect_match "message" '^sandbox: --enter shared: it cannot be entered' "$ERR"
run "$SANDBOX" --stop shared

t "under the name bwrap: no state"
ln -s "$SANDBOX" "$T_TMP/bwrap"
run "$T_TMP/bwrap" --dev-bind / / -- sh -c 'ls -A "$XDG_RUNTIME_DIR"'
expect_status 0
expect_eq "nothing in the runtime dir" "" "$OUT"

done_testing
