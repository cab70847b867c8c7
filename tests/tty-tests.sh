#!/bin/bash
# tests/tty-tests.sh - the terminal relay (--tty, issue 17), driven
# through real terminals: a tmux server of this run's own, whose pane
# runs bash, into which the tests type (send-keys) and whose screen they
# read (capture-pane).
#
#   SANDBOX=/abs/path/sandbox bash tests/tty-tests.sh
#
# Every wait is on what the screen shows, bounded by T_WAIT.
#
# Payload scripts are single-quoted on purpose (they expand inside):
# shellcheck disable=SC2016,SC2317 # and functions called through poll/expect_true

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SUITE=${T_SUITE:-tty-tests($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-$HERE/../sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}
export XDG_RUNTIME_DIR=$T_TMP/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"

if ! command -v tmux >/dev/null; then
	t "the terminal relay"
	skip "tmux is not installed (tests/setup-host.sh installs it)"
	done_testing
fi

TM=(tmux -S "$T_TMP/tmux.0" -f /dev/null)
PANE_N=0
t_cleanup_hook() { "${TM[@]}" kill-server 2>/dev/null; }

# pane: a fresh session of 80x24 running bash with the prompt "outer$ ",
# on a server of its own (the last one's may still be going away)
pane() {
	"${TM[@]}" kill-server 2>/dev/null
	PANE_N=$((PANE_N + 1))
	TM=(tmux -S "$T_TMP/tmux.$PANE_N" -f /dev/null)
	"${TM[@]}" new-session -d -x 80 -y 24 \
		"env -i PATH='$PATH' HOME='$HOME' TERM=xterm LC_ALL=C XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' \
		PS1='outer\$ ' bash --norc --noprofile"
	poll "$T_WAIT" shows '^outer\$ '
}
screen() { "${TM[@]}" capture-pane -p -J 2>/dev/null; }
shows() { screen | grep -Eq -- "$1"; }
keys() { "${TM[@]}" send-keys "$@"; }
# type_line LINE: LINE, then Enter
type_line() { keys -l "$1" && keys Enter; }
# see WHAT ERE: the screen comes to show ERE, else fail with the screen
see() {
	if poll "$T_WAIT" shows "$2"; then
		pass
	else
		fail "$1: the screen never showed /$2/; it shows:" "$(screen | sed '/^$/d; s/^/    /')"
	fi
}
# same_stty NAME: the modes saved in before.NAME and after.NAME agree
same_stty() {
	expect_true "stty -g written after" poll "$T_WAIT" test -s "$T_TMP/after.$1"
	expect_eq "stty -g before and after" "$(cat "$T_TMP/before.$1")" "$(cat "$T_TMP/after.$1")"
}
listed() { "$SANDBOX" --list | awk -v n="$1" '$1 == n { found = 1 } END { exit !found }'; }

IN="env PS1='in\$ ' bash --norc --noprofile"

t "an interactive shell gets a terminal of the sandbox's own: tty prints /dev/pts/N"
pane
type_line "stty -g >$T_TMP/before.shell; $SANDBOX -- $IN"
see "the inner prompt" '^in\$ '
type_line 'tty; echo "[$(ls /dev/pts | tr "\n" " ")]"'
see "tty" '^/dev/pts/0$'
see "the sandbox's devpts holds that pty alone" '^\[0 ptmx \]$'

# running CMD: a process whose command line is exactly CMD runs (the
# host sees the sandbox's processes): keys sent now reach it, not the shell
running() { pgrep -u "$(id -u)" -xf -- "$1" >/dev/null; }

t "Ctrl-C interrupts sleep and returns to the prompt"
type_line 'sleep 100'
expect_true "sleep runs" poll "$T_WAIT" running "sleep 100"
keys C-c
type_line 'echo "mark-$((40+1))"'
see "the prompt is back" '^mark-41$'

t "Ctrl-Z stops a job inside, fg brings it back"
type_line 'sleep 101'
expect_true "sleep runs" poll "$T_WAIT" running "sleep 101"
keys C-z
see "stopped" 'Stopped +sleep 101'
type_line 'fg'
see "back in the foreground" '^sleep 101$'
keys C-c
type_line 'echo "mark-$((40+2))"'
see "the prompt is back" '^mark-42$'

t "stty size follows the window's size"
type_line 'stty size'
see "80x24" '^24 80$'
"${TM[@]}" resize-window -x 100 -y 30
# the new size travels: tmux, SIGWINCH to sandbox, the pty; ask until it
# has arrived (each answer is on the screen)
resized() { type_line 'stty size' && poll 2 shows '^30 100$'; }
expect_true "100x30" poll "$T_WAIT" resized

t "the user's terminal modes are as they were after the sandbox exits"
type_line 'exit'
see "the outer prompt" '^outer\$ $'
type_line "stty -g >$T_TMP/after.shell"
same_stty shell

t "vi edits a file through the relay"
mkdir "$T_TMP/edit"
pane
type_line "$SANDBOX --rw $T_TMP/edit -- vi -u NONE $T_TMP/edit/file"
see "vi's empty buffer" '^~ *$'
keys -l 'ihello from vi'
keys Escape
keys -l ':wq'
keys Enter
see "the outer prompt" '^outer\$ $'
expect_eq "the file" "hello from vi" "$(cat "$T_TMP/edit/file" 2>&1)"

# terminal_back SIGNAL: the user's terminal restored when sandbox is
# ended by SIGNAL while its command runs
terminal_back() {
	local sig=$1 pid
	pane
	type_line "stty -g >$T_TMP/before.$sig; $SANDBOX --name tt-$sig -- sleep 1000; stty -g >$T_TMP/after.$sig"
	expect_true "listed" poll "$T_WAIT" listed "tt-$sig"
	pid=$("$SANDBOX" --list | awk -v n="tt-$sig" '$1 == n { print $2 }')
	kill "-$sig" "$pid"
	same_stty "$sig"
}
t "the user's terminal is restored when sandbox gets SIGTERM"
terminal_back TERM
t "the user's terminal is restored when sandbox gets SIGHUP"
terminal_back HUP

t "the user's terminal is restored when the setup fails"
pane
type_line "stty -g >$T_TMP/before.err; $SANDBOX --chdir /no/such -- true; stty -g >$T_TMP/after.err"
same_stty err
see "the error" 'sandbox: --chdir /no/such'

# TIOCSTI pushes a line into the input of the terminal the caller holds.
# Without the relay that is the user's terminal, and the line runs in
# the user's shell once the sandbox ends: the marker is computed by the
# shell that runs it, so only running it shows the number.
INJECT="import fcntl, termios
for c in 'echo INJECTED-\$((6*7))\\n': fcntl.ioctl(0, termios.TIOCSTI, c.encode())"
t "TIOCSTI from inside, with --seccomp-policy none, reaches only the sandbox's pty"
pane
type_line "$SANDBOX --seccomp-policy none -- python3 -c \"$INJECT\"; echo done-1"
see "the sandbox ended" '^done-1$'
type_line 'echo "mark-$((40+3))"'
see "the outer shell goes on" '^mark-43$'
expect_false "the injected line did not run in the user's shell" shows '^INJECTED-42$'

t "the same without the relay (--tty never) reaches the user's shell: the test above can fail"
if [[ $(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1) == 0 ]]; then
	skip "this kernel refuses TIOCSTI to everyone (dev.tty.legacy_tiocsti = 0)"
else
	pane
	type_line "$SANDBOX --tty never --seccomp-policy none -- python3 -c \"$INJECT\"; echo done-2"
	see "the injected line ran in the user's shell" '^INJECTED-42$'
fi

t "--enter gets the same relay"
"$SANDBOX" --name ttybox -- sleep 1000 >/dev/null 2>&1 &
B=$!
track_pid "$B"
expect_true "listed" poll "$T_WAIT" listed ttybox
pane
type_line "stty -g >$T_TMP/before.enter; $SANDBOX --enter ttybox -- env PS1='en\$ ' bash --norc --noprofile"
see "the entered shell's prompt" '^en\$ '
type_line 'tty; stty size; echo "[$(for p in /proc/[0-9]*; do cat $p/comm; done | grep -c sleep)]"'
see "its own pty" '^/dev/pts/[0-9]+$'
see "the window's size" '^24 80$'
see "the sandbox's sleep" '^\[1\]$'
keys C-d
see "the outer prompt" '^outer\$ $'
type_line "stty -g >$T_TMP/after.enter"
same_stty enter
"$SANDBOX" --stop ttybox >/dev/null
wait "$B" 2>/dev/null

t "a pipe on stdout keeps the terminal as it is (auto), bytes exact"
pane
type_line "$SANDBOX -- sh -c 'test -t 0 && echo in-is-tty; test -t 1 || echo out-is-not' | cat"
see "stdin is still the user's terminal" '^in-is-tty$'
see "stdout is the pipe" '^out-is-not$'
"$SANDBOX" -- printf 'a\nb\001' >"$T_TMP/auto.out" 2>&1 </dev/null
expect_eq "auto, no terminal: exact" "$(printf 'a\nb\001' | od -c)" "$(od -c <"$T_TMP/auto.out")"
"$SANDBOX" --tty always -- printf 'a\nb' >"$T_TMP/always.out" 2>&1 </dev/null
expect_eq "always: through a pty, which writes \\r\\n" "$(printf 'a\r\nb' | od -c)" "$(od -c <"$T_TMP/always.out")"
run "$SANDBOX" --tty maybe -- true
expect_status 125
expect_match "a bad --tty" '^sandbox: --tty maybe: expected auto, always or never' "$ERR"

t "under the name bwrap there is no relay"
ln -s "$SANDBOX" "$T_TMP/bwrap"
pane
type_line "echo \"[\$(tty)]\"; $T_TMP/bwrap --dev-bind / / -- sh -c 'echo \"[\$(readlink /proc/self/fd/0)]\"'"
# the command's fd 0 is the user's terminal: the same line twice
same_twice() { screen | grep -E '^\[/dev/pts/[0-9]+\]$' | sort | uniq -d | grep -q .; }
expect_true "bwrap's command holds the user's terminal" poll "$T_WAIT" same_twice

done_testing
