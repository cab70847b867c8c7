#!/bin/bash
# tests/dbus-tests.sh - --dbus-user, --dbus-system and --app-id (issue 16)
# against real buses: private dbus-daemons with no service activation,
# peers made with dbus-test-tool echo, and xdg-dbus-proxy as the filter.
#
#   SANDBOX=/abs/path/sandbox bash tests/dbus-tests.sh
#
# Every bus is this run's own: the session bus listens at
# $XDG_RUNTIME_DIR/bus under $T_TMP (so the proxy's private directory is
# made there too, and a leftover shows), the system bus beside it.  The
# commands inside are the host's (dbus-send), through the host view.
# Needs dbus-daemon (dbus-daemon), dbus-send and dbus-monitor (dbus-bin),
# dbus-test-tool (dbus-tests), xdg-dbus-proxy and python3 (for
# tests/dbus-signal-peer.py); tests/setup-host.sh installs them.
#
# Payload scripts are single-quoted on purpose (they expand inside):
# shellcheck disable=SC2016,SC2317 # and functions called through poll/expect_true

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SUITE=${T_SUITE:-dbus-tests($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-$HERE/../sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}
ME=$(id -u)

# quiet CMD...: CMD, its output dropped
quiet() { "$@" >/dev/null 2>&1; }

t "dbus-daemon, dbus-send, dbus-monitor, dbus-test-tool, xdg-dbus-proxy and python3 are installed"
for tool in dbus-daemon dbus-send dbus-monitor dbus-test-tool xdg-dbus-proxy python3; do
	expect_true "$tool (tests/setup-host.sh)" quiet command -v "$tool"
done
((T_FAILED == 0)) || done_testing

W=$T_TMP/w
RT=$W/run
export HOME=$W/home XDG_RUNTIME_DIR=$RT
mkdir -p "$HOME" "$RT" "$W/out"
chmod 0700 "$RT"
unset DBUS_SESSION_BUS_ADDRESS DBUS_SYSTEM_BUS_ADDRESS

# owned ADDRESS NAME: NAME has an owner on the bus at ADDRESS
owned() {
	dbus-send --bus="$1" --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner "string:$2" 2>/dev/null | grep -q 'boolean true'
}

# peer ADDRESS NAME: an echo service owning NAME on the bus at ADDRESS
peer() {
	DBUS_SESSION_BUS_ADDRESS=$1 dbus-test-tool echo --name="$2" >/dev/null 2>&1 &
	track_pid $!
	poll "$T_WAIT" owned "$1" "$2"
}

t "private session and system buses, with echo peers (the test's own check)"
if start_bus session "$RT/bus" SESSION && start_bus system "$W/system-bus" SYSTEM; then
	pass
else
	fail "dbus-daemon did not start:" "$(cat "$W"/*.log)"
	done_testing
fi
export DBUS_SESSION_BUS_ADDRESS=$SESSION
for name in org.example.Allowed org.examplefoo.Peer org.other.Denied org.seen.Peer; do
	expect_true "$name answers on the host" peer "$SESSION" "$name"
done
expect_true "org.example.Sys answers on the system bus" peer "$SYSTEM" org.example.Sys

# The probe inside: for each NAME, "NAME ok" when a call to it returns,
# else "NAME ERROR-NAME".
PROBE='bus=$1; shift; for n; do
  if r=$(dbus-send --$bus --print-reply --dest="$n" /x org.example.Test.Ping 2>&1); then echo "$n ok"
  else r=${r#Error }; echo "$n ${r%%:*}"; fi
done'
# probe OPTION... -- BUS NAME...: the probe in a sandbox with OPTIONs
probe() {
	local opts=()
	while [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	run "$SANDBOX" "${opts[@]}" -- sh -c "$PROBE" sh "$@"
}

# The proxies of this run: any process whose command line names $RT
proxies() { pgrep -f -- "^[^ ]*xdg-dbus-proxy .*$RT/" ; }
# A proxy's directory left in the runtime dir
left() { (cd "$RT" && find . -mindepth 1 -maxdepth 1 -name 'sandbox-dbus-*' | sort); }
# nothing_left WHAT: no proxy of ours and no directory left
nothing_left() {
	expect_eq "$1: no xdg-dbus-proxy left" "" "$(proxies)"
	expect_eq "$1: no directory left in \$XDG_RUNTIME_DIR" "" "$(left)"
}

t "--dbus-talk: that name answers, another is unknown (ServiceUnknown)"
probe --dbus-talk org.example.Allowed -- session org.example.Allowed org.other.Denied
expect_status 0
expect_eq "calls" "org.example.Allowed ok
org.other.Denied org.freedesktop.DBus.Error.ServiceUnknown" "$OUT"
nothing_left "after a normal exit"

t "--dbus-see: the name is visible, a call to it is AccessDenied"
run "$SANDBOX" --dbus-see org.seen.Peer -- sh -c "$PROBE"'
for n in org.seen.Peer org.other.Denied; do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:$n | grep -o "boolean.*"
done' sh session org.seen.Peer
expect_status 0
expect_eq "call, then NameHasOwner of the seen and of another name" \
	"org.seen.Peer org.freedesktop.DBus.Error.AccessDenied
boolean true
boolean false" "$OUT"

t "--dbus-talk org.example.*: a prefix of whole elements (not org.examplefoo)"
probe --dbus-talk 'org.example.*' -- session org.example.Allowed org.examplefoo.Peer
expect_eq "calls" "org.example.Allowed ok
org.examplefoo.Peer org.freedesktop.DBus.Error.ServiceUnknown" "$OUT"

# The payload's requests for names, one reply a line
REQUEST='for n; do dbus-send --session --print-reply --dest=org.freedesktop.DBus \
  /org/freedesktop/DBus org.freedesktop.DBus.RequestName string:$n uint32:4 2>&1 |
  sed -n "s/^ *uint32 /$n reply /p; s/^Error \([^:]*\).*/$n \1/p"; done'

t "--dbus-own: the command owns that name, and no other"
run "$SANDBOX" --dbus-own org.mine.App -- sh -c "$REQUEST" sh org.mine.App org.other.Name
expect_status 0
expect_match "org.mine.App: primary owner (1)" '^org\.mine\.App reply 1$' "$OUT"
expect_match "org.other.Name refused" '^org\.other\.Name org\.freedesktop\.DBus\.Error\.[A-Za-z]+$' "$OUT"
expect_no_match "org.other.Name not granted" '^org\.other\.Name reply' "$OUT"

t "--app-id ID: ID.* and org.mpris.MediaPlayer2.ID.* may be owned"
run "$SANDBOX" --dbus-user --app-id org.sbtest.App -- sh -c "$REQUEST" sh \
	org.sbtest.App org.sbtest.App.Helper org.mpris.MediaPlayer2.org.sbtest.App.i1 org.sbtest.Other
expect_status 0
expect_eq "requests" "org.sbtest.App reply 1
org.sbtest.App.Helper reply 1
org.mpris.MediaPlayer2.org.sbtest.App.i1 reply 1" "$(grep reply <<<"$OUT")"
expect_match "another refused" '^org\.sbtest\.Other org\.freedesktop\.DBus\.Error' "$OUT"

t "--dbus-call NAME=RULE: only the calls RULE names"
run "$SANDBOX" --dbus-call 'org.example.Allowed=org.example.Test.Ping@/x' -- sh -c '
dbus-send --session --print-reply --dest=org.example.Allowed /x org.example.Test.Ping >/dev/null && echo ping-x ok
dbus-send --session --print-reply --dest=org.example.Allowed /y org.example.Test.Ping 2>&1 | grep -o "^Error [^:]*"
dbus-send --session --print-reply --dest=org.example.Allowed /x org.example.Test.Other 2>&1 | grep -o "^Error [^:]*"'
expect_eq "allowed, other path, other method" "ping-x ok
Error org.freedesktop.DBus.Error.AccessDenied
Error org.freedesktop.DBus.Error.AccessDenied" "$OUT"

# A peer owning org.example.Sig that broadcasts Other, then Ping, again
# and again; the listener inside prints what it hears until the second
# Ping (an Other that passes shows between the two).
mkfifo "$W/sig.ready"
python3 "$HERE/dbus-signal-peer.py" "$SESSION" org.example.Sig /org/example/obj org.example.Sig \
	Other Ping >"$W/sig.ready" 2>"$W/sig.log" &
track_pid $!
read -r SIG_READY <"$W/sig.ready"
LISTEN='dbus-monitor --session "type=signal,interface=org.example.Sig" 2>/dev/null |
  awk "/interface=org.example.Sig; member=/ { sub(/.*member=/, \"\"); print; if (\$0 == \"Ping\" && ++n == 2) exit }"'

t "--dbus-broadcast NAME=RULE: only the signals RULE names"
expect_eq "the signal peer (tests/dbus-signal-peer.py) owns its name" ready "$SIG_READY"
run "$SANDBOX" --dbus-broadcast 'org.example.Sig=org.example.Sig.Ping@/org/example/*' -- sh -c "$LISTEN"
expect_status 0
expect_eq "signals heard" "Ping
Ping" "$OUT"
run "$SANDBOX" --dbus-talk org.example.Sig -- sh -c "$LISTEN"
expect_match "with --dbus-talk, the other signal too" '^Other$' "$OUT"

t "--dbus-user: the bus at /run/user/UID/bus, in a 0700 runtime dir of the command's"
run "$SANDBOX" --dbus-user -- sh -c 'echo "$DBUS_SESSION_BUS_ADDRESS [$DBUS_SYSTEM_BUS_ADDRESS] $XDG_RUNTIME_DIR"; stat -c "%a %u" "$XDG_RUNTIME_DIR"; test -S "$XDG_RUNTIME_DIR/bus" && echo socket'
expect_status 0
expect_eq "address, runtime dir" "unix:path=/run/user/$ME/bus [] /run/user/$ME
700 $ME
socket" "$OUT"

t "--dbus-user found through \$XDG_RUNTIME_DIR/bus when DBUS_SESSION_BUS_ADDRESS is unset"
run env -u DBUS_SESSION_BUS_ADDRESS "$SANDBOX" --dbus-talk org.example.Allowed -- sh -c "$PROBE" sh session org.example.Allowed
expect_eq "call" "org.example.Allowed ok" "$OUT"
ODD="$W/odd dir,=;%x"
ln -s "$RT" "$ODD"
run env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$ODD" "$SANDBOX" --dbus-talk org.example.Allowed -- sh -c "$PROBE" sh session org.example.Allowed
expect_eq "call, with a runtime dir whose name an address must escape" "org.example.Allowed ok" "$OUT"

t "without --dbus-user: no bus, even with DBUS_SESSION_BUS_ADDRESS leaked in"
run "$SANDBOX" -- sh -c 'echo "[$DBUS_SESSION_BUS_ADDRESS][$DBUS_SYSTEM_BUS_ADDRESS]"'
expect_eq "both variables unset" "[][]" "$OUT"
run "$SANDBOX" --setenv DBUS_SESSION_BUS_ADDRESS "$SESSION" -- sh -c "$PROBE" sh session org.example.Allowed
expect_no_match "the call fails" ' ok$' "$OUT"
run "$SANDBOX" -- sh -c 'ls -A /run/user 2>/dev/null; test -e "$1" || echo no-socket' sh "$RT/bus"
expect_eq "no runtime dir, and the bus's socket is not there" "no-socket" "$OUT"
nothing_left "without the options"

t "--dbus-system-talk: the system bus at /run/dbus/system_bus_socket, filtered"
run env DBUS_SYSTEM_BUS_ADDRESS="$SYSTEM" "$SANDBOX" --dbus-system-talk org.example.Sys -- sh -c 'echo "$DBUS_SYSTEM_BUS_ADDRESS [$DBUS_SESSION_BUS_ADDRESS]"'"; $PROBE" sh system org.example.Sys org.example.Other
expect_status 0
expect_eq "address, calls" "unix:path=/run/dbus/system_bus_socket []
org.example.Sys ok
org.example.Other org.freedesktop.DBus.Error.ServiceUnknown" "$OUT"
nothing_left "after the system bus"

t "both buses, through one proxy"
run env DBUS_SYSTEM_BUS_ADDRESS="$SYSTEM" "$SANDBOX" --dbus-talk org.example.Allowed \
	--dbus-system-talk org.example.Sys -- sh -c "$PROBE"'; set -- system org.example.Sys; '"$PROBE" \
	sh session org.example.Allowed
expect_eq "calls" "org.example.Allowed ok
org.example.Sys ok" "$OUT"
nothing_left "after both"

t "--dbus-user=host: the bus itself, unfiltered, with a warning that it is an escape"
probe --dbus-user=host -- session org.other.Denied
expect_status 0
expect_eq "any name answers" "org.other.Denied ok" "$OUT"
expect_match "warning" '^sandbox: warning: --dbus-user=host: .*escape' "$ERR"
expect_eq "no proxy for it" "" "$(left)"

t "--dbus-user=host with a bus that is not a unix:path= socket: 125"
run env DBUS_SESSION_BUS_ADDRESS=unix:abstract=/sbtest/none "$SANDBOX" --dbus-user=host -- true
expect_status 125
expect_match "message" '^sandbox: --dbus-user=host: the bus.s address unix:abstract=/sbtest/none is not a unix:path= socket' "$ERR"

t "no session bus: 125, saying so"
mkdir -p "$W/empty-run"
run env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$W/empty-run" "$SANDBOX" --dbus-user -- true
expect_status 125
expect_match "message" "^sandbox: --dbus-user: no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set and there is no socket at $W/empty-run/bus" "$ERR"
run env DBUS_SESSION_BUS_ADDRESS="unix:path=$W/none" "$SANDBOX" --dbus-talk a.b -- true
expect_status 125
expect_match "message naming the address" "^sandbox: --dbus-user: no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS=unix:path=$W/none, and $W/none is not a socket" "$ERR"
run env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$W/none" "$SANDBOX" --dbus-system -- true
expect_status 125
expect_match "the system bus" "^sandbox: --dbus-system: no D-Bus system bus" "$ERR"
nothing_left "after a missing bus"

t "no xdg-dbus-proxy: 125, naming the Debian package"
mkdir -p "$W/bin"
ln -sf "$(command -v true)" "$W/bin/true"
run env PATH="$W/bin" "$SANDBOX" --dbus-user -- /bin/true
expect_status 125
expect_match "message" '^sandbox: --dbus-user: xdg-dbus-proxy is not installed \(Debian: apt-get install xdg-dbus-proxy\)' "$ERR"
nothing_left "without the proxy"

t "a runtime dir too long for a socket's path: the proxy's directory goes to \$TMPDIR"
LONG=$W/$(printf 'l%.0s' {1..90})
mkdir -m 0700 "$LONG" "$W/tmp"
run env XDG_RUNTIME_DIR="$LONG" TMPDIR="$W/tmp" "$SANDBOX" --dbus-talk org.example.Allowed -- sh -c "$PROBE" sh session org.example.Allowed
expect_status 0
expect_eq "call" "org.example.Allowed ok" "$OUT"
expect_eq "nothing left in the long runtime dir, nor in \$TMPDIR" "" "$(find "$LONG" "$W/tmp" -mindepth 1)"

t "--uid other than yours: a warning that clients naming their uid are refused"
OTHER=$((ME == 0 ? 1 : 0))
run "$SANDBOX" --uid "$OTHER" --dbus-user -- true
expect_status 0
expect_match "warning" "^sandbox: warning: --dbus-user: the bus knows the command as your uid $ME, and a client that says it is uid $OTHER .* is refused" "$ERR"
run "$SANDBOX" --dbus-user -- true
expect_eq "none with your own" "" "$ERR"

t "bad names and contradictions: 125, naming the option"
run "$SANDBOX" --dbus-talk org -- true
expect_status 125
expect_match "one element" '^sandbox: --dbus-talk org: not a D-Bus name' "$ERR"
run "$SANDBOX" --dbus-system-own '1org.x' -- true
expect_match "a digit first" '^sandbox: --dbus-system-own 1org.x: not a D-Bus name' "$ERR"
run "$SANDBOX" --dbus-call org.example.Allowed -- true
expect_match "no rule" '^sandbox: --dbus-call org.example.Allowed: expected NAME=RULE' "$ERR"
run "$SANDBOX" --app-id 'org.example.bad name' -- true
expect_status 125
expect_match "--app-id" '^sandbox: --app-id org.example.bad name: not a D-Bus name' "$ERR"
run "$SANDBOX" --dbus-user=host --dbus-talk org.example.Allowed -- true
expect_status 125
expect_match "host and a rule" '^sandbox: --dbus-talk needs the filter, and --dbus-user=host has none' "$ERR"
run "$SANDBOX" --dbus-system-see org.a.b --dbus-system=none -- true
expect_match "a rule, then none" '^sandbox: --dbus-system-see needs the filter, and --dbus-system=none has none' "$ERR"
run "$SANDBOX" --dbus-user=maybe -- true
expect_match "a mode" '^sandbox: (Unknown option --dbus-user=maybe|--dbus-user=maybe: expected none)' "$ERR"

t "a setup error after the proxy started: 125, the proxy and its directory gone"
run "$SANDBOX" --dbus-user --bind "$W/no-such-dir" /mnt -- true
expect_status 125
expect_match "the bind's error" 'no-such-dir' "$ERR"
nothing_left "after a setup error"

t "kill -9 of sandbox: the proxy ends and its directory goes"
rm -f "$W/out/ready"
"$SANDBOX" --dbus-talk org.example.Allowed --bind "$W/out" /tmp/out -- sh -c \
	'dbus-send --session --print-reply --dest=org.example.Allowed /x org.example.Test.Ping >/dev/null && echo ok >/tmp/out/ready; exec sleep 1000' \
	>/dev/null 2>&1 &
SB=$!
track_pid $SB
ready() { [[ -s $W/out/ready ]]; }
expect_true "the payload called through the proxy" poll "$T_WAIT" ready
expect_ne "a proxy runs meanwhile" "" "$(proxies)"
expect_eq "its directory is private (mode, entries)" "700
session" "$(stat -c %a "$RT"/sandbox-dbus-*; ls "$RT"/sandbox-dbus-*)"
{ kill -KILL "$SB" && wait "$SB"; } 2>/dev/null # (no "Killed" notice)
gone() { [[ -z $(proxies) && -z $(left) ]]; }
expect_true "no proxy and no directory left" poll "$T_WAIT" gone
nothing_left "after kill -9"

t "--stop of a named sandbox: it returns with the proxy and its directory gone"
rm -f "$W/out/ready"
"$SANDBOX" --name dbus-stop --dbus-talk org.example.Allowed --bind "$W/out" /tmp/out -- sh -c \
	'dbus-send --session --print-reply --dest=org.example.Allowed /x org.example.Test.Ping >/dev/null && echo ok >/tmp/out/ready; exec sleep 1000' \
	>/dev/null 2>&1 &
SB=$!
track_pid $SB
expect_true "the payload called through the proxy" poll "$T_WAIT" ready
expect_ne "a proxy runs meanwhile" "" "$(proxies)"
run "$SANDBOX" --stop dbus-stop
expect_status 0
expect_eq "no proxy once --stop returns" "" "$(proxies)"
wait "$SB" 2>/dev/null
expect_true "no directory left" poll "$T_WAIT" gone
nothing_left "after --stop"

done_testing
