#!/bin/bash
# tests/integration.sh - integration tests of the native `sandbox` command
# line (issue 2: ids, namespaces, filesystem, process, privileges, exit
# status, bad input).
#
#   SANDBOX=/abs/path/sandbox ROOTFS=/path/to/busybox-rootfs \
#       bash tests/integration.sh
#
# SANDBOX defaults to ./sandbox; ROOTFS, when unset, is built into the
# run's temporary directory with tests/mkrootfs.sh. The main run is as an
# unprivileged user with subordinate ids (sbtest, see setup-host.sh); the
# suite also runs as root, and as a user without /etc/subuid entries: the
# expectations follow from `id -u` and the user's entries in /etc/subuid
# and /etc/subgid.
#
# Payload scripts are single-quoted on purpose (they expand inside the
# sandbox), and some helpers are only called indirectly (poll, traps):
# shellcheck disable=SC2016,SC2317

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SUITE=${T_SUITE:-integration($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-./sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}
ME_UID=$(id -u)
ME_GID=$(id -g)
ME_NAME=$(id -un)
HOST_HOSTNAME=$(</proc/sys/kernel/hostname)

t "the sandbox binary is executable"
expect_true "$SANDBOX is an executable file" test -f "$SANDBOX" -a -x "$SANDBOX"
if [[ ! -x $SANDBOX ]]; then
	done_testing
fi

if [[ -z ${ROOTFS:-} ]]; then
	ROOTFS=$T_TMP/rootfs
	bash "$HERE/mkrootfs.sh" "$ROOTFS" || {
		t "build a busybox rootfs"
		fail "tests/mkrootfs.sh $ROOTFS failed"
		done_testing
	}
fi
ROOTFS=$(realpath -e -- "$ROOTFS")

# A host directory outside /tmp and /run (which are fresh tmpfs inside the
# sandbox), writable by the user running the tests.
VT=$(mktemp -d /var/tmp/sandbox-tests.XXXXXX) || exit 2
t_cleanup_hook() {
	chmod -R u+rwX "$VT" 2>/dev/null
	rm -rf "$VT"
}

# ---------------------------------------------------------------- helpers

sb() { run "$SANDBOX" "$@"; }
sbr() { run "$SANDBOX" --rootfs "$ROOTFS" "$@"; }

# norm TEXT: whitespace-normalised lines (as in /proc/self/uid_map).
norm() {
	sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//; s/[[:space:]]+/ /g' <<<"$1"
}

# section N TEXT: the Nth part (from 0) of TEXT split at lines "--".
section() {
	awk -v n="$1" '$0 == "--" { i++; next } i == n' <<<"$2"
}

# subid_entry FILE: "START COUNT" of the user's first entry in FILE.
subid_entry() {
	awk -F: -v u="$ME_NAME" -v id="$ME_UID" \
		'NF == 3 && ($1 == u || $1 == id) { print $2, $3; exit }' "$1" 2>/dev/null
}

read -r SUID_START SUID_COUNT <<<"$(subid_entry /etc/subuid)"
read -r SGID_START SGID_COUNT <<<"$(subid_entry /etc/subgid)"
HAVE_RANGES=0
if [[ -n ${SUID_START:-} && -n ${SGID_START:-} &&
	-x /usr/bin/newuidmap && -x /usr/bin/newgidmap ]]; then
	HAVE_RANGES=1
fi

# keepid_map ID OWN START COUNT: the map with ID inside for OWN outside
# and the range around it (podman's keep-id layout; ID 0: root inside).
keepid_map() {
	local n=$1 own=$2 s=$3 c=$4
	if ((n == 0)); then
		printf '0 %d 1\n1 %d %d' "$own" "$s" "$c"
	else
		printf '0 %d %d\n%d %d 1\n%d %d %d' "$s" "$n" "$n" "$own" \
			$((n + 1)) $((s + n)) $((c - n))
	fi
}

# The uid and gid maps expected for inside ids UID and GID.
expected_uid_map() {
	if ((HAVE_RANGES)); then
		keepid_map "$1" "$ME_UID" "$SUID_START" "$SUID_COUNT"
	else
		printf '%d %d 1' "$1" "$ME_UID"
	fi
}
expected_gid_map() {
	if ((HAVE_RANGES)); then
		keepid_map "$1" "$ME_GID" "$SGID_START" "$SGID_COUNT"
	else
		printf '%d %d 1' "$1" "$ME_GID"
	fi
}

IDS_SCRIPT='cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --
cat /proc/self/setgroups; echo --; id -u; id -g'

# check_ids UIDMAP GIDMAP SETGROUPS UID GID: compare the output of
# IDS_SCRIPT (in OUT) with the expectations.
check_ids() {
	expect_status 0
	expect_eq "uid_map" "$1" "$(norm "$(section 0 "$OUT")")"
	expect_eq "gid_map" "$2" "$(norm "$(section 1 "$OUT")")"
	expect_eq "setgroups" "$3" "$(section 2 "$OUT")"
	expect_eq "payload uid and gid" "$4 $5" "$(section 3 "$OUT" | paste -sd ' ')"
}

# mount_of MOUNTINFO MOUNTPOINT: "FSTYPE OPTIONS" of the top mount there.
mount_of() {
	awk -v mp="$2" '{
		for (i = 7; i <= NF && $i != "-"; i++) ;
		if ($5 == mp) r = $(i + 1) " " $6
	} END { print r }' <<<"$1"
}

# has_opt "FSTYPE OPTIONS" OPT
has_opt() { [[ ,${1#* }, == *,$2,* ]]; }

# capmask BITS...: the 16-hex-digit mask of the capability bits.
capmask() {
	local m=0 b
	for b in "$@"; do m=$((m | (1 << b))); done
	printf '%016x' "$m"
}
CAP_LAST=$(</proc/sys/kernel/cap_last_cap)
CAP_ALL=$(printf '%016x' $(((1 << (CAP_LAST + 1)) - 1)))
CAP_NET_ADMIN_BIT=12
CAP_NONE=0000000000000000

# caps_of STATUS NAME: the value of CapNAME in a /proc/PID/status text.
caps_of() { awk -v k="Cap$2:" '$1 == k { print $2 }' <<<"$1"; }

# ------------------------------------------------ leftovers after errors

# _mine UID: UID is ours or one of our subordinate uids.
_mine() {
	(($1 == ME_UID)) ||
		((HAVE_RANGES && $1 >= SUID_START && $1 < SUID_START + SUID_COUNT))
}

CLK_TCK=$(getconf CLK_TCK)
_ticks() { awk -v hz="$CLK_TCK" '{ printf "%d", $1 * hz }' /proc/uptime; }

# _has_mark PID MARK: PID's environment carries MARK (status 0), does not
# (1), or cannot be read (2: sandbox makes its setup processes
# non-dumpable).
_has_mark() {
	local -a envs=()
	mapfile -d "" -t envs 2>/dev/null <"/proc/$1/environ"
	((${#envs[@]})) || return 2
	[[ " ${envs[*]} " == *" SB_TEST_MARK=$2 "* ]]
}

# _of_run PID MARK: PID, whose environment cannot be read, belongs to the
# run of MARK: it started during the run (RUN_TICKS, the snapshot's and
# the run's end), and its first ancestor we can read carries MARK, or it
# has none but init (an orphan). Another run's processes have that run's
# ancestors.
_of_run() {
	local p=$1 st rc
	read -r -a st 2>/dev/null <"/proc/$p/stat" || return 1
	((st[21] >= RUN_TICKS[0] && st[21] <= RUN_TICKS[1])) || return 1
	while ((p > 1)); do
		_has_mark "$p" "$2"
		rc=$?
		((rc == 2)) || return "$rc"
		read -r -a st 2>/dev/null <"/proc/$p/stat" || return 0
		p=${st[3]}
	done
	return 0
}

# _watched MARK: "PID COMM" of the processes of a sandbox run: sandbox
# itself and the helpers it starts, when they run as us or our
# subordinate ids and carry MARK in their environment (or belong to the
# run by _of_run where it cannot be read), and our processes carrying MARK
# in their environment (every process of the run inherits it).
_watched() {
	local d comm base=${SANDBOX##*/} uid
	local -a envs
	base=${base:0:15}
	for d in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$d/comm" || continue
		envs=()
		case $comm in
		"$base" | sandbox | newuidmap | newgidmap | fuse-overlayfs | pasta | \
			passt | slirp4netns)
			uid=$(stat -c %u "$d" 2>/dev/null) || continue
			_mine "$uid" || continue
			_has_mark "${d#/proc/}" "$1"
			case $? in
			1) continue ;;
			2) _of_run "${d#/proc/}" "$1" || continue ;;
			esac
			;;
		*)
			[[ -O $d ]] || continue
			mapfile -d "" -t envs 2>/dev/null <"$d/environ" || continue
			[[ " ${envs[*]} " == *" SB_TEST_MARK=$1 "* ]] || continue
			;;
		esac
		printf '%s %s\n' "${d#/proc/}" "$comm"
	done
}

# Entries of /tmp that sandbox itself may make, ours or our subordinate
# ids': its only name there is sandbox-net.* (the directory of
# slirp4netns's API socket, made in XDG_RUNTIME_DIR, or in /tmp when that
# is unusable). Other programs' files are none of this suite's business.
_tmp_entries() {
	local uid name
	find /tmp -mindepth 1 -maxdepth 1 -name 'sandbox-net.*' -printf '%U %f\n' 2>/dev/null |
		while read -r uid name; do
			_mine "$uid" && printf '%s\n' "$name"
		done | sort
}

# snapshot MARK: what is there before a run. RUN_TICKS: its start and
# (once it has ended) its end, in the clock ticks since boot of
# /proc/PID/stat's start times.
snapshot() {
	RUN_TICKS=("$(_ticks)" 999999999999)
	SNAP_PROCS=$(_watched "$1")
	SNAP_TMP=$(_tmp_entries)
	SNAP_MOUNTS=$(sort /proc/self/mountinfo)
}

_new_procs() {
	comm -13 <(sort <<<"$SNAP_PROCS") <(_watched "$1" | sort) | sed '/^$/d'
}
_new_tmp() { comm -13 <(cat <<<"$SNAP_TMP") <(_tmp_entries) | sed '/^$/d'; }
# (mounts gone meanwhile are someone else's doing, not a leftover)
_new_mounts() { comm -13 <(cat <<<"$SNAP_MOUNTS") <(sort /proc/self/mountinfo); }
# _clean MARK: nothing new (what there is in LEFT_*).
_clean() {
	LEFT_PROCS=$(_new_procs "$1") LEFT_TMP=$(_new_tmp) LEFT_MOUNTS=$(_new_mounts)
	LEFT_PRIV=$(private_left)
	[[ -z $LEFT_PROCS$LEFT_TMP$LEFT_MOUNTS$LEFT_PRIV ]]
}

# _ps: what the processes in LEFT_PROCS are.
_ps() {
	local p
	while read -r p _; do
		printf '%s: ppid %s, %s\n' "$p" "$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)" \
			"$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-200)"
	done <<<"$LEFT_PROCS"
}

# expect_clean MARK: no process, mount or sandbox-net.* entry in /tmp more
# than at the last snapshot, nothing in the run's private TMPDIR and
# XDG_RUNTIME_DIR. What another program's run may hold for a while (a
# sandbox-net.* directory, a mount) is waited out.
expect_clean() {
	poll "$T_WAIT" _clean "$1"
	expect_eq "processes left behind" "" "$LEFT_PROCS"
	[[ -z $LEFT_PROCS ]] || fail "what they are:" "$(_ps)"
	expect_eq "new sandbox-net.* entries in /tmp" "" "$LEFT_TMP"
	expect_eq "entries left in TMPDIR and XDG_RUNTIME_DIR" "" "$LEFT_PRIV"
	expect_eq "new mounts in the host's mount table" "" "$LEFT_MOUNTS"
}

# expect_setup_error ERES CMD...: CMD (a sandbox command line) exits 125
# with one message, starting "sandbox: ", that matches each line of ERES
# (extended regular expressions, one a line), and leaves nothing behind.
# It runs with a private TMPDIR and XDG_RUNTIME_DIR.
MARK_N=0
expect_setup_error() {
	local -a res
	local mark re
	mapfile -t res <<<"$1"
	shift
	MARK_N=$((MARK_N + 1))
	mark=sbmark-$$-$MARK_N
	private_dirs
	snapshot "$mark"
	run env SB_TEST_MARK="$mark" "${PRIV_ENV[@]}" "$@"
	RUN_TICKS[1]=$(($(_ticks) + 1))
	expect_status 125
	expect_match "the message starts with 'sandbox: '" '^sandbox: ' \
		"$(head -n 1 <<<"$ERR")"
	expect_no_match "one message, not the usage text" '^Usage:' "$ERR"
	for re in "${res[@]}"; do
		[[ -n $re ]] || continue
		expect_match "the message" "$re" "$ERR"
	done
	expect_clean "$mark"
}

# ------------------------------------------------------------ basics

t "runs a command in a --rootfs and passes its output"
sbr -- echo hello
expect_status 0
expect_eq "stdout" hello "$OUT"
expect_eq "stderr" "" "$ERR"

t "runs a command over the host's / when there is no --rootfs"
sb -- /bin/sh -c 'test -x /usr/bin/newuidmap && cat /etc/debian_version'
expect_status 0
expect_eq "host's /etc/debian_version" "$(</etc/debian_version)" "$OUT"

t "stdin is passed to the payload"
printf 'from stdin\n' >"$T_TMP/stdin.txt"
RUN_STDIN=$T_TMP/stdin.txt sbr -- cat
expect_status 0
expect_eq "stdout" "from stdin" "$OUT"

# ------------------------------------------------------------- identity

if ((HAVE_RANGES)); then
	SETGROUPS_RANGES=allow
else
	SETGROUPS_RANGES=deny
fi

t "default id maps ($( ((HAVE_RANGES)) && echo 'subordinate ranges' || echo 'single id'))"
sbr -- sh -c "$IDS_SCRIPT"
check_ids "$(expected_uid_map "$ME_UID")" "$(expected_gid_map "$ME_GID")" \
	"$SETGROUPS_RANGES" "$ME_UID" "$ME_GID"

if ((HAVE_RANGES)); then
	t "--subids maps the /etc/subuid and /etc/subgid ranges"
	sbr --subids -- sh -c "$IDS_SCRIPT"
	check_ids "$(expected_uid_map "$ME_UID")" "$(expected_gid_map "$ME_GID")" \
		allow "$ME_UID" "$ME_GID"
else
	t "--subids without /etc/subuid entries: exit 125 naming /etc/subuid and usermod"
	expect_setup_error $'/etc/subuid\n'"$ME_NAME"$'\nusermod --add-subuids' \
		"$SANDBOX" --rootfs "$ROOTFS" --subids -- true
fi

t "--uid 0: root inside, the range from 1"
sbr --uid 0 -- sh -c "$IDS_SCRIPT"
check_ids "$(expected_uid_map 0)" "$(expected_gid_map 0)" \
	"$SETGROUPS_RANGES" 0 0

t "--uid N keeps the layout with N in place of the user's uid"
sbr --uid 4242 -- sh -c "$IDS_SCRIPT"
check_ids "$(expected_uid_map 4242)" "$(expected_gid_map "$ME_GID")" \
	"$SETGROUPS_RANGES" 4242 "$ME_GID"

t "--uid N --gid M"
sbr --uid 4242 --gid 4343 -- sh -c "$IDS_SCRIPT"
check_ids "$(expected_uid_map 4242)" "$(expected_gid_map 4343)" \
	"$SETGROUPS_RANGES" 4242 4343

t "--no-subids maps only the user's own ids, setgroups deny"
sbr --no-subids -- sh -c "$IDS_SCRIPT"
check_ids "$ME_UID $ME_UID 1" "$ME_GID $ME_GID 1" deny "$ME_UID" "$ME_GID"

t "--no-subids --uid 0 maps the user to root"
sbr --no-subids --uid 0 -- sh -c "$IDS_SCRIPT"
check_ids "0 $ME_UID 1" "0 $ME_GID 1" deny 0 0

if ((HAVE_RANGES && ME_UID != 0)); then
	t "host view: only the user's own ids by default, the ranges for --uid 0 with a writable mount"
	sb -- sh -c "$IDS_SCRIPT"
	check_ids "$ME_UID $ME_UID 1" "$ME_GID $ME_GID 1" deny "$ME_UID" "$ME_GID"
	sb --uid 0 -- sh -c "$IDS_SCRIPT"
	check_ids "0 $ME_UID 1" "0 $ME_GID 1" deny 0 0
	sb --uid 0 --tmpfs /tmp/w -- sh -c "$IDS_SCRIPT" # /tmp: a tmpfs in any host view
	check_ids "$(expected_uid_map 0)" "$(expected_gid_map 0)" allow 0 0
	sb --subids -- sh -c "$IDS_SCRIPT"
	check_ids "$(expected_uid_map "$ME_UID")" "$(expected_gid_map "$ME_GID")" \
		allow "$ME_UID" "$ME_GID"
fi

t "--uid-map and --gid-map give exactly the maps asked for"
if ((HAVE_RANGES)); then
	sbr --uid-map "$ME_UID:$ME_UID:1" --uid-map "0:$SUID_START:100" \
		--gid-map "$ME_GID:$ME_GID:1" --gid-map "0:$SGID_START:100" \
		-- sh -c "$IDS_SCRIPT"
	check_ids "$ME_UID $ME_UID 1"$'\n'"0 $SUID_START 100" \
		"$ME_GID $ME_GID 1"$'\n'"0 $SGID_START 100" allow "$ME_UID" "$ME_GID"
else
	sbr --uid-map "$ME_UID:$ME_UID:1" --gid-map "$ME_GID:$ME_GID:1" \
		-- sh -c "$IDS_SCRIPT"
	check_ids "$ME_UID $ME_UID 1" "$ME_GID $ME_GID 1" deny "$ME_UID" "$ME_GID"
fi

t "chown to another uid inside works only with subordinate ranges"
CHOWN_SCRIPT='touch /mnt/f && chown 1000:1000 /mnt/f && stat -c %u:%g /mnt/f'
sbr --uid 0 --cap-add CAP_CHOWN --tmpfs /mnt -- sh -c "$CHOWN_SCRIPT"
if ((HAVE_RANGES)); then
	expect_status 0
	expect_eq "owner after chown" 1000:1000 "$OUT"
else
	expect_ne "exit status" 0 "$RC"
	expect_match "chown error" 'Invalid argument' "$ERR"
fi
sbr --no-subids --uid 0 --cap-add CAP_CHOWN --tmpfs /mnt -- sh -c "$CHOWN_SCRIPT"
expect_ne "exit status with --no-subids" 0 "$RC"
expect_match "chown error with --no-subids" 'Invalid argument' "$ERR"

if ((HAVE_RANGES)); then
	t "a file chowned in a --rootfs-rw copy belongs to a subordinate id on the host"
	cp -a "$ROOTFS" "$T_TMP/chown-root"
	run "$SANDBOX" --rootfs "$T_TMP/chown-root" --rootfs-rw --uid 0 \
		--cap-add CAP_CHOWN -- sh -c 'touch /home/f && chown 1000:1000 /home/f'
	expect_status 0
	expect_eq "owner on the host" "$((SUID_START + 999)):$((SGID_START + 999))" \
		"$(stat -c %u:%g "$T_TMP/chown-root/home/f" 2>&1)"
fi

# ------------------------------------------------------------ namespaces

t "hostname is 'sandbox' by default"
sbr -- sh -c 'hostname; cat /proc/sys/kernel/hostname'
expect_status 0
expect_eq "hostname" $'sandbox\nsandbox' "$OUT"

t "--hostname NAME"
sbr --hostname box-42 -- hostname
expect_status 0
expect_eq "hostname" box-42 "$OUT"

t "the host's hostname is unchanged"
expect_eq "host hostname" "$HOST_HOSTNAME" "$(</proc/sys/kernel/hostname)"

NS_LIST=(user mnt pid net ipc uts cgroup time)
declare -A HOST_NS=()
for ns in "${NS_LIST[@]}"; do
	HOST_NS[$ns]=$(readlink "/proc/self/ns/$ns" 2>/dev/null)
done
NS_SCRIPT='for n in user mnt pid net ipc uts cgroup time; do
	echo "$n $(readlink /proc/self/ns/$n 2>/dev/null)"; done'

# ns_of NAME: the namespace link of NAME in the last NS_SCRIPT output.
ns_of() { awk -v n="$1" '$1 == n { print $2 }' <<<"$OUT"; }

sbr -- sh -c "$NS_SCRIPT"
NS_DEFAULT_OUT=$OUT NS_DEFAULT_RC=$RC NS_DEFAULT_ERR=$ERR
for ns in user mnt pid net ipc uts cgroup; do
	t "the $ns namespace is private"
	OUT=$NS_DEFAULT_OUT RC=$NS_DEFAULT_RC ERR=$NS_DEFAULT_ERR
	if [[ -z ${HOST_NS[$ns]} ]]; then
		skip "the kernel has no $ns namespaces"
		continue
	fi
	expect_status 0
	expect_match "$ns namespace inside" "^$ns:\[[0-9]+\]\$" "$(ns_of "$ns")"
	expect_ne "$ns namespace inside vs the host's" "${HOST_NS[$ns]}" "$(ns_of "$ns")"
done

for ns in net ipc pid uts cgroup; do
	t "--share-$ns keeps the host's $ns namespace"
	if [[ -z ${HOST_NS[$ns]} ]]; then
		skip "the kernel has no $ns namespaces"
		continue
	fi
	sbr "--share-$ns" -- sh -c "$NS_SCRIPT"
	expect_status 0
	expect_eq "$ns namespace" "${HOST_NS[$ns]}" "$(ns_of "$ns")"
	other=ipc
	[[ $ns == ipc ]] && other=uts
	expect_ne "$other namespace (still private)" "${HOST_NS[$other]}" "$(ns_of "$other")"
done

t "--share-uts shows the host's hostname"
sbr --share-uts -- hostname
expect_status 0
expect_eq "hostname" "$HOST_HOSTNAME" "$OUT"

t "the time namespace is shared by default and private with --unshare-time"
if [[ -z ${HOST_NS[time]} ]]; then
	skip "the kernel has no time namespaces"
else
	OUT=$NS_DEFAULT_OUT RC=$NS_DEFAULT_RC ERR=$NS_DEFAULT_ERR
	expect_eq "time namespace by default" "${HOST_NS[time]}" "$(ns_of time)"
	sbr --unshare-time -- sh -c "$NS_SCRIPT"
	expect_status 0
	expect_match "time namespace inside" '^time:\[[0-9]+\]$' "$(ns_of time)"
	expect_ne "time namespace with --unshare-time" "${HOST_NS[time]}" "$(ns_of time)"
fi

t "pid namespace: the payload sees only the sandbox's processes"
HOST_NPROC=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
sbr -- sh -c 'echo $$; echo --; ls /proc | grep -c "^[0-9]"; echo --; ps -o pid,comm; echo --
	for p in /proc/[0-9]*; do test -e "$p/status" && echo "${p#/proc/}"; done
	echo --; if test -e /proc/'"$$"'; then echo "host pid '"$$"' visible"; fi'
expect_status 0
expect_match "payload pid" '^[1-3]$' "$(section 0 "$OUT")"
procs_inside=$(section 1 "$OUT")
expect_true "at most 5 pids in /proc ($procs_inside) against $HOST_NPROC on the host" \
	test "${procs_inside:-99}" -le 5
expect_true "the host has more processes than the sandbox" test "$HOST_NPROC" -gt 5
expect_true "ps lists at most 5 processes" test "$(section 2 "$OUT" | wc -l)" -le 6
expect_eq "host processes visible" "" "$(section 4 "$OUT")"

t "network namespace: only lo, and lo is up"
sbr -- sh -c 'cat /proc/net/dev; echo --; ip -o link show; echo --; ls /sys/class/net'
expect_status 0
expect_eq "interfaces in /proc/net/dev" lo \
	"$(section 0 "$OUT" | awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }')"
expect_match "ip link: lo" '^1: lo: <([^>]*,)?UP[,>]' "$(section 1 "$OUT")"
expect_eq "number of links" 1 "$(section 1 "$OUT" | grep -c .)"
expect_eq "/sys/class/net" lo "$(section 2 "$OUT")"

# The client connects once the listener's socket is in LISTEN (0A) state
# in /proc/net/tcp or tcp6 (port 4711 is 1267 in hex). The listener's
# input is a fifo that never ends, so it never closes first (a client
# that saw its end before reading its own input would send nothing); it
# ends when the client has sent its line and closed.
t "the loopback interface carries traffic"
sbr -- sh -c 'mkfifo /tmp/in && exec 3<>/tmp/in
	nc -l -p 4711 <&3 >/tmp/got & l=$!
	until cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk "\$2 ~ /:1267\$/ && \$4 == \"0A\" { f = 1 } END { exit !f }"; do
		kill -0 $l || exit 9; sleep 0.05; done
	echo probe | nc 127.0.0.1 4711; wait $l; cat /tmp/got'
expect_status 0
expect_eq "received through 127.0.0.1" probe "$OUT"

# ----------------------------------------------------------- filesystem

t "with --rootfs only the rootfs is visible"
touch "$VT/host-only"
sbr -- sh -c 'ls -A /; echo --; for f in /usr/bin/newuidmap /etc/os-release '"$VT"'/host-only; do
	test -e "$f" && echo "visible: $f"; done; echo --; cat /proc/self/mountinfo'
expect_status 0
expect_eq "entries of /" "$(ls -A "$ROOTFS")" "$(section 0 "$OUT")"
expect_eq "host files visible" "" "$(section 1 "$OUT")"
bad_mounts=$(section 2 "$OUT" | awk '{ print $5 }' |
	grep -Ev '^/$|^/(proc|dev|sys)(/.*)?$|^/(tmp|run)$|^/etc/(hosts|resolv\.conf|hostname)$')
expect_eq "mounts other than /, /proc, /dev, /sys, /tmp, /run (old root detached)" \
	"" "$bad_mounts"

t "--rootfs leaves DIR unchanged by default"
sbr -- sh -c 'echo x >/etc/new-file; rm -f /etc/passwd; mkdir /new-dir; true'
expect_status 0
expect_false "file created in DIR" test -e "$ROOTFS/etc/new-file"
expect_false "directory created in DIR" test -e "$ROOTFS/new-dir"
expect_true "file removed from DIR" test -f "$ROOTFS/etc/passwd"

t "--rootfs-rw makes the rootfs writable"
cp -a "$ROOTFS" "$T_TMP/rw-root"
run "$SANDBOX" --rootfs "$T_TMP/rw-root" --rootfs-rw -- sh -c 'echo written >/etc/new-file'
expect_status 0
expect_eq "file on the host" written "$(cat "$T_TMP/rw-root/etc/new-file" 2>&1)"

t "--read-only binds the rootfs read-only"
sbr --read-only -- sh -c 'echo x >/etc/other-file; echo --; cat /proc/self/mountinfo'
expect_status 0
expect_match "error" 'Read-only file system' "$ERR"
expect_false "file created" test -e "$ROOTFS/etc/other-file"
expect_true "/ mounted ro" has_opt "$(mount_of "$(section 1 "$OUT")" /)" ro

t "without --rootfs the host's / is visible and read-only"
sb -- /bin/sh -c "ls -d '$VT' && touch '$VT/from-sandbox'; echo --; cat /proc/self/mountinfo"
expect_status 0
expect_eq "host directory visible" "$VT" "$(section 0 "$OUT")"
expect_match "touch error" 'Read-only file system' "$ERR"
expect_false "file created on the host" test -e "$VT/from-sandbox"
expect_true "/ mounted ro" has_opt "$(mount_of "$(section 1 "$OUT")" /)" ro

t "without --rootfs /tmp and /run are fresh, empty and writable"
sb -- /bin/sh -c 'ls -A /tmp /run; echo --; touch /tmp/x /run/x && echo writable'
expect_status 0
expect_eq "contents of /tmp and /run" $'/run:\n\n/tmp:' "$(section 0 "$OUT")"
expect_eq "writable" writable "$(section 1 "$OUT")"

t "/tmp and /run are empty writable tmpfs"
sbr -- sh -c 'ls -A /tmp /run; echo --; cat /proc/self/mountinfo; echo --
	touch /tmp/x /run/x && echo writable'
expect_status 0
expect_eq "contents of /tmp and /run" $'/run:\n\n/tmp:' "$(section 0 "$OUT")"
expect_match "/tmp" '^tmpfs ' "$(mount_of "$(section 1 "$OUT")" /tmp)"
expect_match "/run" '^tmpfs ' "$(mount_of "$(section 1 "$OUT")" /run)"
expect_eq "writable" writable "$(section 2 "$OUT")"

t "/proc is a fresh procfs of the sandbox's pid namespace"
sbr -- sh -c 'echo $$; read -r pid rest </proc/self/stat; echo $pid; echo --
	cat /proc/self/mountinfo'
expect_status 0
expect_match "payload pid" '^[1-3]$' "$(section 0 "$OUT" | head -n 1)"
expect_eq "the payload's pid in /proc/self" \
	"$(section 0 "$OUT" | sed -n 1p)" "$(section 0 "$OUT" | sed -n 2p)"
expect_match "/proc" '^proc ' "$(mount_of "$(section 1 "$OUT")" /proc)"

t "/sys is read-only and shows the sandbox's network namespace"
sbr -- sh -c 'cat /proc/self/mountinfo; echo --; ls /sys/class/net; echo --
	mkdir /sys/fs/x 2>&1; echo x > /sys/kernel/uevent_helper 2>&1; true'
expect_status 0
expect_match "/sys" '^sysfs ' "$(mount_of "$(section 0 "$OUT")" /sys)"
expect_true "/sys mounted ro" has_opt "$(mount_of "$(section 0 "$OUT")" /sys)" ro
expect_eq "/sys/class/net" lo "$(section 1 "$OUT")"
expect_match "writes to /sys" 'Read-only file system' "$(section 2 "$OUT")"

t "/dev is minimal"
sbr -- sh -c 'ls -A /dev; echo --; find /dev -type b; echo --; find /dev -type c; echo --
	for l in fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done'
expect_status 0
dev_list=$(section 0 "$OUT")
for e in null zero full random urandom tty ptmx pts shm fd stdin stdout stderr; do
	expect_match "/dev/$e present" "^$e\$" "$dev_list"
done
expect_no_match "disks, memory or consoles" \
	'^(sd|vd|hd|xvd|nvme|loop|mmcblk|dm-|sr|mem$|kmem$|port$|kmsg$|ttyS|vcs|cpu|snd|input|dri|net$|fuse$|kvm$)' \
	"$dev_list"
expect_eq "block devices" "" "$(section 1 "$OUT")"
expect_eq "character devices" \
	"$(printf '/dev/%s\n' full null pts/ptmx random tty urandom zero | sort)" \
	"$(section 2 "$OUT" | grep -vx '/dev/\(ptmx\|console\)' | sort)"
expect_eq "fd and std* links" \
	$'fd -> /proc/self/fd\nstdin -> /proc/self/fd/0\nstdout -> /proc/self/fd/1\nstderr -> /proc/self/fd/2' \
	"$(section 3 "$OUT")"

t "/dev devices work"
sbr -- sh -c 'head -c 3 /dev/zero | od -An -tx1; echo x >/dev/null && echo null ok
	(echo x >/dev/full) 2>&1; head -c 8 /dev/urandom | wc -c; head -c 8 /dev/random | wc -c'
expect_status 0
expect_eq "output" $'00 00 00\nnull ok\nENOSPC\n8\n8' \
	"$(norm "$OUT" | sed 's/.*No space left on device.*/ENOSPC/')"

t "/dev/pts is a new devpts instance and /dev/ptmx works"
sbr -- sh -c 'ls -A /dev/pts; echo --; exec 3<>/dev/ptmx && ls -A /dev/pts; echo --
	cat /proc/self/mountinfo; echo --; touch /dev/shm/x && echo shm writable'
expect_status 0
expect_eq "/dev/pts before opening /dev/ptmx" ptmx "$(section 0 "$OUT")"
expect_eq "/dev/pts after" $'0\nptmx' "$(section 1 "$OUT")"
expect_match "/dev/pts" '^devpts ' "$(mount_of "$(section 2 "$OUT")" /dev/pts)"
expect_match "/dev/shm" '^tmpfs ' "$(mount_of "$(section 2 "$OUT")" /dev/shm)"
expect_eq "/dev/shm" "shm writable" "$(section 3 "$OUT")"

# ------------------------------------------------------- mount operations

mkdir -p "$T_TMP/src/sub"
printf 'A\n' >"$T_TMP/src/a"
SRC=$T_TMP/src
MISSING=$T_TMP/does-not-exist

t "--bind SRC DEST binds writable"
sbr --bind "$SRC" /mnt -- sh -c 'cat /mnt/a && echo B >/mnt/b'
expect_status 0
expect_eq "read through the bind" A "$OUT"
expect_eq "written through the bind" B "$(cat "$SRC/b" 2>&1)"
rm -f "$SRC/b"

t "--bind creates a missing destination (in a tmpfs)"
sbr --tmpfs /mnt --bind "$SRC" /mnt/x/y -- cat /mnt/x/y/a
expect_status 0
expect_eq "read through the bind" A "$OUT"

t "--ro-bind SRC DEST binds read-only"
sbr --ro-bind "$SRC" /mnt -- sh -c 'cat /mnt/a; echo B >/mnt/b'
expect_ne "exit status" 0 "$RC"
expect_eq "read through the bind" A "$OUT"
expect_match "write error" 'Read-only file system' "$ERR"
expect_false "file written through --ro-bind" test -e "$SRC/b"

t "--dev-bind keeps devices usable, --bind does not"
sbr --tmpfs /mnt --dev-bind /dev/null /mnt/null -- sh -c 'echo x >/mnt/null && echo dev-bind ok'
expect_status 0
expect_eq "write to the device through --dev-bind" "dev-bind ok" "$OUT"
sbr --tmpfs /mnt --bind /dev/null /mnt/null -- sh -c 'echo x >/mnt/null'
expect_ne "exit status of a write through --bind" 0 "$RC"
expect_match "error through --bind" 'Permission denied|Operation not permitted' "$ERR"

for opt in --bind-try --ro-bind-try --dev-bind-try; do
	t "$opt with a missing source does nothing"
	sbr "$opt" "$MISSING" /mnt -- sh -c 'ls -A /mnt; echo ran'
	expect_status 0
	expect_eq "output (/mnt empty)" ran "$OUT"

	t "$opt with an existing source binds it"
	sbr "$opt" "$SRC" /mnt -- cat /mnt/a
	expect_status 0
	expect_eq "read through the bind" A "$OUT"
done

t "--ro-bind-try binds read-only"
sbr --ro-bind-try "$SRC" /mnt -- sh -c 'echo B >/mnt/b'
expect_ne "exit status" 0 "$RC"
expect_false "file written" test -e "$SRC/b"

t "--tmpfs DEST mounts a writable tmpfs"
sbr --tmpfs /mnt -- sh -c 'ls -A /mnt; echo x >/mnt/f && cat /mnt/f; echo --; cat /proc/self/mountinfo'
expect_status 0
expect_eq "contents" x "$(section 0 "$OUT")"
expect_match "/mnt" '^tmpfs ' "$(mount_of "$(section 1 "$OUT")" /mnt)"

t "--proc DEST mounts a procfs"
sbr --proc /mnt -- sh -c 'test -r /mnt/1/status && echo has-1; cat /proc/self/mountinfo'
expect_status 0
expect_eq "/mnt/1/status" has-1 "$(head -n 1 <<<"$OUT")"
expect_match "/mnt" '^proc ' "$(mount_of "$OUT" /mnt)"

t "--dev DEST mounts a minimal /dev"
sbr --dev /mnt -- sh -c 'ls -A /mnt; echo x >/mnt/null && echo null ok'
expect_status 0
for e in null zero full random urandom tty ptmx pts shm; do
	expect_match "/mnt/$e" "^$e\$" "$OUT"
done
expect_match "write to /mnt/null" '^null ok$' "$OUT"

t "--dir DEST creates a directory (with parents)"
sbr --tmpfs /mnt --dir /mnt/d1/d2 -- stat -c '%F %a' /mnt/d1/d2
expect_status 0
expect_eq "stat" "directory 755" "$OUT"

t "--symlink TARGET DEST creates a symbolic link"
sbr --tmpfs /mnt --symlink /etc/passwd /mnt/link -- sh -c 'readlink /mnt/link; head -n 1 /mnt/link'
expect_status 0
expect_eq "link and its target" $'/etc/passwd\nroot:x:0:0:root:/root:/bin/sh' "$OUT"

RO_SCRIPT='touch /mnt/x 2>/dev/null; echo $?; touch /mnt/sub/y 2>/dev/null; echo $?'
t "--remount-ro DEST makes that mount read-only, not those below it (bwrap 0.11)"
sbr --tmpfs /mnt --tmpfs /mnt/sub -- sh -c "$RO_SCRIPT"
expect_status 0
expect_eq "touch statuses without --remount-ro" $'0\n0' "$OUT"
sbr --tmpfs /mnt --tmpfs /mnt/sub --remount-ro /mnt -- sh -c "$RO_SCRIPT"
expect_status 0
expect_eq "touch statuses with --remount-ro /mnt" $'1\n0' "$OUT"

t "--rw PATH binds a host path writable over the read-only host view"
mkdir -p "$VT/rw/ro"
sb --rw "$VT/rw" -- /bin/sh -c "echo w >'$VT/rw/f'"
expect_status 0
expect_eq "file on the host" w "$(cat "$VT/rw/f" 2>&1)"

t "--ro PATH binds a host path read-only (after --rw: order matters)"
sb --rw "$VT/rw" --ro "$VT/rw/ro" -- /bin/sh -c "echo a >'$VT/rw/g'; echo b >'$VT/rw/ro/x'"
expect_ne "exit status" 0 "$RC"
expect_match "error" 'Read-only file system' "$ERR"
expect_eq "file written through --rw" a "$(cat "$VT/rw/g" 2>&1)"
expect_false "file written through --ro" test -e "$VT/rw/ro/x"

t "mount operations apply in the order given"
sbr --tmpfs /mnt --dir /mnt/a -- test -d /mnt/a
expect_status 0
sbr --tmpfs /mnt --dir /mnt/a --tmpfs /mnt -- test -e /mnt/a
expect_status 1

# -------------------------------------------------------------- process

t "exit status: the payload's"
sbr -- sh -c 'exit 7'
expect_status 7
sbr -- sh -c 'exit 0'
expect_status 0
sbr -- sh -c 'exit 255'
expect_status 255

t "exit status: 128+N when the payload is killed by signal N"
sbr -- sh -c 'kill -KILL $$'
expect_status 137
sbr -- sh -c 'kill -TERM $$'
expect_status 143

t "exit status: 127 when the command is not found"
sbr -- no-such-command-xyz
expect_status 127
expect_match "message" 'no-such-command-xyz' "$ERR"
sbr -- /no/such/path
expect_status 127
expect_match "message" '/no/such/path' "$ERR"

t "exit status: 126 when the command cannot run"
sbr -- /etc/passwd
expect_status 126
expect_match "message" '/etc/passwd' "$ERR"
sbr -- /etc
expect_status 126

t "exit status: 125 for a bad option"
sbr --no-such-option -- true
expect_status 125

# sig_test SIG CODE [SANDBOX-ARGS...]: SIG sent to the setup process makes
# the payload's trap exit with CODE.
sig_test() {
	local sig=$1 code=$2 pid rc out
	shift 2
	t "SIG$sig sent to sandbox reaches the payload${*:+ ($*)}"
	out=$T_TMP/sig-$sig.out
	: >"$out"
	# env --default-signal: a background job of a script starts with
	# SIGINT and SIGQUIT ignored, and a shell cannot trap those.
	env --default-signal "$SANDBOX" --rootfs "$ROOTFS" "$@" -- \
		sh -c "trap 'exit $code' $sig; echo ready; sleep 3600 & wait" \
		</dev/null >"$out" 2>&1 &
	pid=$!
	track_pid "$pid"
	if ! poll "$T_WAIT" grep -q ready "$out"; then
		fail "the payload did not start" "$(cat "$out")"
		kill -KILL "$pid"
		wait "$pid"
		return
	fi
	kill "-$sig" "$pid"
	if ! poll "$T_WAIT" _exited "$pid"; then
		fail "sandbox still running $T_WAIT s after SIG$sig"
		kill -KILL "$pid"
	fi
	wait "$pid"
	rc=$?
	expect_status "$code" "$rc"
	expect_eq "output" ready "$(cat "$out")"
}

# _exited PID: PID (our child) is a zombie or gone.
_exited() {
	local p c st
	read -r p c st _ 2>/dev/null <"/proc/$1/stat" || return 0
	[[ $st == Z ]]
}

sig_test TERM 3
sig_test INT 4
sig_test HUP 5
sig_test QUIT 6
sig_test USR1 7
sig_test USR2 8
sig_test WINCH 9
sig_test TERM 10 --as-pid-1

t "pid 1 reaps orphans: no zombie is left"
sbr -- sh -c '( sleep 0.3 & echo $! >/tmp/orphan ); read -r o </tmp/orphan
	echo "ppid=$(awk "/^PPid:/ { print \$2 }" /proc/$o/status)"
	end=$(($(date +%s) + '"$T_WAIT"'))
	while [ -e /proc/$o ] && [ "$(date +%s)" -lt $end ]; do sleep 0.05; done
	test -e /proc/$o && echo "not reaped: $(grep State /proc/$o/status)"
	for s in /proc/[0-9]*/stat; do read -r p c st rest <$s 2>/dev/null &&
		[ "$st" = Z ] && echo "zombie: $p $c"; done; echo done'
expect_status 0
expect_eq "output" $'ppid=1\ndone' "$OUT"

t "without --as-pid-1 the payload is not pid 1"
sbr -- sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
expect_status 0
expect_match "payload pid" '^[2-9]$' "$(head -n 1 <<<"$OUT")"

t "--as-pid-1 runs the payload as pid 1"
sbr --as-pid-1 -- sh -c 'echo $$'
expect_status 0
expect_eq "payload pid" 1 "$OUT"

t "--as-pid-1 keeps the exit status"
sbr --as-pid-1 -- sh -c 'exit 9'
expect_status 9

# _gone PATTERN: no process's command line matches PATTERN.
_gone() { ! pgrep -f -- "$1" >/dev/null; }

# kill_matching PATTERN: kill what a failed test left (our own processes).
kill_matching() {
	local p
	for p in $(pgrep -f -- "$1"); do kill -KILL "$p" 2>/dev/null; done
}

t "kill -9 of the setup process takes the whole sandbox down"
n=9$RANDOM$RANDOM
"$SANDBOX" --rootfs "$ROOTFS" -- sleep "$n" </dev/null >/dev/null 2>&1 &
pid=$!
track_pid "$pid"
if poll "$T_WAIT" pgrep -x -f "sleep $n" >/dev/null; then
	pass
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	poll "$T_WAIT" _gone "sleep $n"
	expect_eq "processes left after kill -9 (waited up to $T_WAIT s)" "" "$(pgrep -a -f -- "sleep $n")"
	kill_matching "sleep $n"
else
	fail "the payload did not start"
fi

t "--die-with-parent: the sandbox dies with its parent"
n=9$RANDOM$RANDOM
bash -c '"$1" --die-with-parent --rootfs "$2" -- sleep "$3" & wait' _ \
	"$SANDBOX" "$ROOTFS" "$n" </dev/null >/dev/null 2>&1 &
pid=$!
track_pid "$pid"
if poll "$T_WAIT" pgrep -x -f "sleep $n" >/dev/null; then
	pass
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	poll "$T_WAIT" _gone "sleep $n"
	expect_eq "processes left after the parent's death (waited up to $T_WAIT s)" "" \
		"$(pgrep -a -f -- "sleep $n")"
	kill_matching "sleep $n"
else
	fail "the payload did not start"
fi

STAT_SCRIPT='read -r pid comm st ppid pgrp sid rest </proc/self/stat; echo "$pid $sid"'
t "--new-session: the payload leads a new session"
sbr --new-session -- sh -c "$STAT_SCRIPT"
expect_status 0
read -r p_pid p_sid <<<"$OUT"
expect_eq "session id = payload pid" "$p_pid" "$p_sid"
sbr -- sh -c "$STAT_SCRIPT"
expect_status 0
read -r p_pid p_sid <<<"$OUT"
expect_ne "session id without --new-session" "$p_pid" "$p_sid"

t "--chdir DIR"
sbr --chdir /etc -- pwd
expect_status 0
expect_eq "cwd" /etc "$OUT"

t "default cwd: the current directory where it exists inside"
RUN_CWD=/etc sbr -- pwd
expect_status 0
expect_eq "cwd with --rootfs" /etc "$OUT"
RUN_CWD=/usr/share sb -- /bin/pwd
expect_status 0
expect_eq "cwd over the host view" /usr/share "$OUT"

t "default cwd: / where the current directory does not exist inside"
RUN_CWD=/usr/share sbr -- pwd
expect_status 0
expect_eq "cwd with --rootfs" / "$OUT"
RUN_CWD=$T_TMP sb -- /bin/pwd
expect_status 0
expect_eq "cwd under /tmp over the host view" / "$OUT"

t "the environment passes through"
run env SB_TEST_VAR='a b' "$SANDBOX" --rootfs "$ROOTFS" -- /usr/bin/env
expect_status 0
expect_match "environment" '^SB_TEST_VAR=a b$' "$OUT"

t "--setenv VAR VALUE"
sbr --setenv SB_NEW 'x y=z' -- /usr/bin/env
expect_status 0
expect_match "environment" '^SB_NEW=x y=z$' "$OUT"

t "--unsetenv VAR"
run env SB_TEST_VAR=1 SB_KEEP=2 "$SANDBOX" --rootfs "$ROOTFS" --unsetenv SB_TEST_VAR -- /usr/bin/env
expect_status 0
expect_no_match "environment" '^SB_TEST_VAR=' "$OUT"
expect_match "environment" '^SB_KEEP=2$' "$OUT"

t "--clearenv"
run env SB_TEST_VAR=1 "$SANDBOX" --rootfs "$ROOTFS" --clearenv -- /usr/bin/env
expect_status 0
expect_eq "environment (but PWD)" "" "$(grep -v '^PWD=' <<<"$OUT")"
run env SB_TEST_VAR=1 "$SANDBOX" --rootfs "$ROOTFS" --clearenv --setenv SB_A 1 -- /usr/bin/env
expect_status 0
expect_eq "environment after --clearenv --setenv (but PWD)" SB_A=1 "$(grep -v '^PWD=' <<<"$OUT")"

t "--argv0 VALUE"
sbr --argv0 echo -- /bin/busybox from-argv0
expect_status 0
expect_eq "busybox run as 'echo'" from-argv0 "$OUT"
sb --argv0 my-name -- /bin/sh -c 'echo "$0"'
expect_status 0
expect_eq "\$0" my-name "$OUT"

t "-v prints each setup step and its duration to stderr"
sbr -v -- true
expect_status 0
expect_true "at least 3 lines with a duration" test \
	"$(grep -Ec '[0-9]+(\.[0-9]+)? ?(ns|us|µs|ms|s)\b' <<<"$ERR")" -ge 3
sbr --verbose -- true
expect_status 0
expect_true "--verbose: at least 3 lines with a duration" test \
	"$(grep -Ec '[0-9]+(\.[0-9]+)? ?(ns|us|µs|ms|s)\b' <<<"$ERR")" -ge 3
sbr -- true
expect_eq "stderr without -v" "" "$ERR"

# ----------------------------------------------------------- privileges

CAPS_SCRIPT='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status'

# check_caps EFF: CapEff, CapPrm and CapBnd are EFF; CapInh and CapAmb
# hold nothing beyond it; NoNewPrivs is 1.
check_caps() {
	local want=$1 k v
	expect_status 0
	for k in Eff Prm Bnd; do
		expect_eq "Cap$k" "$want" "$(caps_of "$OUT" "$k")"
	done
	for k in Inh Amb; do
		v=$(caps_of "$OUT" "$k")
		expect_eq "Cap$k beyond the requested set" "$CAP_NONE" \
			"$(printf '%016x' $((0x${v:-ffff} & ~0x$want)))"
	done
	expect_eq "NoNewPrivs" 1 "$(awk '$1 == "NoNewPrivs:" { print $2 }' <<<"$OUT")"
}

# The capabilities a payload starts with: none, except for uid 0 inside,
# which gets the documented default set (sandbox --help: CHOWN
# DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP
# SETUID SYS_CHROOT), over the sandbox's namespaces only.
ROOT_CAPS=$(capmask 0 1 3 4 5 10 31 6 8 7 18)
CAP_CHOWN_BIT=0
if ((ME_UID == 0)); then DEF_CAPS=$ROOT_CAPS; else DEF_CAPS=$CAP_NONE; fi

t "a non-root payload has no capabilities, and no_new_privs"
sbr --uid 4242 -- sh -c "$CAPS_SCRIPT"
check_caps "$CAP_NONE"

t "default capabilities of the payload (uid $ME_UID inside)"
sbr -- sh -c "$CAPS_SCRIPT"
check_caps "$DEF_CAPS"

t "over the host view too"
sb -- /bin/sh -c "$CAPS_SCRIPT"
check_caps "$DEF_CAPS"

t "--uid 0: only the default root set"
sbr --uid 0 -- sh -c "$CAPS_SCRIPT"
check_caps "$ROOT_CAPS"

t "--uid 0 --cap-drop ALL: no capabilities"
sbr --uid 0 --cap-drop ALL -- sh -c "$CAPS_SCRIPT"
check_caps "$CAP_NONE"

t "--uid 0 --cap-drop CAP_CHOWN"
sbr --uid 0 --cap-drop CAP_CHOWN -- sh -c "$CAPS_SCRIPT"
check_caps "$(printf '%016x' $((0x$ROOT_CAPS & ~(1 << CAP_CHOWN_BIT))))"

t "--cap-add CAP_NET_ADMIN"
sbr --cap-add CAP_NET_ADMIN -- sh -c "$CAPS_SCRIPT"
check_caps "$(printf '%016x' $((0x$DEF_CAPS | (1 << CAP_NET_ADMIN_BIT))))"
sbr --uid 4242 --cap-add CAP_NET_ADMIN -- sh -c "$CAPS_SCRIPT"
check_caps "$(capmask $CAP_NET_ADMIN_BIT)"
sbr --uid 4242 --cap-add CAP_NET_ADMIN -- ip link set lo down
expect_status 0
sbr -- ip link set lo down
expect_ne "ip link set lo down without the capability: exit status" 0 "$RC"

t "--cap-add ALL"
sbr --cap-add ALL -- sh -c "$CAPS_SCRIPT"
check_caps "$CAP_ALL"

t "--cap-add ALL --cap-drop CAP_NET_ADMIN"
sbr --cap-add ALL --cap-drop CAP_NET_ADMIN -- sh -c "$CAPS_SCRIPT"
check_caps "$(printf '%016x' $((0x$CAP_ALL & ~(1 << CAP_NET_ADMIN_BIT))))"

# The shell lists its own fds, without forking (a pipeline would add its
# own pipe fds).
FD_SCRIPT='fds=; for f in /proc/$$/fd/*; do test -e "$f" && fds="$fds ${f##*/}"; done; echo $fds'
printf 'five\n' >"$T_TMP/fd5"

t "only fds 0, 1 and 2 reach the payload"
{ sbr -- sh -c "$FD_SCRIPT"; } 5<"$T_TMP/fd5" 7</dev/null
expect_status 0
expect_eq "open fds" "0 1 2" "$(norm "$OUT")"

t "--lock-file with --as-pid-1: the command itself holds the lock"
# (with no reaper of ours, the lock fd must survive the command's execve)
: >"$T_TMP/lk"
LOCK_PROBE='import fcntl, sys
try:
    fcntl.lockf(open(sys.argv[1], "w"), fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except OSError:
    print("locked")'
sb --as-pid-1 --bind "$T_TMP/lk" "$T_TMP/lk" --lock-file "$T_TMP/lk" -- \
	python3 -c "$LOCK_PROBE" "$T_TMP/lk"
expect_status 0
expect_eq "a write lock tried inside" "locked" "$OUT"
sb --bind "$T_TMP/lk" "$T_TMP/lk" -- python3 -c "$LOCK_PROBE" "$T_TMP/lk"
expect_eq "the same without --lock-file" "free" "$OUT"

t "--keep-fd FD passes FD"
{ sbr --keep-fd 5 -- sh -c "$FD_SCRIPT; cat <&5"; } 5<"$T_TMP/fd5" 7</dev/null
expect_status 0
expect_eq "open fds and fd 5's contents" $'0 1 2 5\nfive' "$(norm "$OUT")"

# ------------------------------------------------------------ bad input

t "bad input: unknown option"
expect_setup_error '--frobnicate' "$SANDBOX" --frobnicate -- true

t "bad input: missing argument"
expect_setup_error '--hostname' "$SANDBOX" --rootfs "$ROOTFS" --hostname
expect_setup_error '--rootfs' "$SANDBOX" --rootfs

t "bad input: no command"
expect_setup_error '' "$SANDBOX" --rootfs "$ROOTFS"

t "bad input: --rootfs that does not exist"
expect_setup_error "$MISSING" "$SANDBOX" --rootfs "$MISSING" -- true

t "bad input: --rootfs that is not a directory"
expect_setup_error "$T_TMP/fd5"$'\n[Nn]ot a directory' \
	"$SANDBOX" --rootfs "$T_TMP/fd5" -- true

t "bad input: --bind with a missing source"
expect_setup_error "$MISSING" "$SANDBOX" --rootfs "$ROOTFS" --bind "$MISSING" /mnt -- true

t "bad input: a mount operation failing in the child names the real reason"
expect_setup_error $'/new-dir\nRead-only file system' \
	"$SANDBOX" --rootfs "$ROOTFS" --read-only --dir /new-dir -- true

t "bad input: unknown capability"
expect_setup_error CAP_NO_SUCH "$SANDBOX" --rootfs "$ROOTFS" --cap-add CAP_NO_SUCH -- true

t "bad input: --uid that is not a number"
expect_setup_error '--uid' "$SANDBOX" --rootfs "$ROOTFS" --uid abc -- true

t "bad input: malformed --uid-map"
expect_setup_error '--uid-map' "$SANDBOX" --rootfs "$ROOTFS" --uid-map 1:2 -- true

if ((ME_UID != 0)); then
	t "bad input: --uid-map outside the user's ranges"
	expect_setup_error '--uid-map' "$SANDBOX" --rootfs "$ROOTFS" --uid-map 0:100:1 -- true
	t "bad input: --gid-map outside the user's ranges"
	expect_setup_error '--gid-map' "$SANDBOX" --rootfs "$ROOTFS" --gid-map 0:100:1 -- true
fi

# ------------------------------------ issue 11: the smaller defects

# descendants_named PID COMM: the pids of PID's descendants called COMM
# (a glob).
descendants_named() {
	local p
	for p in $(pgrep -P "$1"); do
		# shellcheck disable=SC2053 # COMM is a pattern
		[[ $(cat "/proc/$p/comm" 2>/dev/null) == $2 ]] && echo "$p"
		descendants_named "$p" "$2"
	done
}

# has_descendant PID COMM: PID has a descendant called COMM (for poll).
has_descendant() { [[ -n $(descendants_named "$1" "$2") ]]; }

# fd_targets PID: where each fd of PID above 2 points, one a line.
fd_targets() {
	local f
	for f in /proc/"$1"/fd/*; do
		[[ ${f##*/} -gt 2 ]] && readlink "$f"
	done
}

t "--keep-fd: every fd listed is passed on, past the 64th"
kf=()
for ((fd = 10; fd < 90; fd++)); do kf+=(--keep-fd "$fd"); done
run bash -c 'for ((fd = 10; fd < 90; fd++)); do eval "exec $fd</dev/null"; done; exec "$@"' \
	bash "$SANDBOX" --rootfs "$ROOTFS" "${kf[@]}" -- sh -c \
	'for fd in $(seq 10 89); do [ -e /proc/self/fd/$fd ] || echo "fd $fd missing"; done; echo done'
expect_status 0
expect_eq "fds 10 to 89 inside" "done" "$OUT"

t "--uid-map: a map longer than the kernel takes is a clean error"
# 250 ranges of 20 bytes as text: more than one page
if ((ME_UID == 0 || (HAVE_RANGES && SUID_COUNT > 400))); then
	um=()
	for ((i = 1; i <= 250; i++)); do
		um+=(--uid-map "$((4000000000 + i)):$((${SUID_START:-100000} + i)):1")
	done
	expect_setup_error $'^sandbox: --uid-map: .*251 ranges.*kernel' \
		"$SANDBOX" --rootfs "$ROOTFS" --uid-map "0:$ME_UID:1" "${um[@]}" -- true
	expect_no_match "newuidmap ran" newuidmap "$ERR"

	t "--uid-map with CAP_SYS_ADMIN: a nested map longer than the kernel takes is a clean error"
	# 200 ranges fit in a page as "4000000001 200001 1", not in the nested
	# namespace's "4000000001 4000000001 1"
	expect_setup_error $'^sandbox: --uid-map, in the nested user namespace.*201 ranges.*kernel' \
		"$SANDBOX" --rootfs "$ROOTFS" --uid-map "0:$ME_UID:1" "${um[@]:0:400}" \
		--cap-add CAP_SYS_ADMIN -- true
	expect_no_match "no crash" 'overflow|terminated|cannot map the nested' "$ERR"

	t "--uid-map with CAP_SYS_ADMIN: 150 ranges fit, nested too"
	sbr --uid-map "0:$ME_UID:1" "${um[@]:0:300}" --cap-add CAP_SYS_ADMIN -- \
		sh -c 'wc -l </proc/self/uid_map'
	expect_status 0
	expect_eq "lines of the nested uid_map" 151 "$(norm "$OUT")"
fi

if ((ME_UID != 0 && HAVE_RANGES)); then
	t "--uid-map: one subordinate id alone goes through newuidmap"
	s1=$((SUID_START + 1)) g1=$((SGID_START + 1))
	sb --uid-map "0:$s1:1" -- sh -c "$IDS_SCRIPT"
	expect_status 0
	expect_eq "uid_map" "0 $s1 1" "$(norm "$(section 0 "$OUT")")"
	expect_eq "gid_map" "$ME_GID $ME_GID 1" "$(norm "$(section 1 "$OUT")")"
	expect_eq "payload uid and gid" "0 $ME_GID" "$(section 3 "$OUT" | paste -sd ' ')"
	# the sandbox's own processes take the mapped ids too: they create
	sb --uid-map "0:$s1:1" --gid-map "0:$g1:1" -- sh -c \
		"$IDS_SCRIPT; echo --; touch /tmp/f; stat -c '%u %g' /tmp/f"
	expect_status 0
	expect_eq "gid_map" "0 $g1 1" "$(norm "$(section 1 "$OUT")")"
	expect_eq "payload uid and gid" "0 0" "$(section 3 "$OUT" | paste -sd ' ')"
	expect_eq "owner of a new file in /tmp" "0 0" "$(section 4 "$OUT")"
fi

t "fuse-overlayfs inherits no fd but /dev/fuse and 0, 1, 2: not --keep-fd's"
if [[ -z $(command -v fuse-overlayfs) ]]; then
	skip "fuse-overlayfs is not installed"
else
	mkfifo "$T_TMP/fuse-go"
	: >"$T_TMP/kept-file"
	env --default-signal "$SANDBOX" --overlay-driver fuse --rootfs "$ROOTFS" --keep-fd 7 \
		--bind "$T_TMP" /ctl -- sh -c 'read -r line </ctl/fuse-go; echo payload done' \
		7<"$T_TMP/kept-file" >"$T_TMP/fuse.out" 2>"$T_TMP/fuse.err" </dev/null &
	sp=$!
	track_pid "$sp"
	if poll "$T_WAIT" has_descendant "$sp" fuse-overlayfs; then
		fp=$(descendants_named "$sp" fuse-overlayfs | head -n 1)
		fds=$(fd_targets "$fp")
		expect_match "fds of fuse-overlayfs" '/dev/fuse$' "$fds"
		expect_no_match "fds of fuse-overlayfs" "kept-file" "$fds"
		echo go >"$T_TMP/fuse-go"
		wait "$sp"
		expect_status 0 "$?"
		expect_eq "payload output" "payload done" "$(cat "$T_TMP/fuse.out")"
	else
		fail "no fuse-overlayfs started: $(cat "$T_TMP/fuse.err")"
		kill -KILL "$sp"
		wait "$sp"
	fi
fi

if ((ME_UID == 0)); then
	t "newuidmap and newgidmap inherit 0, 1 and 2 only: not --keep-fd's"
	# as the test user (strace, run by root, keeps the helpers setuid), each
	# execve held 3 s after it is done, so that the helpers' fds can be read
	tu=${SANDBOX_TEST_USER:-sbtest}
	if ! id "$tu" >/dev/null 2>&1 || ! grep -qE "^($tu|$(id -u "$tu")):" /etc/subuid; then
		fail "no test user $tu with /etc/subuid entries (tests/setup-host.sh creates it)"
	elif [[ -z $(command -v strace) ]]; then
		fail "strace is not installed (tests/setup-host.sh installs it)"
	else
		d=$(mktemp -d /tmp/sandbox-tests.XXXXXX) && chmod 0755 "$d" && cp "$SANDBOX" "$d/sandbox"
		: >"$d/kept-file"
		(cd / && exec strace -f -qq -o /dev/null -u "$tu" -e trace=execve \
			-e inject=execve:delay_exit=3000000 "$d/sandbox" --subids --keep-fd 7 -- true \
			7<"$d/kept-file" >"$d/out" 2>&1 </dev/null) &
		sp=$!
		track_pid "$sp"
		for helper in newuidmap newgidmap; do
			if poll "$T_WAIT" has_descendant "$sp" "$helper"; then
				fds=$(fd_targets "$(descendants_named "$sp" "$helper" | head -n 1)")
				expect_eq "fds of $helper above 2" "" "$fds"
			else
				fail "$helper did not run: $(cat "$d/out")"
			fi
		done
		wait "$sp"
		expect_status 0 "$?"
		rm -rf "$d"
	fi
fi

# held_setup NAME SANDBOX-ARGS...: start sandbox whose setup waits (on a
# fifo of its own, never written) with its status on fd 4, into
# $T_TMP/NAME.info; wait until the status is written. Sets SP.
held_setup() {
	local name=$1
	shift
	mkfifo "$T_TMP/$name.fifo"
	: >"$T_TMP/$name.info"
	env --default-signal SB_TEST_MARK="$HELD_MARK" "$SANDBOX" --info-fd 4 "$@" \
		3<>"$T_TMP/$name.fifo" 4>"$T_TMP/$name.info" \
		>"$T_TMP/$name.out" 2>"$T_TMP/$name.err" </dev/null &
	SP=$!
	track_pid "$SP"
	poll "$T_WAIT" grep -q '^}' "$T_TMP/$name.info"
}

for held in block-fd userns-block-fd; do
	t "SIGTERM while the setup waits on --$held ends it: 143, no payload, nothing left"
	MARK_N=$((MARK_N + 1))
	HELD_MARK=sbmark-$$-$MARK_N
	snapshot "$HELD_MARK"
	if held_setup "$held" --rootfs "$ROOTFS" "--$held" 3 -- sh -c 'echo payload ran'; then
		kill -TERM "$SP"
		if ! poll "$T_WAIT" _exited "$SP"; then
			fail "sandbox still running $T_WAIT s after SIGTERM"
			kill -KILL "$SP"
		fi
		wait "$SP"
		expect_status 143 "$?"
		expect_eq "output" "" "$(cat "$T_TMP/$held.out")"
		expect_clean "$HELD_MARK"
	else
		fail "the status was not written: $(cat "$T_TMP/$held.err")"
		kill -KILL "$SP"
		wait "$SP"
	fi
done

t "a death during setup (killed while waiting on --userns-block-fd): 125, the message, no exit-code"
# bwrap-tests.sh has the bwrap form (exit 1); natively the setup's death
# is a setup error. The user-namespace child (child-pid) is killed while
# it waits on the block fd, a FIFO that sandbox itself holds open.
mkfifo "$T_TMP/death.fifo"
: >"$T_TMP/death.info"
: >"$T_TMP/death.json"
"$SANDBOX" --rootfs "$ROOTFS" --userns-block-fd 3 --info-fd 4 --json-status-fd 5 -- \
	sh -c 'echo payload ran' 3<>"$T_TMP/death.fifo" 4>"$T_TMP/death.info" \
	5>"$T_TMP/death.json" >"$T_TMP/death.out" 2>"$T_TMP/death.err" </dev/null &
SP=$!
track_pid "$SP"
if poll "$T_WAIT" grep -q '^}' "$T_TMP/death.info"; then
	pid=$(sed -n 's/.*"child-pid": *\([0-9]*\).*/\1/p' "$T_TMP/death.info")
	expect_ne "child-pid from --info-fd" "" "$pid"
	[[ -n $pid ]] && kill -KILL "$pid"
	wait "$SP"
	expect_status 125 "$?"
	expect_eq "the message" \
		"sandbox: the sandbox's setup was killed by signal 9 before the command started" \
		"$(cat "$T_TMP/death.err")"
	expect_eq "no output" "" "$(cat "$T_TMP/death.out")"
	expect_no_match "--json-status-fd" '"exit-code"' "$(cat "$T_TMP/death.json")"
else
	fail "the status was not written: $(cat "$T_TMP/death.err")"
	kill -KILL "$SP"
	wait "$SP"
fi

t "SIGTERM while pasta starts ends the setup: 143, the payload is never executed"
# strace holds each setns 3 s: pasta's, as it joins the sandbox's
# namespaces, is slow to start (and, as the test user, no setuid helper:
# --no-subids). Only sandbox itself and pasta may execute a program (pasta's
# exec shows no path in the trace: the setup process is not dumpable; -v
# names its pid).
if [[ -z $(command -v pasta) || -z $(command -v strace) ]]; then
	fail "pasta or strace is not installed (tests/setup-host.sh installs them)"
else
	tr=$T_TMP/pasta.trace
	(exec strace -f -qq -o "$tr" -e trace=execve,setns -e inject=setns:delay_enter=3000000 \
		"$SANDBOX" -v --no-subids --net pasta -- sh -c 'echo payload ran' \
		>"$T_TMP/pasta.out" 2>"$T_TMP/pasta.err" </dev/null) &
	sp=$!
	track_pid "$sp"
	if poll "$T_WAIT" has_descendant "$sp" 'pas*'; then
		kill -TERM "$(pgrep -P "$sp" | head -n 1)"
		wait "$sp"
		expect_status 143 "$?"
		expect_eq "output" "" "$(cat "$T_TMP/pasta.out")"
		hp=$(grep -oE 'pasta started \(pid [0-9]+\)' "$T_TMP/pasta.err" | grep -oE '[0-9]+')
		expect_ne "pasta's pid in -v" "" "$hp"
		expect_eq "processes that executed a program" \
			"$( (awk 'NR == 1 { print $1 }' "$tr"; echo "$hp") | sort -u)" \
			"$(awk '/ execve\(.* = 0/ { print $1 }' "$tr" | sort -u)"
	else
		fail "pasta did not start: $(cat "$T_TMP/pasta.err")"
		kill -KILL "$sp"
		wait "$sp"
	fi
fi

if ((ME_UID != 0)); then
	# (root may read any process: only another user shows the difference)
	for personality in sandbox bwrap; do
		t "$personality: the user-namespace child is not dumpable$([[ $personality == bwrap ]] && echo ', pid 1 is')"
		ln -sf "$SANDBOX" "$T_TMP/$personality"
		rm -f "$T_TMP/dump-go"
		mkfifo "$T_TMP/dump-go"
		if [[ $personality == bwrap ]]; then
			args=(--unshare-pid --ro-bind / / --dev /dev --proc /proc)
		else
			args=(--rootfs "$ROOTFS" --bind "$T_TMP" "$T_TMP")
		fi
		env --default-signal "$T_TMP/$personality" "${args[@]}" -- \
			sh -c "read -r line <$T_TMP/dump-go; echo payload done" \
			>"$T_TMP/dump.out" 2>&1 </dev/null &
		sp=$!
		track_pid "$sp"
		# the user-namespace child and pid 1 (named as we were called), once
		# the payload runs
		poll "$T_WAIT" has_descendant "$sp" sh
		mapfile -t procs < <(descendants_named "$sp" "$personality")
		if ((${#procs[@]} == 2)); then
			expect_false "/proc/CHILD/exe of the user-namespace child is readable" \
				readlink "/proc/${procs[0]}/exe"
			if [[ $personality == bwrap ]]; then
				expect_true "/proc/PID1/root of pid 1 is readable (Flatpak)" \
					test -d "/proc/${procs[1]}/root/proc"
			else
				expect_false "/proc/PID1/exe of pid 1 is readable" \
					readlink "/proc/${procs[1]}/exe"
			fi
		else
			fail "not 2 processes of the sandbox found: ${procs[*]}: $(cat "$T_TMP/dump.out")"
		fi
		echo go >"$T_TMP/dump-go"
		wait "$sp"
		expect_status 0 "$?"
	done
fi

# Nested sandboxes: an outer sandbox fakes a host where something is
# missing or broken, and the inner one runs as an unprivileged user there:
# the user running the tests, or (for root, who would write its maps
# directly) a user 4242 that fake /etc/passwd and /etc/group entries name.
# The sandbox binary and the rootfs may live under /tmp, which is a fresh
# tmpfs inside: they are bound at the same paths.
NEST=("$SANDBOX" --allow-userns --ro-bind "$SANDBOX" "$SANDBOX" --ro-bind "$ROOTFS" "$ROOTFS")
if ((ME_UID == 0)); then
	N_UID=4242 N_GID=4242 N_NAME=sbnested
	{ cat /etc/passwd; echo "$N_NAME:x:$N_UID:$N_GID::/:/bin/sh"; } >"$T_TMP/passwd"
	{ cat /etc/group; echo "$N_NAME:x:$N_GID:"; } >"$T_TMP/group"
	NEST_USER=(--uid "$N_UID" --gid "$N_GID" --ro-bind "$T_TMP/passwd" /etc/passwd
		--ro-bind "$T_TMP/group" /etc/group)
else
	N_UID=$ME_UID N_GID=$ME_GID N_NAME=$ME_NAME
	NEST_USER=()
fi
: >"$T_TMP/empty"
printf '%s:200000:65536\n' "$N_NAME" >"$T_TMP/subids"
# Entries of other users only (as on a host where useradd gave the first
# users 100000:65536 and 165536:65536).
printf 'sbother1:100000:65536\nsbother2:165536:65536\n' >"$T_TMP/others"
FAKE_NO_SUBIDS=(--ro-bind "$T_TMP/others" /etc/subuid --ro-bind "$T_TMP/others" /etc/subgid)
FAKE_SUBIDS=(--ro-bind "$T_TMP/subids" /etc/subuid --ro-bind "$T_TMP/subids" /etc/subgid)

t "a sandbox runs inside a sandbox"
run "${NEST[@]}" -- "$SANDBOX" --rootfs "$ROOTFS" -- sh -c 'id -u; hostname'
expect_status 0
expect_eq "inner uid and hostname" "$ME_UID"$'\n'sandbox "$OUT"

t "uid 0 without CAP_SETFCAP cannot map itself, and is told why"
# Linux 5.12+ lets only a holder of CAP_SETFCAP map id 0 of its namespace.
run "${NEST[@]}" --uid 0 --cap-drop ALL -- "$SANDBOX" --rootfs "$ROOTFS" -- true
expect_status 125
expect_match "message" "^sandbox: .*uid_map.*CAP_SETFCAP" "$ERR"

t "a sandbox runs inside a sandbox as uid 0 with only CAP_SETFCAP"
# and the single-id gid map needs setgroups "deny" first, as for any user
run "${NEST[@]}" --uid 0 --cap-drop ALL --cap-add CAP_SETFCAP -- "$SANDBOX" --rootfs "$ROOTFS" -- sh -c "$IDS_SCRIPT"
check_ids "0 0 1" "0 0 1" deny 0 0

t "a sandbox runs inside a sandbox as an unprivileged user"
run "${NEST[@]}" "${NEST_USER[@]}" -- "$SANDBOX" --rootfs "$ROOTFS" -- sh -c 'id -u; hostname'
expect_status 0
expect_eq "inner uid and hostname" "$N_UID"$'\n'sandbox "$OUT"

t "default ids: a single-id map when /etc/subuid has no entry"
run "${NEST[@]}" "${NEST_USER[@]}" "${FAKE_NO_SUBIDS[@]}" -- \
	"$SANDBOX" --rootfs "$ROOTFS" -- sh -c "$IDS_SCRIPT"
check_ids "$N_UID $N_UID 1" "$N_GID $N_GID 1" deny "$N_UID" "$N_GID"

t "default ids: a single-id map when only /etc/subuid has an entry"
run "${NEST[@]}" "${NEST_USER[@]}" --ro-bind "$T_TMP/subids" /etc/subuid \
	--ro-bind "$T_TMP/empty" /etc/subgid -- \
	"$SANDBOX" --rootfs "$ROOTFS" -- sh -c "$IDS_SCRIPT"
check_ids "$N_UID $N_UID 1" "$N_GID $N_GID 1" deny "$N_UID" "$N_GID"

t "default ids: a single-id map when newuidmap is missing"
run "${NEST[@]}" "${NEST_USER[@]}" "${FAKE_SUBIDS[@]}" --tmpfs /usr/bin -- \
	"$SANDBOX" --rootfs "$ROOTFS" -- sh -c "$IDS_SCRIPT"
check_ids "$N_UID $N_UID 1" "$N_GID $N_GID 1" deny "$N_UID" "$N_GID"

t "bad input: --subids when the user has no /etc/subuid entry"
SUBIDS_ERES=$'/etc/subuid\n'"$N_NAME"$'\nusermod --add-subuids'
expect_setup_error "$SUBIDS_ERES" "${NEST[@]}" "${NEST_USER[@]}" "${FAKE_NO_SUBIDS[@]}" -- \
	"$SANDBOX" --rootfs "$ROOTFS" --subids -- true
subids_err=$ERR

t "--subids without an entry: the suggested ranges are free"
for kind in uid gid; do
	range=$(grep -oE -- "--add-sub${kind}s [0-9]+-[0-9]+" <<<"$subids_err" | head -n 1)
	range=${range##* }
	expect_match "suggested sub${kind} range" '^[0-9]+-[0-9]+$' "$range"
	[[ -n $range ]] || continue
	expect_eq "entries of the fake /etc/sub$kind overlapping $range" "" \
		"$(awk -F: -v lo="${range%-*}" -v hi="${range#*-}" \
			'NF == 3 && $2 <= hi && $2 + $3 - 1 >= lo' "$T_TMP/others")"
done

t "bad input: --subids when newuidmap is missing names the package uidmap"
expect_setup_error $'newuidmap\n(^|[^a-z])uidmap([^a-z]|$)' \
	"${NEST[@]}" "${NEST_USER[@]}" "${FAKE_SUBIDS[@]}" --tmpfs /usr/bin -- \
	"$SANDBOX" --rootfs "$ROOTFS" --subids -- true

t "bad input: newuidmap and newgidmap failing both show their own message"
# Every bind is nosuid and the payload has no_new_privs: the inner
# newuidmap and newgidmap, run at the same time, run without privileges
# and both fail.
expect_setup_error $'newuidmap: .*(uid_map|not allowed|[Pp]ermission|permitted)\nnewgidmap: .*(gid_map|not allowed|[Pp]ermission|permitted)' \
	"${NEST[@]}" "${NEST_USER[@]}" "${FAKE_SUBIDS[@]}" -- \
	"$SANDBOX" --rootfs "$ROOTFS" --subids -- true

# The inner sandbox runs as uid 0 of the outer one, with its capabilities:
# it writes its maps itself, from root's entries in the fake files.
if ((ME_UID == 0 || (HAVE_RANGES && SUID_COUNT >= 1000 && SGID_COUNT >= 1000))); then
	t "/etc/subuid and /etc/subgid are read to their end: an entry past 64 KiB counts"
	for ((i = 0; i < 3000; i++)); do
		printf 'sbfiller%04d:%d:65536\n' "$i" $((1000000 + i * 65536))
	done >"$T_TMP/big-subids"
	echo root:1:999 >>"$T_TMP/big-subids"
	OUTER_MAPS=(--uid 0 --uid-map "0:$ME_UID:1" --uid-map "1:${SUID_START:-100000}:999"
		--gid-map "0:$ME_GID:1" --gid-map "1:${SGID_START:-100000}:999")
	run "${NEST[@]}" "${OUTER_MAPS[@]}" --ro-bind "$T_TMP/big-subids" /etc/subuid \
		--ro-bind "$T_TMP/big-subids" /etc/subgid -- \
		"$SANDBOX" --rootfs "$ROOTFS" -- sh -c "$IDS_SCRIPT"
	expect_true "the file is larger than 64 KiB" test "$(stat -c %s "$T_TMP/big-subids")" -gt 65536
	check_ids $'0 0 1\n1 1 999' $'0 0 1\n1 1 999' allow 0 0

	t "bad input: an /etc/subuid larger than 16 MiB"
	head -c 17M /dev/zero | tr '\0' '#' >"$T_TMP/huge-subids"
	expect_setup_error '/etc/subuid.*larger than' "${NEST[@]}" "${OUTER_MAPS[@]}" \
		--ro-bind "$T_TMP/huge-subids" /etc/subuid -- "$SANDBOX" --rootfs "$ROOTFS" -- true
	rm -f "$T_TMP/huge-subids"
fi

t "bad input: user namespaces disabled names user.max_user_namespaces"
# The limit is per user namespace: set it to 0 in a user namespace of our
# own (util-linux unshare, root in it) and start sandbox there.
if unshare --user --map-root-user true 2>/dev/null; then
	expect_setup_error 'max_user_namespaces' \
		unshare --user --map-root-user /bin/sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces && exec "$@"' sh \
		"$SANDBOX" --rootfs "$ROOTFS" -- true
else
	fail "unshare --user --map-root-user fails on this host"
fi

# ------------------------------------ the host view's secrets (issue 11)

# A home of its own outside /tmp (fresh inside), with keys and an agent.
FH=$VT/home
mkdir -p "$FH/.ssh" "$FH/.aws" "$FH/proj" "$VT/agentdir"
echo SECRET-KEY >"$FH/.ssh/id_ed25519"
echo SECRET-AWS >"$FH/.aws/credentials"
echo public >"$FH/proj/readme"
cat >"$T_TMP/agent.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
while True:
    c, _ = s.accept()
    c.sendall(b"agent-reply\n")
    c.close()
PY
CONNECT='import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
    print(s.recv(64).decode().strip())
except OSError as e:
    print("refused:", e.strerror)'
python3 "$T_TMP/agent.py" "$FH/.agent.sock" </dev/null >/dev/null 2>&1 &
AGENT1=$!
python3 "$T_TMP/agent.py" "$VT/agentdir/ssh.sock" </dev/null >/dev/null 2>&1 &
AGENT2=$!
agents_ready() { [[ -S $FH/.agent.sock && -S $VT/agentdir/ssh.sock ]]; }
# hv ARGS...: the host view, with the fake home and the second agent as
# ssh-agent
hv() { run env HOME="$FH" SSH_AUTH_SOCK="$VT/agentdir/ssh.sock" "$SANDBOX" "$@"; }
HV_PROBE='cat ~/.ssh/id_ed25519 ~/.aws/credentials ~/proj/readme 2>&1
python3 -c "$1" ~/.agent.sock; python3 -c "$1" "$SSH_AUTH_SOCK"'

t "host view: keys and agents' sockets in the home are hidden by default"
if ! poll "$T_WAIT" agents_ready; then
	fail "the test agents did not start"
else
	hv -- sh -c "$HV_PROBE" sh "$CONNECT"
	expect_status 0
	expect_no_match "no key read" 'SECRET' "$OUT"
	expect_match "the rest of the home is there" '^public$' "$OUT"
	expect_no_match "no agent reached" 'agent-reply' "$OUT"
	# EACCES, or for root (who may open mode 000) a node that is no socket
	expect_eq "both sockets refused" 2 "$(grep -cE '^refused: (Permission denied|Connection refused)$' <<<"$OUT")"
	hv -- stat -c '%a %s' "$FH/.ssh" "$FH/.agent.sock"
	expect_eq "empty mode-000 nodes" $'0 40\n0 0' "$OUT"
fi

t "control: --no-default-hide shows them"
hv --no-default-hide -- sh -c "$HV_PROBE" sh "$CONNECT"
expect_status 0
expect_match "the key" '^SECRET-KEY$' "$OUT"
expect_match "the credentials" '^SECRET-AWS$' "$OUT"
expect_eq "both agents answer" 2 "$(grep -c '^agent-reply$' <<<"$OUT")"

t "host view: a writable bind of the home does not show the keys again"
hv --rw "$FH" -- sh -c 'cat ~/.ssh/id_ed25519; echo x >~/proj/new && echo written'
expect_no_match "no key read" 'SECRET' "$OUT"
expect_match "the home is writable" '^written$' "$OUT"
rm -f "$FH/proj/new"

t "host view: an operation naming a listed path exactly keeps it"
hv --ro "$FH/.ssh" -- cat "$FH/.ssh/id_ed25519" "$FH/.aws/credentials"
expect_match "the key, asked for" '^SECRET-KEY$' "$OUT"
expect_no_match "the rest of the list still hidden" 'SECRET-AWS' "$OUT"

t "--print-hides: the list, expanded for this user"
run env HOME="$FH" SSH_AUTH_SOCK="$VT/agentdir/ssh.sock" "$SANDBOX" --print-hides
expect_status 0
for p in "$FH/.ssh" "$FH/.gnupg" "$FH/.aws" "$FH/.config/sandbox" "$FH/.mozilla" \
	"$FH/.agent.sock" "$VT/agentdir/ssh.sock"; do
	expect_match "lists $p" "^$p\$" "$OUT"
done
if ((ME_UID != 0)); then
	expect_match "root's home (another user's)" '^/root$' "$OUT"
fi
expect_no_match "not the caller's own home" "^$FH\$" "$OUT"
kill "$AGENT1" "$AGENT2" 2>/dev/null
wait "$AGENT1" "$AGENT2" 2>/dev/null

t "host view: the other users' homes are hidden"
OTHER=$(env HOME="$FH" "$SANDBOX" --print-hides | grep -vE "^($FH|$VT)" | while read -r p; do
	[[ -d $p ]] && { echo "$p"; break; }; done)
if [[ -z $OTHER ]]; then
	skip "no other user's home exists on this machine"
else
	hv -- stat -c '%a' "$OTHER"
	expect_eq "$OTHER" 0 "$OUT"
fi

if ((ME_UID != 0)) && [[ -d /root && ! -x /root ]]; then
	# root's home as $HOME: the list names /root/.ssh and the like, which
	# neither the setup nor the payload can reach; that is no error
	t "host view: listed paths the user cannot reach are left alone (HOME=/root)"
	run env HOME=/root "$SANDBOX" -- true
	expect_status 0
	expect_eq "stderr" "" "$ERR"
fi

t "--hide: an empty mode-000 node over a file, a directory; nothing for a missing path"
sbr --hide /etc/passwd --hide /home --hide /no/such/path -- sh -c \
	'stat -c "%a %s" /etc/passwd; stat -c "%a" /home; ls -A /home; cat /etc/passwd'
expect_eq "modes, and nothing in them" $'0 0\n0' "$OUT"
if ((ME_UID != 0)); then
	# root's own files: root may open them despite mode 000 (they are empty)
	expect_status 1
	expect_match "unreadable" 'Permission denied' "$ERR"
fi

t "--hide applies in order: a later bind shows the path again"
sbr --hide /mnt --ro-bind "$FH/proj" /mnt -- cat /mnt/readme
expect_status 0
expect_eq "read" public "$OUT"
sbr --ro-bind "$FH/proj" /mnt --hide /mnt/readme -- cat /mnt/readme
expect_eq "hidden after the bind" "" "$OUT"

t "--home tmpfs: an empty private home, writable, the host's unchanged"
hv --home tmpfs -- sh -c 'ls -A ~; stat -c "%a %u" ~; echo x >~/f && cat ~/f'
expect_status 0
expect_eq "empty, mode 700, the command's, writable" "700 $ME_UID"$'\nx' "$OUT"
expect_false "nothing written to the host's home" test -e "$FH/f"

t "--home persist:DIR: kept from one run to the next"
hv --home "persist:$VT/ph" -- sh -c 'echo kept >~/state'
expect_status 0
hv --home "persist:$VT/ph" -- cat "$FH/state"
expect_eq "second run" kept "$OUT"
expect_eq "in DIR" kept "$(cat "$VT/ph/state" 2>&1)"
expect_eq "DIR made private" 700 "$(stat -c %a "$VT/ph")"

t "bad input: --home persist:DIR refuses a symbolic link, on DIR or on its path"
ln -s ph "$VT/phlink"
expect_setup_error 'persist:.*symbolic link' env HOME="$FH" "$SANDBOX" --home "persist:$VT/phlink" -- true
expect_setup_error 'persist:.*symbolic link' env HOME="$FH" "$SANDBOX" --home "persist:$VT/phlink/sub" -- true
expect_false "nothing created through the link" test -e "$VT/ph/sub"
expect_setup_error "--home: 'bogus' is not ro, tmpfs, persist\\[:DIR\\] or none" "$SANDBOX" --home bogus -- true

t "--home persist with --app-id ID: \$XDG_DATA_HOME/sandbox/ID, made with its parents"
XDG_DATA_HOME=$VT/data hv --app-id org.example.Viewer --home persist -- sh -c 'echo app >~/state'
expect_status 0
expect_eq "kept in XDG_DATA_HOME/sandbox/ID" app "$(cat "$VT/data/sandbox/org.example.Viewer/state" 2>&1)"
expect_eq "the parents made private" "700 700" \
	"$(stat -c %a "$VT/data/sandbox" "$VT/data/sandbox/org.example.Viewer" | tr '\n' ' ' | sed 's/ $//')"
expect_setup_error '--home persist: which directory\? Give persist:DIR, or --app-id ID' \
	"$SANDBOX" --home persist -- true

t "--home none: the home is hidden"
hv --home none -- stat -c '%a' "$FH"
expect_eq "mode" 0 "$OUT"

t "bad input: --cap-add CAP_NET_ADMIN, CAP_NET_RAW or ALL with --net-allow"
for c in CAP_NET_ADMIN CAP_NET_RAW ALL; do
	expect_setup_error "--cap-add CAP_NET_(ADMIN|RAW) cannot be combined with --net-allow" \
		"$SANDBOX" --net pasta --cap-add "$c" --net-allow 192.0.2.1 -- true
done
sb --cap-add CAP_NET_ADMIN -- true
expect_status 0

# ------------------------------------------------ resource limits (issue 15)

# ms_now: a monotonic-enough clock in milliseconds, for lower bounds only.
ms_now() { echo $(($(date +%s%N) / 1000000)); }

t "--rlimit: soft and hard limits of the command, the host's unchanged"
sbr --rlimit nofile=64:128 --rlimit core=0 --rlimit stack=8M -- \
	sh -c 'ulimit -n; ulimit -Hn; ulimit -c; ulimit -s'
expect_status 0
expect_eq "nofile soft, hard; core; stack (KiB)" "$(printf '64\n128\n0\n8192')" "$OUT"
sbr --rlimit nofile=32 -- sh -c 'ulimit -n; ulimit -Hn'
expect_eq "SOFT alone keeps the hard limit" "$(printf '32\n%s' "$(ulimit -Hn)")" "$OUT"
sbr --rlimit nofile=:40 -- sh -c 'ulimit -n; ulimit -Hn'
expect_eq ":HARD lowers the soft limit to it" "$(printf '40\n40')" "$OUT"
sbr --rlimit nofile=64 -- sh -c 'exec 63</dev/null && echo 63 && exec 64</dev/null && echo 64'
expect_eq "the kernel enforces it: fd 63 opens, fd 64 does not" 63 "$OUT"

t "--rlimit above the hard limit the caller has"
HARD_NOFILE=$(ulimit -Hn)
CAP_EFF=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
if (((16#$CAP_EFF >> 24) & 1)); then
	# CAP_SYS_RESOURCE: the setup process raises its own hard limit
	sbr --rlimit "nofile=:$((HARD_NOFILE + 1))" -- sh -c 'ulimit -Hn'
	expect_status 0
	expect_eq "raised hard limit" "$((HARD_NOFILE + 1))" "$OUT"
else
	expect_setup_error "--rlimit nofile=:$((HARD_NOFILE + 1)): above the hard limit $HARD_NOFILE you have" \
		"$SANDBOX" --rootfs "$ROOTFS" --rlimit "nofile=:$((HARD_NOFILE + 1))" -- true
	expect_setup_error "--rlimit nofile=$((HARD_NOFILE + 1)): the soft limit is above the hard limit" \
		"$SANDBOX" --rootfs "$ROOTFS" --rlimit "nofile=$((HARD_NOFILE + 1))" -- true
fi

t "bad input: --rlimit and the durations name the option"
expect_setup_error "--rlimit files=1: expected NAME=SOFT\[:HARD\]" "$SANDBOX" --rlimit files=1 -- true
expect_setup_error "--rlimit nofile=1k: invalid value" "$SANDBOX" --rlimit nofile=1k -- true
expect_setup_error "--rlimit nofile=9:8: the soft limit is above the hard limit" \
	"$SANDBOX" --rlimit nofile=9:8 -- true
expect_setup_error "--timeout 1y: expected a duration" "$SANDBOX" --timeout 1y -- true
expect_setup_error "--kill-after 0: the duration must be more than 0" \
	"$SANDBOX" --timeout 1 --kill-after 0 -- true
expect_setup_error "--kill-after needs --timeout" "$SANDBOX" --kill-after 1 -- true

t "--timeout: SIGTERM ends a sleeping command, exit status 124"
MARK_N=$((MARK_N + 1)); mark=sbmark-$$-$MARK_N
snapshot "$mark"
t0=$SECONDS
run env SB_TEST_MARK="$mark" "$SANDBOX" --rootfs "$ROOTFS" --timeout 1 -- sleep 100
expect_status 124
expect_true "ended well before 100 s (took $((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 60
expect_match "message" '^sandbox: the command timed out \(--timeout\)$' "$ERR"
expect_clean "$mark"
sbr --timeout 60 -- sh -c 'exit 3'
expect_eq "a command that ends in time keeps its status" 3 "$RC"
expect_eq "and nothing is said" "" "$ERR"
sbr --timeout 0.5 -- sh -c 'trap "exit 0" TERM; sleep 100 & wait'
expect_eq "a command that exits 0 on SIGTERM: still 124" 124 "$RC"

t "--timeout: a command that ignores SIGTERM is killed after --kill-after"
MARK_N=$((MARK_N + 1)); mark=sbmark-$$-$MARK_N
snapshot "$mark"
t0=$(ms_now)
run env SB_TEST_MARK="$mark" "$SANDBOX" --rootfs "$ROOTFS" --timeout 0.5 --kill-after 1.5 -- \
	sh -c 'trap "" TERM; sleep 100; echo survived'
el=$(($(ms_now) - t0))
expect_status 124
expect_eq "stdout" "" "$OUT"
expect_match "message" 'timed out.*killed, having outlived SIGTERM by --kill-after' "$ERR"
expect_true "not before --timeout + --kill-after (took $el ms)" test "$el" -ge 1900
expect_true "well before the sleep's 100 s (took $el ms)" test "$el" -lt 60000
expect_clean "$mark"

t "--stats: wall time, CPU time and peak memory, and what is unavailable"
sbr --stats -- sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; i=0
	while [ $i -lt 100000 ]; do i=$((i + 1)); done'
expect_status 0
expect_eq "stdout" "" "$OUT"
expect_match "wall time" '^sandbox: stats: wall time [0-9]+\.[0-9]{3} s$' "$ERR"
expect_match "cpu time" '^sandbox: stats: cpu time [0-9]+\.[0-9]{3} s user, [0-9]+\.[0-9]{3} s system$' "$ERR"
expect_match "peak memory" '^sandbox: stats: peak memory [0-9]+\.[0-9] MiB \(the largest single process, from getrusage' "$ERR"
expect_match "unavailable" '^sandbox: stats: unavailable: peak pids, OOM kills, time throttled: the sandbox has no cgroup of its own$' "$ERR"
mib=$(sed -n 's/^sandbox: stats: peak memory \([0-9]*\)\..*/\1/p' <<<"$ERR")
expect_true "peak memory counts dd's 64 MiB buffer (${mib:-?} MiB)" test "${mib:-0}" -ge 64
cpu=$(sed -n 's/^sandbox: stats: cpu time \([0-9]*\)\.\([0-9]*\) s user, \([0-9]*\)\.\([0-9]*\) s system$/\1\2 + \3\4/p' <<<"$ERR")
expect_true "the busy loop's CPU time is counted (${cpu:-?} ms)" test "$((10#${cpu%% *} + 10#${cpu##* }))" -gt 0

t "--json-status-fd: a usage line before the exit code (native only)"
sbr --json-status-fd 3 -- true 3>"$T_TMP/status.json"
expect_status 0
usage=$(grep '"usage"' "$T_TMP/status.json")
expect_match "usage line" '^\{ "usage": \{ "wall-time-us": [0-9]+, "cpu-user-us": [0-9]+, "cpu-system-us": [0-9]+, "peak-memory-bytes": [1-9][0-9]*, "peak-memory-source": "getrusage", "unavailable": \[ "peak-pids", "oom-kills", "throttled-time" \], "unavailable-reason": "no cgroup" \} \}$' "$usage"
if command -v python3 >/dev/null; then
	expect_true "every line is JSON" python3 -c 'import json,sys
[json.loads(l) for l in open(sys.argv[1])]' "$T_TMP/status.json"
fi
expect_eq "order: start, usage, exit code" "child-pid usage exit-code" \
	"$(sed -E 's/^\{ "([a-z-]+)".*/\1/' "$T_TMP/status.json" | tr '\n' ' ' | sed 's/ $//')"
ln -sf "$SANDBOX" "$VT/bwrap"
run "$VT/bwrap" --dev-bind / / --json-status-fd 3 -- true 3>"$T_TMP/status-bwrap.json"
expect_status 0
expect_no_match "as bwrap: no usage line" usage "$(<"$T_TMP/status-bwrap.json")"

t "cgroup limit options: refused with the reason where no cgroup can be had, nothing left"
# our own cgroup v2 directory, where a cgroup of ours would appear
CG_LAYOUT=$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
cgdir=/sys/fs/cgroup$own
[[ $CG_LAYOUT == cgroup2fs ]] || cgdir=/sys/fs/cgroup/unified$own
cg_before=$(find "$cgdir" -mindepth 1 -maxdepth 2 -type d 2>/dev/null | sort)
case $CG_LAYOUT in
# unified (tests/vm): this shell's cgroup is shared (tests/cgroup-tests.sh
# runs each sandbox in a cgroup of its own), or not delegated at all
cgroup2fs) why='holds [0-9]+ other process|is not delegated to you|needs the [a-z]+ controller' ;;
tmpfs) if [[ $(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]]; then
	why='hybrid layout.*systemd\.unified_cgroup_hierarchy=1.*cgroup_no_v1=all'
else
	why='only cgroup v1.*systemd\.unified_cgroup_hierarchy=1'
fi ;;
*) why='needs cgroup v2' ;;
esac
for o in "--memory 64M" "--memory-swap 0" "--pids 20" "--cpus 0.5" "--cpu-weight 50" \
	"--cpuset 0" "--io-weight 50"; do
	# shellcheck disable=SC2086 # the option and its value
	expect_setup_error "^sandbox: ${o%% *}
$why" "$SANDBOX" --rootfs "$ROOTFS" --rlimit nofile=64 --timeout 60 $o -- true
done
expect_eq "no new cgroup under $cgdir" "$cg_before" \
	"$(find "$cgdir" -mindepth 1 -maxdepth 2 -type d 2>/dev/null | sort)"
expect_setup_error "--memory lots: expected a size" "$SANDBOX" --memory lots -- true
expect_setup_error "--cpu-weight 0: expected a whole number from 1 to 10000" \
	"$SANDBOX" --cpu-weight 0 -- true
expect_setup_error "--cpuset 3-1: expected CPU numbers and ranges" "$SANDBOX" --cpuset 3-1 -- true

done_testing
