#!/bin/bash
# tests/flatpak-tests.sh - Flatpak end to end through our bwrap (issue 12).
#
#   SANDBOX=/abs/path/sandbox bash tests/flatpak-tests.sh
#
# Debian's flatpak drives bubblewrap the way desktops do.  This suite
# builds a small runtime (busybox-static, and dbus-send with the libraries
# it links) and an app at test time, in a private Flatpak world: its own
# FLATPAK_USER_DIR, an empty system installation, HOME, XDG_RUNTIME_DIR, a
# local repository without GPG, and private system and session buses
# (dbus-daemon with no service activation).  Building takes a few seconds,
# so nothing is cached.
#
# Each check runs flatpak with Debian's bubblewrap (/usr/bin/bwrap) first,
# then with FLATPAK_BWRAP set to a `bwrap` link to SANDBOX, and compares
# the exit status, the output, and what the sandbox sees (its mount table,
# its processes, which namespaces are its own).  Run as the unprivileged
# user (the main case) and as root.
#
# As root, bubblewrap keeps the host's user namespace and ours makes one:
# the checks of namespaces expect that deliberate difference.
#
# One difference is known and not compared: with --dev, bubblewrap maps
# the user to 0 in an outer user namespace and back in a nested one (it
# needs root there to mount devpts); ours has one user namespace, so
# /proc/self/uid_map reads "1001 1001 1" where bubblewrap's reads
# "1001 0 1".  Flatpak's /run/.userns is that outer namespace there, the
# only one here; flatpak enter and --parent-pid work with both.
#
# Payload scripts are single-quoted on purpose (they expand inside the
# sandbox):
# shellcheck disable=SC2016

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
T_SUITE=${T_SUITE:-flatpak-tests($(id -un))}
T_TIMEOUT=${T_TIMEOUT:-180}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-$REPO/sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-$REPO/sandbox}
DEB=/usr/bin/bwrap
ME_UID=$(id -u)
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin

t "flatpak, Debian's bubblewrap, dbus-daemon, xdg-dbus-proxy and the sandbox are installed"
for tool in "$SANDBOX" "$DEB" /usr/bin/flatpak /usr/bin/dbus-daemon /usr/bin/xdg-dbus-proxy \
	/usr/bin/dbus-send /bin/busybox; do
	expect_true "$tool (tests/setup-host.sh installs it)" test -x "$tool"
done
if [[ $T_STATE != running || ${#T_ERRORS[@]} -gt 0 ]]; then
	done_testing
fi

mkdir -p "$T_TMP/bin"
ln -s "$SANDBOX" "$T_TMP/bin/bwrap"
BW=$T_TMP/bin/bwrap

# ---- a private Flatpak world --------------------------------------------
W=$T_TMP/fp
export HOME=$W/home XDG_RUNTIME_DIR=$W/run
export XDG_DATA_HOME=$HOME/.local/share XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache
export FLATPAK_USER_DIR=$W/user FLATPAK_SYSTEM_DIR=$W/system FLATPAK_CONFIG_DIR=$W/etc
export FLATPAK_TRIGGERSDIR=$W/triggers
unset FLATPAK_BWRAP FLATPAK_DBUSPROXY FLATPAK_SYSTEM_CACHE_DIR FLATPAK_SYSTEM_HELPER_ON_SESSION \
	DISPLAY WAYLAND_DISPLAY XDG_DATA_DIRS XDG_CONFIG_DIRS XDG_SESSION_TYPE PULSE_SERVER
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$FLATPAK_USER_DIR" "$FLATPAK_CONFIG_DIR" \
	"$FLATPAK_TRIGGERSDIR" "$W/shared"
chmod 0700 "$XDG_RUNTIME_DIR"
# flatpak run opens the system installation's repository; creating one
# through flatpak would need its system helper: an empty one by hand
mkdir -p "$FLATPAK_SYSTEM_DIR/repo"/{objects,tmp,extensions,state,refs/heads,refs/mirrors,refs/remotes}
printf '[core]\nrepo_version=1\nmode=bare-user-only\n' >"$FLATPAK_SYSTEM_DIR/repo/config"

# flatpak_bus TYPE: a dbus-daemon for TYPE (system, session) with no
# service activation (lib.sh); exports DBUS_TYPE_BUS_ADDRESS once it listens.
flatpak_bus() {
	local type=$1 addr
	start_bus "$type" "$W/$type-bus" addr || return 1
	export "DBUS_${type^^}_BUS_ADDRESS=$addr"
}

# ours WHAT ARGS...: `flatpak ARGS` with FLATPAK_BWRAP set to our bwrap.
# deb ARGS...: with Debian's.  Both set OUT, ERR, RC (lib.sh run).
deb() { run flatpak "$@"; }
ours() { run env FLATPAK_BWRAP="$BW" flatpak "$@"; }

# norm TEXT: names that differ from run to run: bubblewrap's temporary
# files for --bind-data (bindfileXXXXXX, ours data-N), the user namespace
# on /run/.userns, instance ids, the D-Bus proxies' sockets.
norm() {
	sed -E -e 's#/(bindfile[A-Za-z0-9]{6}|data-[0-9]+)//deleted#/BINDDATA//deleted#g' \
		-e 's#^user:\[[0-9]+\] #user:[N] #' \
		-e 's#(/\.flatpak/)[0-9]+#\1ID#g' \
		-e 's#((session|system|a11y)-bus-proxy-)[A-Za-z0-9]+#\1X#g' <<<"$1"
}

# both WHAT ARGS...: `flatpak ARGS` with Debian's bubblewrap, then ours;
# exit status and (normalized) output must be the same, and no bwrap:
# message from ours.  DOUT, DRC: Debian's; OUT, ERR, RC: ours.
both() {
	local what=$1
	shift
	deb "$@"
	DOUT=$(norm "$OUT") DRC=$RC
	ours "$@"
	OUT=$(norm "$OUT")
	if ((ME_UID == 0)) && [[ $DOUT == *$'\nuser same\n'* ]]; then
		# bubblewrap run by root keeps the host's user namespace; ours
		# always makes one (a deliberate difference, see the manual)
		expect_match "$what: as root, a user namespace of its own" '^user new$' "$OUT"
		# shellcheck disable=SC2001  # a whole line, in a multi-line value
		OUT=$(sed 's/^user new$/user same/' <<<"$OUT")
	fi
	expect_eq "$what: exit status, ours vs Debian's bubblewrap" "$DRC" "$RC"
	expect_eq "$what: output, ours vs Debian's bubblewrap" "$DOUT" "$OUT"
	expect_no_match "$what: no message from our bwrap" '^bwrap:' "$ERR"
}

t "private system and session buses (dbus-daemon, no service activation)"
if flatpak_bus system && flatpak_bus session; then
	pass
else
	fail "dbus-daemon did not start:" "$(cat "$W"/*.log)"
	done_testing
fi

# ---- the runtime and the app ----------------------------------------------
ARCH=$(flatpak --default-arch)
RT=$W/build/runtime
APPDIR=$W/build/app

# make_runtime: busybox-static with its applets, dbus-send and the
# libraries it loads, under usr/ (build-export --runtime commits usr).
make_runtime() {
	local lib
	mkdir -p "$RT/files" "$RT/usr/bin" "$RT/usr/lib64" "$RT/usr/lib/$ARCH-linux-gnu" "$RT/usr/etc"
	cp /bin/busybox /usr/bin/dbus-send "$RT/usr/bin/"
	for a in $(/bin/busybox --list); do
		[[ -e $RT/usr/bin/$a ]] || ln -s busybox "$RT/usr/bin/$a"
	done
	for lib in $(ldd /usr/bin/dbus-send | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
		case $lib in
		*/ld-linux*) cp -L "$lib" "$RT/usr/lib64/" ;;
		*) cp -L "$lib" "$RT/usr/lib/$ARCH-linux-gnu/" ;;
		esac
	done
	cat >"$RT/metadata" <<EOF
[Runtime]
name=org.sbtest.Platform
runtime=org.sbtest.Platform/$ARCH/1
sdk=org.sbtest.Platform/$ARCH/1
EOF
}

# make_app DIR ID COMMAND: an app whose COMMAND is a shell script that
# prints its arguments, built with `flatpak build` (Debian's bubblewrap).
make_app() {
	flatpak build-init "$1" "$2" org.sbtest.Platform org.sbtest.Platform 1 &&
		flatpak build "$1" sh -c 'mkdir -p /app/bin &&
			printf "#!/bin/sh\necho \"%s:\" \"\$@\"\n" "$1" >/app/bin/$1 &&
			chmod 0755 /app/bin/$1' sh "$3" &&
		flatpak build-finish "$1" --command="$3" --share=ipc >/dev/null &&
		flatpak build-export --no-update-summary "$W/repo" "$1" 1
}

t "a runtime and two apps, built and installed (build-export --runtime, build-init, build, build-finish)"
make_runtime
run flatpak build-export --runtime --no-update-summary "$W/repo" "$RT" 1
expect_status 0
run flatpak build-update-repo "$W/repo"
expect_status 0
run flatpak remote-add --user --no-gpg-verify local "$W/repo"
expect_status 0
run flatpak install -y --user --noninteractive local org.sbtest.Platform//1
expect_status 0
make_app "$APPDIR" org.sbtest.App hello >"$T_TMP/make.log" 2>&1
expect_status 0 $? || cat "$T_TMP/make.log"
make_app "$W/build/tool" org.sbtest.Tool tool >"$T_TMP/make.log" 2>&1
expect_status 0 $? || cat "$T_TMP/make.log"
run flatpak build-update-repo "$W/repo"
expect_status 0
run flatpak install -y --user --noninteractive local org.sbtest.App//1
expect_status 0
if ((RC != 0)); then
	done_testing
fi

# ---- flatpak run ----------------------------------------------------------
APP=org.sbtest.App//1

t "flatpak run: the app's command, its arguments and exit status"
both "run" run "$APP" a 'b c'
expect_status 0
expect_eq "output" "hello: a b c" "$OUT"
both "exit 7" run --command=sh "$APP" -c 'echo bye; exit 7'
expect_status 7

t "flatpak run: the mount table the app sees"
# mountinfo without the mount ids: root, mount point, options, type,
# source, superblock options
both "mountinfo" run --command=sh "$APP" -c 'cut -d" " -f4- /proc/self/mountinfo'
expect_status 0
expect_match "the runtime on /usr" '^/.* /usr ro,' "$OUT"
expect_match "/run/.userns: the sandbox's user namespace (--ro-bind-try /proc/self/ns/user)" \
	'^user:\[N\] /run/\.userns ro,.* nsfs ' "$OUT"

t "flatpak run: the processes the app sees"
both "processes" run --command=sh "$APP" -c \
	'for p in 1 2; do echo "$p $(cat /proc/$p/comm) $(cut -d" " -f4 /proc/$p/stat)"; done; echo "self $$"'
expect_eq "pid 1 is bwrap's init, 2 the command" "$(printf '1 bwrap 0\n2 sh 1\nself 2')" "$OUT"

# NS_PROBE: for each namespace, "NAME same" when it is the host's (the
# caller passes its own as arguments), else "NAME new"; then ids.
NS_PROBE='for pair in "$@"; do n=${pair%%=*}; if [ "$(readlink /proc/self/ns/$n)" = "${pair#*=}" ]; then echo "$n same"; else echo "$n new"; fi; done; id -u; id -g'
host_ns() {
	local n
	for n in cgroup ipc mnt net pid user uts; do
		printf '%s=%s\n' "$n" "$(readlink "/proc/self/ns/$n")"
	done
}
mapfile -t HOST_NS < <(host_ns)

t "flatpak run: its own namespaces; --share=network keeps the host's network"
both "namespaces" run --command=sh "$APP" -c "$NS_PROBE" sh "${HOST_NS[@]}"
expect_match "a network namespace of its own" '^net new$' "$OUT"
expect_match "a pid namespace of its own" '^pid new$' "$OUT"
expect_eq "uid inside" "$(id -u)" "$(sed -n 8p <<<"$OUT")"
both "namespaces with --share=network" run --share=network --command=sh "$APP" -c "$NS_PROBE" \
	sh "${HOST_NS[@]}"
expect_match "the host's network namespace" '^net same$' "$OUT"

t "flatpak run --filesystem=DIR (read-write) and --filesystem=DIR:ro"
both "--filesystem" run --filesystem="$W/shared" --command=sh "$APP" -c \
	'echo written >"$1/file" && cat "$1/file"' sh "$W/shared"
expect_eq "the file, inside" "written" "$OUT"
expect_eq "the file, outside" "written" "$(cat "$W/shared/file" 2>&1)"
both "--filesystem=:ro" run --filesystem="$W/shared:ro" --command=sh "$APP" -c \
	'cat "$1/file"; echo again >"$1/file" || echo refused' sh "$W/shared"
expect_eq "read-only" "$(printf 'written\nrefused')" "$OUT"

t "flatpak run --env=VAR=VALUE"
both "--env" run --env=SBTEST_VAR=some-value --command=sh "$APP" -c 'echo "$SBTEST_VAR"'
expect_eq "the variable" "some-value" "$OUT"

t "flatpak run: a command killed by a signal"
both "SIGTERM" run --command=sh "$APP" -c 'kill -TERM $$'
expect_status 143
both "SIGKILL" run --command=sh "$APP" -c 'kill -KILL $$'
expect_status 137

t "flatpak run: a background process outlives the command (bubblewrap's pid 1 stays)"
mkfifo "$W/shared/go" "$W/shared/done"
for who in deb ours; do
	"$who" run --filesystem="$W/shared" --command=sh "$APP" -c \
		'(read x <"$1/go"; echo "survived $x" >"$1/done") & exit 3' sh "$W/shared"
	expect_status 3
	timeout "$T_WAIT" sh -c 'echo go >"$1"' sh "$W/shared/go"
	expect_status 0 $?
	expect_eq "$who: the background process, after flatpak returned" "survived go" \
		"$(timeout "$T_WAIT" cat "$W/shared/done")"
done

t "flatpak run: the D-Bus proxy (xdg-dbus-proxy) filters the session and system buses"
# The app may own its own id, not another name; the system bus shows only
# what --system-talk-name allows.
DBUS_PROBE='call() { bus=$1 method=$2; shift 2; dbus-send "--$bus" --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus "org.freedesktop.DBus.$method" "$@" 2>&1 | grep -v "^method return"; }
echo "$DBUS_SESSION_BUS_ADDRESS"; call session RequestName string:org.sbtest.App uint32:4
call session RequestName string:org.sbtest.Other uint32:4
call system NameHasOwner string:org.freedesktop.DBus'
both "proxy" run --system-talk-name=org.sbtest.System --command=sh "$APP" -c "$DBUS_PROBE"
expect_match "the session bus is the proxy's socket" '^unix:path=/run/flatpak/bus$' "$OUT"
expect_match "the app owns its id" '^ +uint32 1$' "$OUT"
expect_match "another name is refused" '^Error org\.freedesktop\.DBus\.Error\.(AccessDenied|ServiceUnknown)' "$OUT"
expect_match "the system bus answers through its proxy" '^ +boolean true$' "$OUT"

# ---- flatpak build, install triggers ----------------------------------------
t "flatpak build: the build sandbox, /app writable"
run flatpak build-init "$W/build/b" org.sbtest.Built org.sbtest.Platform org.sbtest.Platform 1
expect_status 0
both "flatpak build" build "$W/build/b" sh -c \
	'echo "$FLATPAK_ID"; cat /proc/1/comm; touch /app/made-$1 && ls /app; cut -d" " -f4- /proc/self/mountinfo' \
	sh here
expect_status 0
expect_eq "the file made in /app, outside" "made-here" "$(ls "$W/build/b/files")"

# visible MOUNTS: without the mounts another one covers at the same mount
# point (the trigger binds the host's /: a host may stack two mounts on
# /dev/shm or /dev/pts).  Bubblewrap makes the covered ones of a --ro-bind
# read-only only where its path walk reaches them; ours are all read-only.
visible() { tac <<<"$1" | awk 'NF < 3 || !seen[$2]++' | tac; }

t "install triggers run in bubblewrap (FLATPAK_TRIGGERSDIR)"
# A trigger of ours: what its sandbox sees, into the installation.
cat >"$FLATPAK_TRIGGERSDIR/sbtest.trigger" <<'EOF'
#!/bin/sh
{ cat /proc/1/comm; echo "$$"; id -u; cut -d" " -f4- /proc/self/mountinfo; } >"$1/trigger-saw"
EOF
chmod 0755 "$FLATPAK_TRIGGERSDIR/sbtest.trigger"
deb install -y --user --noninteractive local org.sbtest.Tool//1
DOUT=$OUT DRC=$RC
dsaw=$(cat "$FLATPAK_USER_DIR/trigger-saw" 2>&1)
rm -f "$FLATPAK_USER_DIR/trigger-saw"
run flatpak uninstall -y --user --noninteractive org.sbtest.Tool//1
expect_status 0
ours install -y --user --noninteractive local org.sbtest.Tool//1
expect_eq "install: exit status, ours vs Debian's bubblewrap" "$DRC" "$RC"
expect_eq "install: output, ours vs Debian's bubblewrap" "$DOUT" "$OUT"
expect_status 0
expect_match "the trigger ran (Debian's)" '^bwrap$' "$dsaw"
expect_eq "what the trigger saw, ours vs Debian's" "$(visible "$dsaw")" \
	"$(visible "$(cat "$FLATPAK_USER_DIR/trigger-saw" 2>&1)")"
rm -f "$FLATPAK_TRIGGERSDIR/sbtest.trigger"

# ---- flatpak enter, --parent-pid ------------------------------------------
# start_parent WHO: the app, in the background, until "go" on the fifo
# parent-go; sets INST (instance id) and CPID (bwrap's child-pid).
start_parent() {
	local bw=()
	[[ $1 == ours ]] && bw=(FLATPAK_BWRAP="$BW")
	rm -f "$W/shared/ready" "$W/shared/parent-go"
	mkfifo "$W/shared/ready" "$W/shared/parent-go"
	env "${bw[@]}" flatpak run --filesystem="$W/shared" --command=sh "$APP" -c \
		'sed -n "s/^instance-id=//p" /.flatpak-info >"$1/ready"; read x <"$1/parent-go"' \
		sh "$W/shared" </dev/null >/dev/null 2>&1 &
	PARENT=$!
	track_pid "$PARENT"
	INST=$(timeout "$T_WAIT" cat "$W/shared/ready")
	CPID=$(flatpak ps --columns=instance,child-pid | awk -v i="$INST" '$1 == i { print $2 }')
}
stop_parent() {
	timeout "$T_WAIT" sh -c 'echo go >"$1"' sh "$W/shared/parent-go"
	wait "$PARENT"
}
# the namespaces of CPID, as NAME=LINK arguments for NS_PROBE
parent_ns() {
	local n
	for n in cgroup ipc mnt net pid user uts; do
		printf '%s=%s\n' "$n" "$(readlink "/proc/$CPID/ns/$n")"
	done
}
# PS_PROBE: pid 1, and the number of processes seen inside (by the
# shell itself: no other process of its own runs meanwhile)
PS_PROBE='cat /proc/1/comm; set -- /proc/[0-9]*; echo "$#"'

# enter_and_parent WHO: the output of flatpak enter, --parent-expose-pids
# and --parent-share-pids against a running app, with WHO's bubblewrap.
enter_and_parent() {
	local who=$1 m
	start_parent "$who"
	mapfile -t pns < <(parent_ns)
	echo "instance found: $([[ -n $INST && -n $CPID ]] && echo yes)"
	"$who" enter "$INST" sh -c "$NS_PROBE; $PS_PROBE" sh "${pns[@]}"
	printf '%s\n' "$OUT" "$ERR" "enter: $RC"
	for m in expose share; do
		"$who" run --parent-pid="$CPID" --parent-$m-pids --command=sh "$APP" -c \
			"$NS_PROBE; $PS_PROBE" sh "${pns[@]}"
		printf '%s\n' "$OUT" "$ERR" "--parent-$m-pids: $RC"
	done
	stop_parent
	echo "the parent app: $?"
}

t "flatpak enter, and flatpak run --parent-pid with --parent-expose-pids and --parent-share-pids"
dres=$(enter_and_parent deb 2>&1)
res=$(enter_and_parent ours 2>&1)
expect_eq "ours vs Debian's bubblewrap" "$dres" "$res"
expect_match "flatpak enter joins the app's namespaces" '^enter: 0$' "$res"
expect_eq "entered: every namespace the app's" \
	"$(printf '%s\n' cgroup ipc mnt net pid user uts | sed 's/$/ same/')" \
	"$(sed -n '/^instance found/,/^enter:/p' <<<"$res" | grep -E '^[a-z]+ (same|new)$')"
expect_match "--parent-expose-pids" '^--parent-expose-pids: 0$' "$res"
expect_eq "--parent-expose-pids: a pid namespace of its own" "pid new" \
	"$(sed -n '/^enter:/,/^--parent-expose-pids/p' <<<"$res" | grep '^pid ')"
expect_match "--parent-share-pids" '^--parent-share-pids: 0$' "$res"
expect_eq "--parent-share-pids: the parent's pid namespace" "pid same" \
	"$(sed -n '/^--parent-expose-pids/,/^--parent-share-pids/p' <<<"$res" | grep '^pid ')"

done_testing
