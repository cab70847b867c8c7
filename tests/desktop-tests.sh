#!/bin/bash
# tests/desktop-tests.sh - the desktop pass-through (issue 16) against real
# servers, headless: Xvfb for --x11, weston's headless backend for
# --wayland, PulseAudio with a null sink for --pulseaudio, PipeWire for
# --pipewire, and device nodes for --gpu and friends (made with mknod in
# the root run).
#
#   SANDBOX=/abs/path/sandbox bash tests/desktop-tests.sh
#
# Every server is this run's own: its sockets and cookies live under
# $T_TMP, with a private XDG_RUNTIME_DIR; display numbers are picked free.
# Needs xvfb xserver-xephyr xauth x11-apps x11-utils xdotool imagemagick
# weston wayland-utils pulseaudio pulseaudio-utils pipewire pipewire-bin
# (tests/setup-host.sh).
#
# Payload scripts are single-quoted on purpose (they expand inside):
# shellcheck disable=SC2016,SC2317 # and functions called through poll/expect_true

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SUITE=${T_SUITE:-desktop-tests($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-$HERE/../sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}

# quiet CMD...: CMD, its output dropped
quiet() { "$@" >/dev/null 2>&1; }

t "the servers and clients are installed"
for tool in Xvfb Xephyr xauth xlogo xwd xdpyinfo xdotool convert weston wayland-info pulseaudio \
	pactl pacat pipewire pw-cli; do
	expect_true "$tool (tests/setup-host.sh)" quiet command -v "$tool"
done
((T_FAILED == 0)) || done_testing

# This run's home and runtime dir: the servers' cookies go there.
export HOME=$T_TMP/home XDG_RUNTIME_DIR=$T_TMP/run
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 0700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY WAYLAND_SOCKET PULSE_SERVER XAUTHORITY PIPEWIRE_REMOTE

# pixel X Y: the colour of the display's pixel, as srgb(R,G,B)
pixel() {
	xwd -root -silent 2>/dev/null | convert xwd:- -format "%[pixel:p{$1,$2}]" info: 2>/dev/null
}

# ---------------------------------------------------------------- X11
# a free display number
for D in $(seq 50 99); do
	[[ -e /tmp/.X11-unix/X$D || -e /tmp/.X$D-lock ]] || break
done
XAUTH=$HOME/.Xauthority
COOKIE=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
: >"$XAUTH"
xauth -f "$XAUTH" add ":$D" MIT-MAGIC-COOKIE-1 "$COOKIE"
# decoys: another host's entry for the same display, and another display
xauth -f "$XAUTH" add "decoyhost/unix:$D" MIT-MAGIC-COOKIE-1 00112233445566778899aabbccddeeff
xauth -f "$XAUTH" add ":$((D + 1))" MIT-MAGIC-COOKIE-1 ffeeddccbbaa99887766554433221100
Xvfb ":$D" -screen 0 320x240x24 -auth "$XAUTH" -nolisten tcp >"$T_TMP/xvfb.log" 2>&1 &
track_pid $!
export DISPLAY=:$D XAUTHORITY=$XAUTH

t "Xvfb answers on the host (the test's own check)"
expect_true "xdpyinfo on :$D" poll "$T_WAIT" quiet xdpyinfo

t "--x11: a client in the sandbox draws on the host's display"
"$SANDBOX" --x11 -- xlogo -bg red -fg red -geometry 100x100+0+0 >"$T_TMP/xlogo.log" 2>&1 &
XL=$!
track_pid $XL
red() { [[ $(pixel 50 50) == "srgb(255,0,0)" ]]; }
expect_true "pixel (50,50) turns red" poll "$T_WAIT" red
kill -TERM "$XL" 2>/dev/null
wait "$XL" 2>/dev/null
expect_false "red again once the sandbox ended" red

t "--x11: inside, DISPLAY and one Xauthority entry: this display's cookie, any host"
run "$SANDBOX" --x11 -- sh -c 'echo "$DISPLAY $XAUTHORITY"; xauth -f "$XAUTHORITY" list 2>/dev/null; xdpyinfo >/dev/null && echo connected'
expect_status 0
expect_eq "lines" 3 "$(wc -l <<<"$OUT")"
expect_match "DISPLAY and XAUTHORITY" "^:$D /run/user/$(id -u)/Xauthority\$" "$OUT"
expect_match "the one entry: wild family, this display, the real cookie" "^#ffff#.*:$D +MIT-MAGIC-COOKIE-1 +$COOKIE\$" "$OUT"
expect_match "the server let it in" '^connected$' "$OUT"

t "--x11: the runtime dir is the payload's, mode 0700"
run "$SANDBOX" --x11 -- sh -c 'stat -c "%a %u" "$XDG_RUNTIME_DIR"; echo "$XDG_RUNTIME_DIR"'
expect_status 0
expect_eq "mode, owner; path" "700 $(id -u)
/run/user/$(id -u)" "$OUT"

t "--x11=nested with --net host: the host's abstract X socket is out of reach, the nested display works"
ABSX="import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect('\0/tmp/.X11-unix/X$D'); print('reached')
except OSError as e:
    print('refused', e.errno)"
run python3 -c "$ABSX"
if [[ $OUT != reached ]]; then
	skip "the X server does not listen on an abstract socket here ($OUT)"
else
	LLABI=$(python3 -c 'import ctypes; l = ctypes.CDLL(None, use_errno=True); print(max(l.syscall(444, None, 0, 1), 0))')
	run "$SANDBOX" --x11=nested --net host -- sh -c "python3 -c \"$ABSX\"; xdpyinfo >/dev/null && echo display"
	expect_status 0
	if ((LLABI >= 6)); then
		expect_eq "abstract socket refused (Landlock scope), nested display by its path" \
			$'refused 1\ndisplay' "$OUT"
	else
		expect_match "a warning says what stays open" 'displays stay reachable' "$ERR"
	fi
	t "--x11 (host) with --net host: the display works, and a warning says what stays open"
	run "$SANDBOX" --x11 --net host -- sh -c 'xdpyinfo >/dev/null && echo display'
	expect_status 0
	expect_eq "display" display "$OUT"
	expect_match "warning" 'abstract unix sockets stay reachable.*--x11=nested keeps them out' "$ERR"
	t "control: --net host without --x11 reaches the abstract X socket"
	run "$SANDBOX" --net host -- python3 -c "$ABSX"
	expect_eq "reached" reached "$OUT"
fi

t "without --x11: no display, even with DISPLAY leaked in"
run "$SANDBOX" --setenv DISPLAY ":$D" -- xdpyinfo
expect_ne "status" 0 "$RC"
expect_match "refused" 'unable to open display' "$ERR"
run "$SANDBOX" -- sh -c 'echo "[$DISPLAY][$XAUTHORITY]"'
expect_eq "DISPLAY and XAUTHORITY unset" "[][]" "$OUT"

t "the host's ~/.Xauthority is hidden in the host view"
run "$SANDBOX" -- cat "$XAUTH"
expect_ne "status" 0 "$RC"

t "--x11=nested: the host's windows are out of reach; with --x11 they are not"
xlogo -title secret-$$ >/dev/null 2>&1 &
track_pid $!
found() { quiet xdotool search --name "secret-$$"; }
expect_true "the host sees its window" poll "$T_WAIT" found
found_inside() { quiet "$SANDBOX" --x11 -- xdotool search --name "secret-$$"; }
expect_true "found with --x11" poll "$T_WAIT" found_inside
run "$SANDBOX" --x11=nested -- sh -c 'xdpyinfo | grep -c "^name of display"; xdotool search --name "$1"; echo "search $?"' sh "secret-$$"
expect_status 0
expect_eq "a display of its own, no such window there" "1
search 1" "$OUT"
xephyrs() { pgrep -u "$(id -u)" -x Xephyr; }
expect_eq "Xephyr ended with the sandbox" "" "$(xephyrs)"

t "--x11=nested without a display: 125, nothing started"
run env -u DISPLAY "$SANDBOX" --x11=nested -- true
expect_status 125
expect_match "message" '^sandbox: --x11=nested: DISPLAY is not set' "$ERR"
expect_eq "no Xephyr" "" "$(xephyrs)"

t "--x11 with a TCP display: 125, naming it"
run env DISPLAY="localhost:$D" "$SANDBOX" --x11 -- true
expect_status 125
expect_match "message" "^sandbox: --x11: DISPLAY=localhost:$D is reached over TCP.*--net host" "$ERR"

t "--x11 with no server: 125, naming the socket"
for E in $(seq 200 299); do [[ -e /tmp/.X11-unix/X$E ]] || break; done
run env DISPLAY=":$E" "$SANDBOX" --x11 -- true
expect_status 125
expect_match "message" "^sandbox: --x11: no X11 server socket at /tmp/.X11-unix/X$E" "$ERR"

# ------------------------------------------------------------ Wayland
weston --backend=headless-backend.so --socket=wl-test --idle-time=0 \
	>"$T_TMP/weston.log" 2>&1 &
track_pid $!
touch "$XDG_RUNTIME_DIR/decoy"

t "weston answers on the host (the test's own check)"
expect_true "socket" poll "$T_WAIT" test -S "$XDG_RUNTIME_DIR/wl-test"
WAYLAND_DISPLAY=wl-test expect_true "wayland-info" quiet wayland-info

t "--wayland: the compositor inside as wayland-0, nothing else of the runtime dir"
run env WAYLAND_DISPLAY=wl-test "$SANDBOX" --wayland -- sh -c 'echo "$WAYLAND_DISPLAY"; ls -A "$XDG_RUNTIME_DIR"; wayland-info | grep -c "interface: .wl_compositor."'
expect_status 0
expect_eq "WAYLAND_DISPLAY, the runtime dir, wl_compositor" "wayland-0
wayland-0
1" "$OUT"

t "without --wayland: no compositor"
run env WAYLAND_DISPLAY=wl-test "$SANDBOX" -- wayland-info
expect_ne "status" 0 "$RC"

t "--wayland --fallback-x11: X11 only where there is no Wayland socket"
run env WAYLAND_DISPLAY=wl-none "$SANDBOX" --wayland --fallback-x11 -- sh -c 'echo "[$WAYLAND_DISPLAY][$DISPLAY]"; xdpyinfo >/dev/null && echo x11'
expect_status 0
expect_eq "no Wayland, the display" "[][:$D]
x11" "$OUT"
run env WAYLAND_DISPLAY=wl-test "$SANDBOX" --wayland --fallback-x11 -- sh -c 'echo "[$WAYLAND_DISPLAY][$DISPLAY]"'
expect_eq "Wayland, no X11" "[wayland-0][]" "$OUT"

t "--wayland with no compositor: 125, naming the socket"
run env WAYLAND_DISPLAY=wl-none "$SANDBOX" --wayland -- true
expect_status 125
expect_match "message" "^sandbox: --wayland: no Wayland compositor socket at $XDG_RUNTIME_DIR/wl-none" "$ERR"

# --------------------------------------------------------- PulseAudio
pulseaudio -n --daemonize=no --exit-idle-time=-1 --disable-shm=yes \
	--load="module-null-sink sink_name=testsink" --load=module-native-protocol-unix \
	>"$T_TMP/pulse.log" 2>&1 &
track_pid $!

t "PulseAudio answers on the host (the test's own check)"
expect_true "pactl info" poll "$T_WAIT" quiet pactl info

t "--pulseaudio: pactl reaches the server, with no cookie of the host's inside"
# (a client without a cookie may make one of its own: that one is not the host's)
run "$SANDBOX" --pulseaudio -- sh -c 'pactl info | grep "^Server String"; echo "[$PULSE_COOKIE]"; cat "$PULSE_CLIENTCONFIG"; echo "cookie=$(od -An -tx1 ~/.config/pulse/cookie 2>/dev/null | tr -d " \n")"'
expect_status 0
expect_match "server" "^Server String: unix:/run/user/$(id -u)/pulse/native\$" "$OUT"
expect_match "no shared memory" '^enable-shm=no$' "$OUT"
expect_true "the host has a cookie (the check can see it)" test -s "$HOME/.config/pulse/cookie"
HOST_COOKIE=$(od -An -tx1 "$HOME/.config/pulse/cookie" | tr -d ' \n')
expect_no_match "not the host's cookie" "^cookie=$HOST_COOKIE\$" "$OUT"

t "--pulseaudio: a stream played inside shows on the host"
"$SANDBOX" --pulseaudio -- sh -c 'head -c 2000000 /dev/zero | pacat --device=testsink --rate=8000 --channels=1 --format=u8' &
PP=$!
track_pid $PP
playing() { pactl list short sink-inputs | grep -q .; }
expect_true "a sink input on the host" poll "$T_WAIT" playing
kill -TERM "$PP" 2>/dev/null
wait "$PP" 2>/dev/null

t "without --pulseaudio: no sound server"
run "$SANDBOX" -- pactl info
expect_ne "status" 0 "$RC"

# ----------------------------------------------------------- PipeWire
pipewire >"$T_TMP/pipewire.log" 2>&1 &
track_pid $!

t "PipeWire answers on the host (the test's own check)"
expect_true "pipewire-0" poll "$T_WAIT" test -S "$XDG_RUNTIME_DIR/pipewire-0"

t "--pipewire: pw-cli reaches the core"
run "$SANDBOX" --pipewire -- timeout "$T_WAIT" pw-cli info 0
expect_status 0
expect_match "the core" 'type: PipeWire:Interface:Core' "$OUT"

t "without --pipewire: no PipeWire"
run "$SANDBOX" -- timeout 10 pw-cli info 0
expect_no_match "no core" 'type: PipeWire:Interface:Core' "$OUT"

# ------------------------------------------------- shipped GUI profiles
t "shipped profiles under Xvfb: gui, pdf-viewer and image-viewer reach the display and the filtered bus"
PROFDIR=$HERE/../profiles
start_bus session "$XDG_RUNTIME_DIR/bus" BUSADDR
for p in gui pdf-viewer; do
	DBUS_SESSION_BUS_ADDRESS=$BUSADDR run "$SANDBOX" --profile "$PROFDIR/$p.profile" -- sh -c \
		'xdpyinfo >/dev/null && echo display; test -S "$XDG_RUNTIME_DIR/bus" && echo bus'
	expect_status 0
	expect_eq "$p: display and bus" $'display\nbus' "$OUT"
done
convert -size 64x64 xc:blue "$T_TMP/picture.png"
DBUS_SESSION_BUS_ADDRESS=$BUSADDR "$SANDBOX" --profile "$PROFDIR/image-viewer.profile" \
	--share "$T_TMP/picture.png" -- display -title "viewer-$$" "$T_TMP/picture.png" \
	>"$T_TMP/viewer.log" 2>&1 &
V=$!
track_pid "$V"
viewer() { quiet xdotool search --class display; }
expect_true "image-viewer: display's window is found by its class" poll "$T_WAIT" viewer
kill -TERM "$V" 2>/dev/null
wait "$V" 2>/dev/null

# ------------------------------------------------------------ devices
t "--gpu, --dev-input, --dev-snd, --dev-video: the nodes with the option, none without"
made=()
if ((EUID == 0)); then
	# nodes of our own, removed at the end: a GPU render node, an input
	# event node, a sound control node, a video node
	for n in dri/renderD250:226:250 input/event250:13:250 snd/controlC25:116:250 video250:81:250; do
		p=/dev/${n%%:*}
		[[ -e $p ]] && continue
		mkdir -p "${p%/*}" && mknod -m 0600 "$p" c "$(cut -d: -f2 <<<"$n")" "$(cut -d: -f3 <<<"$n")" &&
			made+=("$p")
	done
fi
checked=0
for pair in gpu:dri dev-input:input dev-snd:snd dev-video:video; do
	opt=${pair%%:*} node=${pair#*:}
	host=$(find /dev -maxdepth 2 -path "/dev/$node*" \( -type c -o -type d \) -print -quit 2>/dev/null)
	[[ -n $host ]] || continue
	checked=$((checked + 1))
	run "$SANDBOX" "--$opt" -- test -e "$host"
	expect_status 0
	run "$SANDBOX" -- test -e "$host"
	expect_ne "$host without --$opt" 0 "$RC"
done
for p in "${made[@]}"; do rm -f "$p"; rmdir "${p%/*}" 2>/dev/null; done
((checked > 0)) || skip "no GPU, input, sound or video node on this host, and not root to make one"

done_testing
