#!/bin/bash
# tests/profile-tests.sh - profiles (--profile, --profile-show,
# --list-profiles), the shipped profiles in profiles/, --share and
# --desktop, on real runs.
#
#   SANDBOX=/abs/path/sandbox bash tests/profile-tests.sh
#
# HOME is a directory of this run (under $T_TMP), with its own
# ~/.config/sandbox/profiles and user-dirs.dirs, so nothing of the user's
# is read or changed.
#
# Payload scripts are single-quoted on purpose (they expand inside), and
# so is a "~" that sandbox is to expand; RUN_CWD is read by tests/lib.sh:
# shellcheck disable=SC2016,SC2088,SC2034

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
T_SUITE=${T_SUITE:-profile-tests($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-$REPO/sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}
export HOME=$T_TMP/home
unset XDG_CONFIG_HOME
export XDG_RUNTIME_DIR=$T_TMP/run
mkdir -p "$HOME/.config/sandbox/profiles" && chmod -R go-w "$HOME"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
PROFILES=$HOME/.config/sandbox/profiles
SHIPPED=$T_TMP/shipped
# the shipped profiles, as a checkout with any umask would give them
cp -r "$REPO/profiles" "$SHIPPED" && chmod -R go-w "$SHIPPED"

# put FILE TEXT: write a profile (mode 0644)
put() {
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" >"$1"
	chmod 0644 "$1"
}

# ---------------------------------------------------------------- format

t "--profile-show: each shipped profile parses, with its expansion"
RUN_CWD=$T_TMP
for p in gui browser pdf-viewer image-viewer cli-tool; do
	run "$SANDBOX" --profile-show "$SHIPPED/$p.profile"
	expect_status 0
	expect_eq "stderr of $p" "" "$ERR"
	case $p in
	browser) want="--wayland
--fallback-x11
--desktop
--gpu
--home tmpfs
--dbus-user=filter
--net pasta
--pulseaudio
--home persist:$HOME/.local/share/sandbox-browser
--share xdg-download:create
--allow-userns
--dbus-talk org.freedesktop.Notifications
--dbus-own 'org.mpris.MediaPlayer2.*'" ;;
	cli-tool) want="--home tmpfs
--share $T_TMP:rw" ;;
	*) want="--wayland
--fallback-x11
--desktop
--gpu
--home tmpfs
--dbus-user=filter" ;;
	esac
	expect_eq "$p" "$want" "$OUT"
done
RUN_CWD=

t "--profile-show: quoting, includes, ignore, macros, .local"
put "$PROFILES/demo.profile" '# a demo
setenv GREETING "hello, \"world\""   # a comment after
include demo.d/common.inc
ignore hostname
hostname dropped
--setenv WHO ${UID}:${HOME}'
put "$PROFILES/demo.d/common.inc" 'hostname kept
include-try absent.inc
tmpfs /scratch'
put "$PROFILES/demo.local" 'setenv LOCAL yes'
run "$SANDBOX" --profile-show demo
expect_status 0
expect_eq "expansion" "--setenv GREETING 'hello, \"world\"'
--hostname kept
--tmpfs /scratch
--setenv WHO $(id -u):$HOME
--setenv LOCAL yes" "$OUT"

t "--list-profiles: the names, with their directory"
run "$SANDBOX" --list-profiles
expect_status 0
expect_match "demo" "^demo +$PROFILES\$" "$OUT"
expect_no_match "no .local or .inc" 'common|\.local' "$OUT"

# ---------------------------------------------------------------- errors

# bad NAME TEXT WANT: a profile NAME.profile with TEXT is refused, exit
# 125, with WANT in the message
bad() {
	put "$PROFILES/$1.profile" "$2"
	run "$SANDBOX" --profile "$1" -- true
	expect_status 125
	expect_match "message" "$3" "$ERR"
	expect_eq "output" "" "$OUT"
}

t "errors name file:line and exit 125"
bad unknown $'hostname a\nno-such-option' "^sandbox: $PROFILES/unknown.profile:2: unknown option --no-such-option\$"
bad fdopt $'\n\nkeep-fd 0' 'fdopt\.profile:3: --keep-fd is not allowed in a profile \(it takes a file descriptor\)'
bad nested 'profile demo' 'nested\.profile:1: --profile is not allowed in a profile'
bad mode 'list' 'mode\.profile:1: --list is not allowed in a profile'
bad arity 'hostname a b' 'arity\.profile:1: --hostname: wrong number of arguments \(2\)'
bad macro 'setenv A ${PATH}' 'macro\.profile:1: unknown macro \$\{PATH\}'
bad quote 'setenv A "open' 'quote\.profile:1: a double quote is not closed'
bad handler $'# 1\nhome bogus' "handler\\.profile:2: --home: 'bogus' is not"
bad missing 'include nothere.inc' 'missing\.profile:1: .*nothere\.inc: No such file'
run "$SANDBOX" --profile no-such -- true
expect_status 125
expect_match "a missing profile" "no no-such\\.profile in $PROFILES, /etc/sandbox/profiles or " "$ERR"

t "an include cycle and too deep includes are refused"
put "$PROFILES/cyc.profile" 'include cyc2.inc'
put "$PROFILES/cyc2.inc" $'hostname x\ninclude cyc.profile'
run "$SANDBOX" --profile cyc -- true
expect_status 125
expect_match "cycle" 'cyc2\.inc:2: include .*cyc\.profile: an include cycle' "$ERR"
for i in 1 2 3 4 5 6 7 8 9; do put "$PROFILES/deep$i.inc" "include deep$((i + 1)).inc"; done
put "$PROFILES/deep10.inc" 'hostname x'
put "$PROFILES/deep.profile" 'include deep1.inc'
run "$SANDBOX" --profile deep -- true
expect_status 125
# deep.profile is the first of the 8 files, deep7.inc the eighth
expect_match "depth" 'deep7\.inc:1: include .*deep8\.inc: includes nested more than 8 deep' "$ERR"

t "a profile writable by its group or others, or a link, is refused"
put "$PROFILES/gw.profile" 'hostname x'
chmod 0664 "$PROFILES/gw.profile"
run "$SANDBOX" --profile gw -- true
expect_status 125
expect_match "group-writable" 'gw\.profile: writable by its group: refused' "$ERR"
chmod 0646 "$PROFILES/gw.profile"
run "$SANDBOX" --profile gw -- true
expect_status 125
expect_match "world-writable" 'gw\.profile: writable by everyone: refused' "$ERR"
put "$T_TMP/elsewhere.profile" 'hostname x'
ln -s "$T_TMP/elsewhere.profile" "$PROFILES/link.profile"
run "$SANDBOX" --profile link -- true
expect_status 125
expect_match "symbolic link" 'link\.profile: is a symbolic link' "$ERR"

t "a profile owned by another user is refused"
if (($(id -u) != 0)); then
	skip "needs root to give a file to another user"
else
	put "$PROFILES/other.profile" 'hostname x'
	chown nobody "$PROFILES/other.profile"
	run "$SANDBOX" --profile other -- true
	expect_status 125
	expect_match "owner" "other\\.profile: owned by uid $(id -u nobody), neither root nor you: refused" "$ERR"
fi

# ---------------------------------------------------------------- real runs

t "precedence: the command line after --profile wins, before it loses"
put "$PROFILES/host.profile" $'hostname fromprofile\nsetenv FROM profile'
run "$SANDBOX" --profile host --hostname cli -- sh -c 'echo "$(hostname) $FROM"'
expect_status 0
expect_eq "after" "cli profile" "$OUT"
run "$SANDBOX" --hostname cli --setenv FROM cli --profile host -- sh -c 'echo "$(hostname) $FROM"'
expect_status 0
expect_eq "before" "fromprofile profile" "$OUT"

t "cli-tool: the current directory writable, an empty home, no network"
mkdir -p "$T_TMP/project" && echo src >"$T_TMP/project/in"
echo secret >"$HOME/private"
RUN_CWD=$T_TMP/project run "$SANDBOX" --profile "$SHIPPED/cli-tool.profile" -- sh -c \
	'cat in && echo built >out && ls -A "$HOME" | wc -l && awk '\''NR > 2 && $1 != "lo:"'\'' /proc/net/dev | wc -l'
expect_status 0
expect_eq "output: input read, home empty, only loopback" "src
0
0" "$OUT"
expect_eq "written on the host" built "$(cat "$T_TMP/project/out" 2>/dev/null)"

t "browser, without display, sound and network: a kept home, Downloads shared"
# ignore drops gui.inc's and browser's lines that need a desktop here
put "$PROFILES/headless-browser.profile" "ignore wayland
ignore fallback-x11
ignore gpu
ignore pulseaudio
ignore net
ignore dbus-user=filter
ignore dbus-talk
ignore dbus-own
include $SHIPPED/browser.profile"
mkdir -p "$HOME/.local/share"
run "$SANDBOX" --profile headless-browser -- sh -c \
	'echo kept >"$HOME/state" && echo got >"$HOME/Downloads/file"'
expect_status 0
expect_eq "downloaded on the host" got "$(cat "$HOME/Downloads/file" 2>/dev/null)"
expect_eq "home kept on the host" kept "$(cat "$HOME/.local/share/sandbox-browser/state" 2>/dev/null)"
run "$SANDBOX" --profile headless-browser -- sh -c 'cat "$HOME/state"; test -e "$HOME/private" || echo "no private"'
expect_status 0
expect_eq "a second run sees the kept home, not the real one" "kept
no private" "$OUT"

t "cli-tool refuses to run in the home directory"
RUN_CWD=$HOME run "$SANDBOX" --profile "$SHIPPED/cli-tool.profile" -- true
expect_status 125
expect_match "refusal" "^sandbox: --share $HOME: $HOME would be writable in the sandbox" "$ERR"

# ---------------------------------------------------------------- --share

t "--share: read-only by default, writable with :rw"
D=$T_TMP/data
mkdir -p "$D" && echo hello >"$D/f"
run "$SANDBOX" --share "$D" -- sh -c "cat $D/f; echo x >$D/g"
expect_ne "status" 0 "$RC"
expect_eq "read" hello "$OUT"
expect_match "not writable" 'Read-only file system' "$ERR"
expect_false "nothing written" test -e "$D/g"
run "$SANDBOX" --share "$D:rw" -- sh -c "echo x >$D/g"
expect_status 0
expect_eq "written" x "$(cat "$D/g")"

t "--share: :create makes the directory, ~ and xdg-* are resolved"
run "$SANDBOX" --share "~/made/deep:create" -- sh -c 'echo y >"$HOME/made/deep/z"'
expect_status 0
expect_eq "created and written" y "$(cat "$HOME/made/deep/z" 2>/dev/null)"
mkdir -p "$HOME/.config" "$HOME/Dl dir" && echo dl >"$HOME/Dl dir/file"
printf 'XDG_DOWNLOAD_DIR="$HOME/Dl dir"\n' >"$HOME/.config/user-dirs.dirs"
run "$SANDBOX" --home tmpfs --share xdg-download -- cat "$HOME/Dl dir/file"
expect_status 0
expect_eq "xdg-download from user-dirs.dirs, over --home tmpfs" dl "$OUT"
run "$SANDBOX" --share "xdg-music:create" -- sh -c 'test -d "$HOME/Music"'
expect_status 0
expect_true "xdg-music falls back to ~/Music" test -d "$HOME/Music"

t "--share: a single file, at the path as named when it is a link"
echo doc >"$T_TMP/paper.pdf"
ln -s "$T_TMP/paper.pdf" "$HOME/link.pdf"
# (as pdf-viewer's users do; the profile itself needs a display)
run "$SANDBOX" --home tmpfs --share "~/link.pdf" -- sh -c 'cat "$HOME/link.pdf"; test -L "$HOME/link.pdf" || echo "not a link"'
expect_status 0
expect_eq "the file, bound at the name (no link inside)" "doc
not a link" "$OUT"

t "--share refuses to make writable what controls your sessions, exit 125"
mkdir -p "$HOME/.ssh" "$HOME/.config/autostart"
: >"$HOME/.bashrc"
for s in "~:rw" "~/.ssh:rw" "~/.bashrc:rw" "~/.config:rw" "~/.config/autostart/x:create" \
	"$XDG_RUNTIME_DIR:rw" "~/.config/sandbox/profiles:rw"; do
	run "$SANDBOX" --share "$s" -- true
	expect_status 125
	expect_match "$s" "^sandbox: --share ${s%:*}: .* would be writable in the sandbox, and .* holds .*: refused \\(share it read-only, or add --allow-dangerous\\)\$" "$ERR"
done
expect_false ":create made nothing" test -e "$HOME/.config/autostart/x"
run "$SANDBOX" --share "~/.ssh" -- true
expect_status 0
run "$SANDBOX" --allow-dangerous --share "~/.ssh:rw" -- sh -c 'echo k >"$HOME/.ssh/k"'
expect_status 0
expect_eq "--allow-dangerous lets it through" k "$(cat "$HOME/.ssh/k" 2>/dev/null)"

t "--share: malformed or missing paths are refused, exit 125"
run "$SANDBOX" --share relative/path -- true
expect_status 125
expect_match "relative" 'expected an absolute path, ~/PATH or one of xdg-download' "$ERR"
run "$SANDBOX" --share "$T_TMP/../etc" -- true
expect_status 125
expect_match "dot-dot" "no '\\.\\.' in the path" "$ERR"
run "$SANDBOX" --share "$T_TMP/absent" -- true
expect_status 125
expect_match "missing" 'No such file or directory \(:create makes a directory\)' "$ERR"

# ---------------------------------------------------------------- --desktop

t "--desktop: a user font under --home tmpfs, read-only; the locale passed"
mkdir -p "$HOME/.local/share/fonts"
echo font >"$HOME/.local/share/fonts/mine.ttf"
# (the script is expanded here: --clearenv leaves no HOME inside)
run env LC_TIME=C.UTF-8 GDK_SCALE=2 "$SANDBOX" --home tmpfs --desktop --clearenv -- /bin/sh -c \
	"cat $HOME/.local/share/fonts/mine.ttf; echo \"\$GDK_SCALE \$LC_TIME\"; test -e $HOME/private && echo leaked; echo z >$HOME/.local/share/fonts/new"
expect_ne "status (the write fails)" 0 "$RC"
expect_eq "font and variables" "font
2 C.UTF-8" "$OUT"
expect_match "read-only" 'Read-only file system' "$ERR"
run "$SANDBOX" --home tmpfs -- test -e "$HOME/.local/share/fonts/mine.ttf"
expect_status 1

done_testing
