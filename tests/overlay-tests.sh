#!/bin/bash
# tests/overlay-tests.sh - the copy-on-write root (issue 3): --rootfs DIR as
# a throwaway overlay, --overlay-dir, both drivers, the fuse-overlayfs
# server's life cycle, ownership through subordinate ids (a rootless Debian
# round trip), bubblewrap's overlay operations, and bad input.
#
#   SANDBOX=/abs/path/sandbox ROOTFS=/path/to/busybox-rootfs \
#       bash tests/overlay-tests.sh
#
# SANDBOX defaults to ./sandbox; ROOTFS (a busybox tree of the user's,
# tests/mkrootfs.sh) is built when unset. The Debian tests need the tarball
# that tests/debian-rootfs.sh makes as root (SANDBOX_DEBIAN, default
# /var/tmp/sandbox-debian): run as root, this suite builds it when it is
# missing; run as anyone else without it, those tests fail (they never
# pass silently). Work directories go under /var/tmp, which a sandbox
# shows as the host has it (/tmp and /run are fresh tmpfs inside).
#
# Payload scripts are single-quoted on purpose (they expand inside the
# sandbox), and some helpers are only called indirectly (traps, poll):
# shellcheck disable=SC2016,SC2317

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SUITE=${T_SUITE:-overlay($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-./sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}
ME_UID=$(id -u)
ME_GID=$(id -g)
ME_NAME=$(id -un)
DEBIAN_DIR=${SANDBOX_DEBIAN:-/var/tmp/sandbox-debian}

t "the sandbox binary is executable"
expect_true "$SANDBOX is an executable file" test -f "$SANDBOX" -a -x "$SANDBOX"
if [[ ! -x $SANDBOX ]]; then
	done_testing
fi

VT=$(mktemp -d /var/tmp/sandbox-overlay-tests.XXXXXX) || exit 2
chmod 0755 "$VT"
SUBID_OWNED=()   # trees holding files of subordinate ids (see the hook)

t_cleanup_hook() {
	local d
	# Files that belong to subordinate ids can only be removed from a
	# sandbox where those ids are mapped.
	for d in "${SUBID_OWNED[@]}"; do
		[[ -d $d ]] || continue
		timeout 600 "$SANDBOX" "${MAPOPTS[@]}" --uid 0 --rw "$d" -- \
			find "$d" -mindepth 1 -delete >/dev/null 2>&1
	done
	chmod -R u+rwX "$VT" 2>/dev/null
	rm -rf "$VT"
}

if [[ -z ${ROOTFS:-} ]]; then
	ROOTFS=$VT/rootfs
	bash "$HERE/mkrootfs.sh" "$ROOTFS" >/dev/null || {
		t "build a busybox rootfs"
		fail "tests/mkrootfs.sh $ROOTFS failed"
		done_testing
	}
fi
ROOTFS=$(realpath -e -- "$ROOTFS")

# Subordinate ids (the Debian round trip needs a range of ids; root has
# every id and maps them explicitly).
HAVE_RANGES=0
if awk -F: -v u="$ME_NAME" -v id="$ME_UID" 'NF == 3 && ($1 == u || $1 == id) { f = 1 }
	END { exit !f }' /etc/subuid /etc/subgid 2>/dev/null &&
	[[ -x /usr/bin/newuidmap && -x /usr/bin/newgidmap ]]; then
	HAVE_RANGES=1
fi
if ((ME_UID == 0)); then
	MAPOPTS=(--uid-map 0:0:65536 --gid-map 0:0:65536)
elif ((HAVE_RANGES)); then
	MAPOPTS=(--subids)
else
	MAPOPTS=()
fi

# ------------------------------------------------------------------ helpers

# manifest DIR: every entry under DIR (path, type, mode, owner, group,
# size, mtime, link target), then the content of every regular file.
manifest() {
	(cd "$1" && find . -printf '%p\t%y\t%m\t%U\t%G\t%s\t%T@\t%l\n' | sort &&
		find . -type f -exec md5sum {} + | sort -k 2)
}

# expect_same_tree WHAT BEFORE DIR: DIR's manifest is still BEFORE (a diff
# is shown, not the whole listing).
expect_same_tree() {
	local now
	now=$(manifest "$3")
	if [[ $now == "$2" ]]; then
		pass
	else
		fail "$1: the tree changed:" \
			"$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$now") | head -n 20)"
	fi
}

# root_mount: "FSTYPE OPTIONS" of / in a /proc/self/mountinfo text ($OUT).
root_mount() {
	awk '$5 == "/" { for (i = 7; $i != "-"; i++) ; r = $(i + 1) " " $(i + 3) }
		END { print r }' <<<"$1"
}

# alive PID: PID exists and is not a zombie.
alive() {
	local st
	st=$(sed -n 's/^[^)]*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z && $st != X ]]
}

# children PID: the pids of PID's children (from /proc/*/stat: kernels
# without CONFIG_PROC_CHILDREN have no /proc/PID/task/TID/children).
children() {
	local d st ppid
	for d in /proc/[0-9]*; do
		{ read -r st <"$d/stat"; } 2>/dev/null || continue
		st=${st##*) }
		read -r _ ppid _ <<<"$st"
		[[ $ppid == "$1" ]] && printf '%s\n' "${d#/proc/}"
	done
}

# fuse_servers DIR: live fuse-overlayfs processes serving lower layer DIR.
fuse_servers() {
	local d cmd
	for d in /proc/[0-9]*; do
		[[ $(cat "$d/comm" 2>/dev/null) == fuse-overlayfs ]] || continue
		cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null) || continue
		[[ $cmd == *"lowerdir=/oldroot$1,"* ]] || continue
		alive "${d#/proc/}" && printf '%s\n' "${d#/proc/}"
	done
}

# in_mntns NS: live processes in mount namespace NS (as readlink shows it).
in_mntns() {
	local d
	[[ -n $1 ]] || { echo "(no namespace given)"; return; }
	for d in /proc/[0-9]*; do
		[[ $(readlink "$d/ns/mnt" 2>/dev/null) == "$1" ]] || continue
		alive "${d#/proc/}" && printf '%s\n' "${d#/proc/}"
	done
}

# no_fuse_left DIR: no fuse-overlayfs serving DIR (for poll).
no_fuse_left() { [[ -z $(fuse_servers "$1") ]]; }

# make_lower DIR: a busybox root (a copy of ROOTFS) with a /data tree that
# the write script below changes in every way an overlay must record.
make_lower() {
	mkdir -p "$1"
	cp -a "$ROOTFS/." "$1/"
	mkdir -p "$1/data/deldir/sub" "$1/data/rendir" "$1/data/sub"
	echo keep >"$1/data/keep"
	echo append >"$1/data/append"
	echo del >"$1/data/del"
	echo a >"$1/data/deldir/a"
	echo b >"$1/data/deldir/sub/b"
	echo ren >"$1/data/ren"
	echo x >"$1/data/rendir/x"
	echo mode >"$1/data/mode"
	echo ro >"$1/data/ro"
	chmod 0644 "$1/data/mode"
	chmod 0444 "$1/data/ro"
	chmod 0751 "$1"
}

WRITE_SCRIPT='set -e
cd /data
echo new >new
echo more >>append
rm del
rm -r deldir
mv ren ren2
mv rendir rendir2
chmod 0600 mode
chmod 0700 sub
mkdir -p newdir/a
ln -s keep newlink
ln keep hardlink
rm /etc/group
echo ==
for f in new append ren2 rendir2/x newlink hardlink; do echo "$f: $(cat $f | tr "\n" " ")"; done
for f in del deldir ren rendir /etc/group; do [ -e $f ] && echo "$f: present" || echo "$f: gone"; done
stat -c "%n %a" mode sub newdir/a ro'

WRITE_EXPECTED='==
new: new 
append: append more 
ren2: ren 
rendir2/x: x 
newlink: keep 
hardlink: keep 
del: gone
deldir: gone
ren: gone
rendir: gone
/etc/group: gone
mode 600
sub 700
newdir/a 755
ro 444'

# The state a later run over the same --overlay-dir must find.
READ_SCRIPT='cd /data
for f in new append ren2 rendir2/x newlink hardlink; do echo "$f: $(cat $f 2>/dev/null | tr "\n" " ")"; done
for f in del deldir ren rendir /etc/group; do [ -e $f ] && echo "$f: present" || echo "$f: gone"; done
for f in mode sub newdir/a ro; do [ -e $f ] && stat -c "%n %a" $f; done; true'
READ_EXPECTED=${WRITE_EXPECTED#==$'\n'}

# The untouched state of the lower tree, seen through a fresh overlay.
FRESH_EXPECTED='new: 
append: append 
ren2: 
rendir2/x: 
newlink: 
hardlink: 
del: present
deldir: present
ren: present
rendir: present
/etc/group: present
mode 644
sub 755
ro 444'

# ---------------------------------------------------------- driver probe

LOWER=$VT/lower
make_lower "$LOWER"
LOWER_MANIFEST=$(manifest "$LOWER")

declare -A DRIVER_OK DRIVER_WHY DRIVER_FSTYPE
DRIVER_FSTYPE=([kernel]=overlay [fuse]=fuse.fuse-overlayfs)
for drv in kernel fuse; do
	run "$SANDBOX" --overlay-driver "$drv" --rootfs "$LOWER" -- true
	if ((RC == 0)); then
		DRIVER_OK[$drv]=1
	else
		DRIVER_OK[$drv]=0
		DRIVER_WHY[$drv]="--overlay-driver $drv does not work here: $(head -n 3 <<<"$ERR")"
	fi
done
# need_driver DRV: skip the current test when DRV is unusable on this
# machine (a kernel without unprivileged overlayfs; no fuse-overlayfs or
# /dev/fuse), with the reason sandbox gave.
need_driver() {
	((${DRIVER_OK[$1]})) && return 0
	skip "${DRIVER_WHY[$1]}"
	return 1
}

# ------------------------------------------------ default and the drivers

# tmpfs has user.* extended attributes from Linux 6.6 only; without them a
# kernel overlayfs in a user namespace (userxattr) cannot make a directory
# opaque, and removing a lower directory gives EIO. A sandbox's /tmp is a
# fresh tmpfs of the same kind as the throwaway upper layer.
TMPFS_XATTR=0
if "$SANDBOX" -- python3 -c 'import os; os.setxattr("/tmp", "user.probe", b"1")' 2>/dev/null; then
	TMPFS_XATTR=1
fi
t "auto, tmpfs upper: a lower directory can be removed and made again empty"
run "$SANDBOX" -v --rootfs "$LOWER" -- sh -c \
	'rm -r /data/deldir && mkdir /data/deldir && ls -A /data/deldir && echo done'
expect_status 0
expect_eq "output" "done" "$OUT"
if ((TMPFS_XATTR)); then
	expect_match "verbose output" 'root filesystem: kernel overlayfs over ' "$ERR"
else
	expect_match "verbose output" \
		'no user\.\* extended attributes \(tmpfs has them from Linux 6\.6\).*using fuse-overlayfs' "$ERR"
	expect_match "verbose output" 'root filesystem: fuse-overlayfs over ' "$ERR"
fi

t "--overlay-driver kernel, tmpfs upper: refused before Linux 6.6, naming the version"
run "$SANDBOX" --overlay-driver kernel --rootfs "$LOWER" -- sh -c 'rm -r /data/deldir && echo done'
if ((TMPFS_XATTR)); then
	expect_status 0
	expect_eq "output" "done" "$OUT"
else
	expect_status 125
	expect_match "error" '--overlay-driver kernel: .*no user\.\* extended attributes.*Linux 6\.6' "$ERR"
fi


t "--rootfs DIR is an overlay by default (auto: kernel overlayfs with userxattr)"
if need_driver kernel; then
	run "$SANDBOX" --rootfs "$LOWER" -- cat /proc/self/mountinfo
	expect_status 0
	m=$(root_mount "$OUT")
	expect_eq "filesystem of /" overlay "${m%% *}"
	expect_match "options of /" '(^|,)userxattr(,|$)' "${m#* }"
fi

t "-v says which driver auto chose"
if need_driver kernel; then
	run "$SANDBOX" -v --rootfs "$LOWER" -- true
	expect_status 0
	expect_match "verbose output" 'root filesystem: kernel overlayfs over '"$LOWER" "$ERR"
fi

for drv in kernel fuse; do
	t "--overlay-driver $drv: / is ${DRIVER_FSTYPE[$drv]} in /proc/mounts, and -v names it"
	if need_driver "$drv"; then
		run "$SANDBOX" -v --overlay-driver "$drv" --rootfs "$LOWER" -- cat /proc/mounts
		expect_status 0
		expect_eq "type of / in /proc/mounts" "${DRIVER_FSTYPE[$drv]}" \
			"$(awk '$2 == "/" { t = $3 } END { print t }' <<<"$OUT")"
		if [[ $drv == kernel ]]; then
			expect_match "verbose output" 'root filesystem: kernel overlayfs' "$ERR"
		else
			expect_match "verbose output" 'root filesystem: fuse-overlayfs over .*\(pid [0-9]+\)' "$ERR"
		fi
	fi
done

for drv in kernel fuse; do
	t "$drv: writes, deletes, renames, chmods and links are seen inside"
	if need_driver "$drv"; then
		run "$SANDBOX" --overlay-driver "$drv" --rootfs "$LOWER" -- sh -c "$WRITE_SCRIPT"
		expect_status 0
		expect_eq "the payload's view" "$WRITE_EXPECTED" "$OUT"
	fi

	t "$drv: DIR's tree (names, sizes, modes, owners, times, contents) is unchanged afterwards"
	if need_driver "$drv"; then
		expect_same_tree "$LOWER" "$LOWER_MANIFEST" "$LOWER"
	fi

	t "$drv: the throwaway layer is gone: the next run sees DIR as it was"
	if need_driver "$drv"; then
		run "$SANDBOX" --overlay-driver "$drv" --rootfs "$LOWER" -- sh -c "$READ_SCRIPT"
		expect_status 0
		expect_eq "the payload's view" "$FRESH_EXPECTED" "$OUT"
	fi

	t "$drv: / has DIR's mode and owner"
	if need_driver "$drv"; then
		run "$SANDBOX" --overlay-driver "$drv" --rootfs "$LOWER" -- stat -c '%a %u %g' /
		expect_status 0
		expect_eq "mode, uid, gid of /" "751 $ME_UID $ME_GID" "$OUT"
	fi

	t "$drv --overlay-dir: DIR2 is created and keeps the writes for the next run"
	if need_driver "$drv"; then
		od=$VT/od-$drv
		run "$SANDBOX" --overlay-driver "$drv" --overlay-dir "$od" --rootfs "$LOWER" -- \
			sh -c "$WRITE_SCRIPT"
		expect_status 0
		expect_eq "first run" "$WRITE_EXPECTED" "$OUT"
		expect_true "DIR2/upper is a directory" test -d "$od/upper"
		expect_true "DIR2/work is a directory" test -d "$od/work"
		expect_eq "DIR2/upper/data/new" new "$(cat "$od/upper/data/new" 2>&1)"
		run "$SANDBOX" --overlay-driver "$drv" --overlay-dir "$od" --rootfs "$LOWER" -- \
			sh -c "$READ_SCRIPT"
		expect_status 0
		expect_eq "second run" "$READ_EXPECTED" "$OUT"
		# a third run that changes more, over the work directory left behind
		run "$SANDBOX" --overlay-driver "$drv" --overlay-dir "$od" --rootfs "$LOWER" -- \
			sh -c 'rm /data/new && echo again >/data/again && cat /data/again'
		expect_status 0
		expect_eq "third run" again "$OUT"
		expect_same_tree "DIR" "$LOWER_MANIFEST" "$LOWER"
	fi
done

t "an --overlay-dir written by one driver is read the same by the other"
if need_driver kernel && need_driver fuse; then
	for pair in kernel:fuse fuse:kernel; do
		od=$VT/od-cross-${pair%:*}
		run "$SANDBOX" --overlay-driver "${pair%:*}" --overlay-dir "$od" --rootfs "$LOWER" -- \
			sh -c "$WRITE_SCRIPT"
		expect_status 0
		run "$SANDBOX" --overlay-driver "${pair#*:}" --overlay-dir "$od" --rootfs "$LOWER" -- \
			sh -c "$READ_SCRIPT"
		expect_status 0
		expect_eq "written by ${pair%:*}, read by ${pair#*:}" "$READ_EXPECTED" "$OUT"
	done
fi

t "--rootfs-rw writes to DIR itself; --read-only refuses writes; neither is an overlay"
rw=$VT/rw-root
make_lower "$rw"
run "$SANDBOX" --rootfs "$rw" --rootfs-rw -- sh -c \
	'echo rw >/data/rw-file; awk "\$2 == \"/\" { print \$3 }" /proc/mounts'
expect_status 0
expect_ne "type of / with --rootfs-rw" overlay "$OUT"
expect_eq "DIR/data/rw-file" rw "$(cat "$rw/data/rw-file" 2>&1)"
run "$SANDBOX" --rootfs "$LOWER" --read-only -- sh -c 'echo x >/data/ro-file'
expect_ne "status of a write with --read-only" 0 "$RC"
expect_match "the write's error" 'Read-only file system' "$ERR"
expect_same_tree "DIR" "$LOWER_MANIFEST" "$LOWER"

# ------------------------------------------- the fuse-overlayfs server

# start_held DRIVER-OPTS...: start a sandbox over LOWER in the background
# whose payload writes what it sees of the processes into $CTL/ready, then
# waits (at most 600 s) for a line on the fifo $CTL/go (opened read-write,
# so that the open never blocks). Sets SP (the setup
# process) and waits until the payload is ready.
CTL=$VT/ctl
start_held() {
	rm -rf "$CTL"
	mkdir -p "$CTL"
	mkfifo "$CTL/go"
	"$SANDBOX" "$@" --rootfs "$LOWER" --bind "$CTL" /ctl -- sh -c \
		'cat /proc/[0-9]*/comm >/ctl/comms; echo $$ >/ctl/pid.tmp; mv /ctl/pid.tmp /ctl/ready
		 exec 3<>/ctl/go; read -t 600 line <&3; echo payload done' \
		>"$CTL/out" 2>"$CTL/err" </dev/null &
	SP=$!
	track_pid "$SP"
	poll "$T_WAIT" test -e "$CTL/ready"
}

# held_pids: set CHILD (the user-namespace child), FUSE (its
# fuse-overlayfs), PID1 and PAYLOAD (host pids).
held_pids() {
	local p
	CHILD=$(children "$SP" | head -n 1)
	FUSE='' PID1=''
	for p in $(children "$CHILD"); do
		if [[ $(cat "/proc/$p/comm" 2>/dev/null) == fuse-overlayfs ]]; then
			FUSE=$p
		else
			PID1=$p
		fi
	done
	PAYLOAD=$(children "$PID1" | head -n 1)
}

release_held() {
	[[ -p $CTL/go ]] && timeout "$T_WAIT" sh -c 'echo go >"$1"' sh "$CTL/go"
	wait "$SP"
	RC=$?
	OUT=$(<"$CTL/out") ERR=$(<"$CTL/err")
}

t "fuse: the server runs in the sandbox's user and mount namespaces, outside its pid namespace"
if need_driver fuse; then
	if start_held --overlay-driver fuse; then
		held_pids
		expect_ne "fuse-overlayfs pid (a child of the user-namespace child)" "" "$FUSE"
		expect_ne "payload pid" "" "$PAYLOAD"
		if [[ -n $FUSE && -n $PAYLOAD ]]; then
			expect_eq "user namespace of the server" "$(readlink "/proc/$PAYLOAD/ns/user")" \
				"$(readlink "/proc/$FUSE/ns/user")"
			expect_ne "user namespace of the server" "$(readlink /proc/self/ns/user)" \
				"$(readlink "/proc/$FUSE/ns/user")"
			# (the user-namespace child whose mount namespace the
			# server shares is not dumpable, so it cannot be read
			# from outside; the server's is not the host's)
			expect_ne "mount namespace of the server" "$(readlink /proc/self/ns/mnt)" \
				"$(readlink "/proc/$FUSE/ns/mnt")"
			expect_ne "pid namespace of the server" "$(readlink "/proc/$PAYLOAD/ns/pid")" \
				"$(readlink "/proc/$FUSE/ns/pid")"
		fi
		expect_no_match "processes the payload sees" '^fuse-overlayfs$' "$(cat "$CTL/comms")"
		ns=$(readlink "/proc/$FUSE/ns/mnt" 2>/dev/null)
		release_held
		expect_status 0
		expect_eq "payload output" "payload done" "$OUT"
		expect_eq "fuse-overlayfs left after the run" "" "$(fuse_servers "$LOWER")"
		# the mount lived in that namespace only: gone with its last process
		expect_eq "processes left in the server's mount namespace" "" "$(in_mntns "$ns")"
	else
		fail "the payload did not start: $(cat "$CTL/err")"
	fi
fi

t "fuse: the server's death ends the sandbox with status 125 and a message"
if need_driver fuse; then
	if start_held --overlay-driver fuse; then
		held_pids
		ns=$(readlink "/proc/$FUSE/ns/mnt" 2>/dev/null)
		expect_ne "fuse-overlayfs pid" "" "$FUSE"
		[[ -n $FUSE ]] && kill -KILL "$FUSE"
		wait "$SP"
		RC=$?
		OUT=$(<"$CTL/out") ERR=$(<"$CTL/err")
		expect_status 125
		expect_match "error" 'fuse-overlayfs.*(killed by signal 9|died|exited)' "$ERR"
		expect_false "the payload is still alive" alive "${PAYLOAD:-0}"
		expect_false "pid 1 is still alive" alive "${PID1:-0}"
		expect_eq "processes left in the server's mount namespace" "" "$(in_mntns "$ns")"
	else
		fail "the payload did not start: $(cat "$CTL/err")"
	fi
fi

t "fuse: kill -9 of the setup process takes the server, its mount and the payload"
if need_driver fuse; then
	if start_held --overlay-driver fuse; then
		held_pids
		ns=$(readlink "/proc/$FUSE/ns/mnt" 2>/dev/null)
		expect_ne "fuse-overlayfs pid" "" "$FUSE"
		kill -KILL "$SP"
		wait "$SP" 2>/dev/null
		poll "$T_WAIT" no_fuse_left "$LOWER"
		expect_eq "fuse-overlayfs left" "" "$(fuse_servers "$LOWER")"
		expect_false "the payload is still alive" alive "${PAYLOAD:-0}"
		# the fuse mount lived in that namespace only: gone with its last process
		poll "$T_WAIT" eval '[[ -z $(in_mntns "$ns") ]]'
		expect_eq "processes left in the server's mount namespace" "" "$(in_mntns "$ns")"
	else
		fail "the payload did not start: $(cat "$CTL/err")"
	fi
fi

t "fuse: the server is gone when sandbox returns (normal exit, payload failure, setup error)"
if need_driver fuse; then
	run "$SANDBOX" --overlay-driver fuse --rootfs "$LOWER" -- true
	expect_status 0
	expect_eq "fuse-overlayfs left after exit 0" "" "$(fuse_servers "$LOWER")"
	run "$SANDBOX" --overlay-driver fuse --rootfs "$LOWER" -- sh -c 'exit 3'
	expect_status 3
	expect_eq "fuse-overlayfs left after exit 3" "" "$(fuse_servers "$LOWER")"
	# fails in pid 1, after the server started
	run "$SANDBOX" --overlay-driver fuse --rootfs "$LOWER" --chdir /no/such/dir -- true
	expect_status 125
	expect_match "error" '/no/such/dir' "$ERR"
	expect_eq "fuse-overlayfs left after a setup error" "" "$(fuse_servers "$LOWER")"
	expect_same_tree "DIR" "$LOWER_MANIFEST" "$LOWER"
fi

t "fuse: when the server fails to start, its own message reaches the user"
if need_driver fuse; then
	mkdir -p "$VT/fakebin"
	printf '#!/bin/sh\necho "fake fuse-overlayfs: cannot start, on purpose" >&2\nexit 3\n' \
		>"$VT/fakebin/fuse-overlayfs"
	chmod 0755 "$VT/fakebin/fuse-overlayfs"
	PATH=$VT/fakebin:$PATH run "$SANDBOX" --overlay-driver fuse --rootfs "$LOWER" -- true
	expect_status 125
	expect_match "its message" '^fake fuse-overlayfs: cannot start, on purpose$' "$ERR"
	expect_match "sandbox's message" 'fuse-overlayfs did not start \(exit status 3\)' "$ERR"
fi

t "fuse: a fuse-overlayfs found on PATH outside the system directories is the one run"
if need_driver fuse; then
	real=$(command -v fuse-overlayfs)
	mkdir -p "$VT/wrapbin"
	printf '#!/bin/sh\necho "wrapper: starting" >&2\nexec %s "$@"\n' "$real" \
		>"$VT/wrapbin/fuse-overlayfs"
	chmod 0755 "$VT/wrapbin/fuse-overlayfs"
	PATH=$VT/wrapbin:$PATH run "$SANDBOX" --overlay-driver fuse --rootfs "$LOWER" -- cat /data/keep
	expect_status 0
	expect_eq "output" keep "$OUT"
	expect_match "the wrapper ran" '^wrapper: starting$' "$ERR"
fi

# --------------------------------------------------------------- bad input

t "--rootfs DIR that does not exist: 125"
run "$SANDBOX" --rootfs "$VT/missing" -- true
expect_status 125
expect_match "error" "$VT/missing.*No such file or directory" "$ERR"

t "--rootfs DIR that is not a directory: 125"
echo file >"$VT/a-file"
run "$SANDBOX" --rootfs "$VT/a-file" -- true
expect_status 125
expect_match "error" "$VT/a-file.*[Nn]ot a directory" "$ERR"

if ((ME_UID != 0)); then
	t "--rootfs DIR that the user cannot read: 125"
	mkdir -p "$VT/unreadable"
	chmod 0000 "$VT/unreadable"
	run "$SANDBOX" --rootfs "$VT/unreadable" -- true
	expect_status 125
	expect_match "error" "$VT/unreadable.*Permission denied" "$ERR"
	chmod 0755 "$VT/unreadable"
fi

t "--overlay-dir inside DIR: 125, and nothing is created"
run "$SANDBOX" --rootfs "$LOWER" --overlay-dir "$LOWER/data/upper" -- true
expect_status 125
expect_match "error" 'inside --rootfs' "$ERR"
expect_same_tree "DIR" "$LOWER_MANIFEST" "$LOWER"

t "DIR inside --overlay-dir: 125, and nothing is created"
mkdir -p "$VT/outer/tree"
cp -a "$ROOTFS/." "$VT/outer/tree/"
run "$SANDBOX" --rootfs "$VT/outer/tree" --overlay-dir "$VT/outer" -- true
expect_status 125
expect_match "error" 'inside --overlay-dir' "$ERR"
expect_eq "entries of DIR2" tree "$(ls "$VT/outer")"

t "--overlay-dir that is a file: 125"
run "$SANDBOX" --rootfs "$LOWER" --overlay-dir "$VT/a-file" -- true
expect_status 125
expect_match "error" "$VT/a-file" "$ERR"
expect_eq "the file" file "$(cat "$VT/a-file")"

for drv in kernel fuse; do
	t "$drv: an --overlay-dir made by a run whose setup fails later is removed"
	if need_driver "$drv"; then
		# --dir puts /made in upper/ before --chmod fails
		run "$SANDBOX" --overlay-driver "$drv" --rootfs "$LOWER" --overlay-dir "$VT/od-late" \
			--dir /made --chmod 0644 /no/such -- true
		expect_status 125
		expect_match "error" '--chmod 0644 /no/such' "$ERR"
		expect_false "$VT/od-late is left" test -e "$VT/od-late"
	fi
done
t "an --overlay-dir that existed keeps its layer when the setup fails"
mkdir -p "$VT/od-kept/upper"
echo kept >"$VT/od-kept/upper/k"
run "$SANDBOX" --rootfs "$LOWER" --overlay-dir "$VT/od-kept" --chmod 0644 /no/such -- true
expect_status 125
expect_eq "upper/k" kept "$(cat "$VT/od-kept/upper/k" 2>&1)"

conflicts=(
	"--read-only --overlay-dir $VT/od-conflict"
	"--rootfs-rw --overlay-dir $VT/od-conflict"
	"--read-only --rootfs-rw"
	"--read-only --overlay"
	"--read-only --overlay-driver fuse"
	"--rootfs-rw --overlay-driver kernel"
	"--overlay-driver zfs"
)
for c in "${conflicts[@]}"; do
	t "conflicting or bad options ($c): 125, nothing created"
	# shellcheck disable=SC2086  # the options are split on purpose
	run "$SANDBOX" --rootfs "$LOWER" $c -- true
	expect_status 125
	expect_match "error" '^sandbox: ' "$ERR"
	expect_false "$VT/od-conflict exists" test -e "$VT/od-conflict"
done

# Nested sandboxes: the outer one hides what the inner one needs. The
# binary under test is bound into the outer one (it may live under /tmp).
SBIN=/run/sandbox-under-test
outer() { run "$SANDBOX" --allow-userns --ro-bind "$SANDBOX" "$SBIN" "$@"; }
FUSE_BIN=$(command -v fuse-overlayfs 2>/dev/null)
FUSE_BIN=$(realpath -e -- "${FUSE_BIN:-/usr/bin/fuse-overlayfs}" 2>/dev/null)
HIDE_FUSE=(--ro-bind /dev/null /usr/bin/fuse-overlayfs)
[[ -n $FUSE_BIN && $FUSE_BIN != /usr/bin/fuse-overlayfs ]] &&
	HIDE_FUSE+=(--ro-bind /dev/null "$FUSE_BIN")
INNER_ENV=(env PATH=/usr/local/bin:/usr/bin:/bin)

t "--overlay-dir on an overlayfs: 125 naming overlayfs, DIR2 not left behind"
outer --overlay-src "$VT/outer" --tmp-overlay /tmp/ovl -- sh -c \
	"$SBIN --rootfs $LOWER --overlay-dir /tmp/ovl/od -- true; echo status=\$?; ls /tmp/ovl"
expect_status 0
expect_match "inner status" '^status=125$' "$OUT"
expect_match "error" 'overlay-dir /tmp/ovl/od is on an overlayfs' "$ERR"
expect_no_match "entries of the overlay" '^od$' "$OUT"

t "--overlay-driver fuse without fuse-overlayfs: 125 naming the package"
outer "${HIDE_FUSE[@]}" --dev-bind /dev/fuse /dev/fuse -- "${INNER_ENV[@]}" \
	"$SBIN" --overlay-driver fuse --rootfs "$LOWER" -- true
expect_status 125
expect_match "error" 'fuse-overlayfs is not installed.*install fuse-overlayfs' "$ERR"

t "auto without fuse-overlayfs still uses the kernel's overlayfs"
if need_driver kernel; then
	outer "${HIDE_FUSE[@]}" -- "${INNER_ENV[@]}" \
		"$SBIN" --rootfs "$LOWER" -- awk '$2 == "/" { print $3 }' /proc/mounts
	expect_status 0
	expect_eq "type of /" overlay "$OUT"
fi

t "--overlay-driver fuse without /dev/fuse: 125 naming /dev/fuse"
outer -- sh -c "$SBIN --overlay-driver fuse --rootfs $LOWER --overlay-dir /tmp/od -- true
	echo status=\$?; ls /tmp"
expect_match "inner status" '^status=125$' "$OUT"
expect_match "error" '/dev/fuse' "$ERR"
expect_no_match "/tmp of the outer sandbox" '^od$' "$OUT"

# An upper layer on FUSE: the kernel's overlayfs refuses it, fuse-overlayfs
# takes it. The outer sandbox's root is a fuse-overlayfs over the host's /.
FUSE_OUTER=(--overlay-driver fuse --rootfs / --dev-bind /dev/fuse /dev/fuse)
# The kernel reads security.capability to exec a file; where / holds a
# filesystem that answers EOPNOTSUPP (9p without CONFIG_9P_FS_SECURITY: the
# host's /usr in tests/vm), nothing runs through a fuse-overlayfs over /.
FUSE_OUTER_WHY=
if "$SANDBOX" "${FUSE_OUTER[@]}" -- true 2>/dev/null; then
	:
elif python3 -c 'import os, sys; os.getxattr(sys.argv[1], "security.capability")' \
	"$(realpath /bin/sh)" 2>&1 | grep -q 'Errno 95'; then
	FUSE_OUTER_WHY="$(realpath /bin/sh) answers getxattr(security.capability) with EOPNOTSUPP (9p?): nothing can be executed through a fuse-overlayfs over /"
fi
need_fuse_outer() {
	need_driver fuse || return 1
	[[ -z $FUSE_OUTER_WHY ]] && return 0
	skip "$FUSE_OUTER_WHY"
	return 1
}

t "auto falls back to fuse-overlayfs where the kernel refuses, and -v says why"
if need_fuse_outer; then
	outer "${FUSE_OUTER[@]}" -- "$SBIN" -v --rootfs "$LOWER" --overlay-dir /var/tmp/od-on-fuse -- \
		sh -c 'echo hello >/data/hello; cat /data/hello; awk "\$2 == \"/\" { print \$3 }" /proc/mounts'
	expect_status 0
	expect_eq "output" "hello"$'\n'"fuse.fuse-overlayfs" "$OUT"
	# the kernel's refusal, or (before 6.6, where FUSE's upper has no
	# user.* xattrs) the probe's
	expect_match "verbose output" \
		'(kernel overlayfs refused \(.+\)|no user\.\* extended attributes .*): using fuse-overlayfs' "$ERR"
	expect_match "verbose output" 'root filesystem: fuse-overlayfs over ' "$ERR"
fi

t "--overlay-driver kernel where the kernel refuses: 125 with its reason, DIR2 not left behind"
if need_fuse_outer; then
	outer "${FUSE_OUTER[@]}" -- sh -c \
		"$SBIN --overlay-driver kernel --rootfs $LOWER --overlay-dir /var/tmp/od-on-fuse -- true
		echo status=\$?; ls /var/tmp"
	expect_match "inner status" '^status=125$' "$OUT"
	expect_match "error" \
		'--overlay-driver kernel: (the kernel refused an overlayfs over .*: .+|.*no user\.\* extended attributes.*Linux 6\.6)' "$ERR"
	expect_no_match "/var/tmp of the outer sandbox" '^od-on-fuse$' "$OUT"
fi

t "auto where the kernel refuses and fuse-overlayfs is missing: 125 giving both reasons"
if need_fuse_outer; then
	outer "${FUSE_OUTER[@]}" "${HIDE_FUSE[@]}" -- "${INNER_ENV[@]}" sh -c \
		"$SBIN --rootfs $LOWER --overlay-dir /var/tmp/od-on-fuse -- true
		echo status=\$?; ls /var/tmp"
	expect_match "inner status" '^status=125$' "$OUT"
	expect_match "error" 'kernel refused an overlayfs.*fuse-overlayfs is not installed' "$ERR"
	expect_no_match "/var/tmp of the outer sandbox" '^od-on-fuse$' "$OUT"
fi

ESC_NAMES=('co:lon' 'com,ma' 'back\slash' 'quo"te' 'bl ank')
for n in "${ESC_NAMES[@]}"; do
	mkdir -p "$VT/esc/$n"
	cp -a "$ROOTFS/." "$VT/esc/$n/"
done

t "layer paths with ':', ',', '\\', '\"' and blanks work with the kernel driver"
if need_driver kernel; then
	for n in "${ESC_NAMES[@]}"; do
		run "$SANDBOX" --overlay-driver kernel --rootfs "$VT/esc/$n" \
			--overlay-dir "$VT/esc/od $n" -- sh -c 'echo w >/w; cat /w'
		expect_eq "status with '$n'" 0 "$RC"
		expect_eq "write with '$n'" w "$OUT"
		expect_eq "upper layer of '$n'" w "$(cat "$VT/esc/od $n/upper/w" 2>&1)"
	done
fi

t "fuse: a layer path fuse-overlayfs cannot take is refused with 125 and says why"
if need_driver fuse; then
	for n in 'co:lon' 'com,ma' 'back\slash'; do
		run "$SANDBOX" --overlay-driver fuse --rootfs "$VT/esc/$n" -- true
		expect_eq "status with '$n'" 125 "$RC"
		expect_match "error with '$n'" "fuse-overlayfs cannot take a layer path with" "$ERR"
	done
	expect_eq "fuse-overlayfs left" "" "$(fuse_servers "$VT/esc/co:lon")"
fi

# ------------------------------------------ bubblewrap's overlay operations

BW=$VT/bw
mkdir -p "$BW/bin" "$BW/lower1" "$BW/lower2" "$BW/upper" "$BW/work"
ln -s "$SANDBOX" "$BW/bin/bwrap"
printf 1 >"$BW/lower1/a"
printf 2 >"$BW/lower1/b"
printf 3 >"$BW/lower2/b"
printf 4 >"$BW/upper/a"
bw_sources() { manifest "$BW/lower1"; manifest "$BW/lower2"; }
BW_MANIFEST=$(bw_sources)
BWRAP=$BW/bin/bwrap
# bubblewrap's own test harness: the host read-only, a tmpfs /tmp.
bw() {
	RUN_CWD=$BW run "$BWRAP" --unshare-all --die-with-parent --ro-bind / / --tmpfs /tmp \
		--bind "$BW" "$BW" --chdir "$BW" "$@"
}
sbw() { RUN_CWD=$BW run "$SANDBOX" --bind "$BW" "$BW" --chdir "$BW" "$@"; }

t "bwrap --tmp-overlay: the last --overlay-src is on top; writes stay in the sandbox"
bw --overlay-src lower1 --tmp-overlay /tmp/x/y/z cat /tmp/x/y/z/a /tmp/x/y/z/b
expect_status 0
expect_eq "one source" 12 "$OUT"
bw --overlay-src lower1 --overlay-src lower2 --tmp-overlay /tmp/x/y/z \
	sh -c 'cat /tmp/x/y/z/a /tmp/x/y/z/b; printf 4 >/tmp/x/y/z/b; cat /tmp/x/y/z/b'
expect_status 0
expect_eq "two sources, then a write" 134 "$OUT"
bw --overlay-src lower1 --tmp-overlay /tmp/x --overlay-src lower2 --tmp-overlay /tmp/y \
	sh -c 'cat /tmp/x/b; printf 4 >/tmp/x/b; cat /tmp/x/b; cat /tmp/y/b'
expect_status 0
expect_eq "two overlays, each with its own sources" 243 "$OUT"
expect_eq "the sources" "$BW_MANIFEST" "$(bw_sources)"

t "bwrap --overlay RWSRC WORKDIR DEST: reads from RWSRC first, writes land in it"
bw --overlay-src lower1 --overlay-src lower2 --overlay upper work /tmp/x/y/z \
	sh -c 'cat /tmp/x/y/z/a /tmp/x/y/z/b; printf 5 >/tmp/x/y/z/b; cat /tmp/x/y/z/b'
expect_status 0
expect_eq "reads, then a write" 435 "$OUT"
expect_eq "RWSRC/b" 5 "$(cat "$BW/upper/b")"
expect_eq "lower2/b" 3 "$(cat "$BW/lower2/b")"
expect_eq "lower1/b" 2 "$(cat "$BW/lower1/b")"
rm -f "$BW/upper/b"
chmod -R u+rwX "$BW/work" && rm -rf "$BW/work" && mkdir "$BW/work"

t "bwrap --ro-overlay: the union, read-only"
bw --overlay-src lower1 --overlay-src lower2 --ro-overlay /tmp/x/y/z \
	sh -c 'cat /tmp/x/y/z/a /tmp/x/y/z/b; printf 4 >/tmp/x/y/z/b || echo " refused"'
expect_eq "reads, then a refused write" "13 refused" "$OUT"
expect_match "the write's error" 'Read-only file system' "$ERR"

t "bwrap: the overlay operations' usage errors are bubblewrap 0.11's"
bw --overlay upper work /tmp true
expect_status 1
expect_match "--overlay alone" '^bwrap: --overlay requires at least one --overlay-src$' "$ERR"
bw --tmp-overlay /tmp true
expect_status 1
expect_match "--tmp-overlay alone" '^bwrap: --tmp-overlay requires at least one --overlay-src$' "$ERR"
bw --overlay-src lower1 --ro-overlay /tmp true
expect_status 1
expect_match "--ro-overlay with one source" '^bwrap: --ro-overlay requires at least two --overlay-src$' "$ERR"
bw --overlay-src /tmp true
expect_status 1
expect_match "a trailing --overlay-src" \
	'^bwrap: --overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay$' "$ERR"
bw --overlay-src /tmp --chdir / true
expect_status 1
expect_match "--overlay-src before another option" \
	'^bwrap: --overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay$' "$ERR"

t "bwrap --overlay with ':', ',', '\\', '\"' and a blank in every path"
# shellcheck disable=SC1003  # a backslash at the end, on purpose
esc='x ":,\'
mkdir -p "$BW/esc/lower $esc" "$BW/esc/upper $esc" "$BW/esc/work $esc"
printf 1 >"$BW/esc/lower $esc/a"
bw --overlay-src "esc/lower $esc" --overlay "esc/upper $esc" "esc/work $esc" /tmp/x \
	sh -c 'cat /tmp/x/a; printf 2 >/tmp/x/a; cat /tmp/x/a'
expect_status 0
expect_eq "read, write, read" 12 "$OUT"
expect_eq "the source" 1 "$(cat "$BW/esc/lower $esc/a")"
expect_eq "RWSRC" 2 "$(cat "$BW/esc/upper $esc/a" 2>&1)"

t "the native command line has the same overlay operations"
sbw --overlay-src "$BW/lower1" --overlay-src "$BW/lower2" --tmp-overlay /tmp/t \
	--overlay-src "$BW/lower1" --overlay-src "$BW/lower2" --ro-overlay /tmp/r -- \
	sh -c 'cat /tmp/t/a /tmp/t/b; printf 9 >/tmp/t/b; cat /tmp/t/b /tmp/r/b
	printf 9 >/tmp/r/b 2>/dev/null || echo " ro"'
expect_status 0
expect_eq "tmp-overlay reads and write, ro-overlay read and refused write" "1393 ro" "$OUT"
sbw --overlay-src "$BW/lower1" --overlay "$BW/upper" "$BW/work" /tmp/o -- \
	sh -c 'printf 7 >/tmp/o/c; cat /tmp/o/a /tmp/o/c'
expect_status 0
expect_eq "--overlay" 47 "$OUT"
expect_eq "RWSRC/c" 7 "$(cat "$BW/upper/c" 2>&1)"
rm -f "$BW/upper/c"
expect_eq "the sources" "$BW_MANIFEST" "$(bw_sources)"

# ------------------------------------------- ownership: the Debian round trip

DEB_TAR=$DEBIAN_DIR/debian.tar
DEB_MANIFEST=$DEBIAN_DIR/debian.manifest
DEB_ROOT=$DEBIAN_DIR/root
if ((ME_UID == 0)) && [[ ! -s $DEB_TAR || ! -s $DEB_MANIFEST || ! -d $DEB_ROOT ]]; then
	bash "$HERE/debian-rootfs.sh" "$DEBIAN_DIR" >/dev/null
fi

# The entries of a Debian tree as find prints them, without what the
# sandbox mounts over (/proc /sys /dev /run /tmp) and directory sizes.
DEB_FILTER='$1 !~ /^\.\/(proc|sys|dev|run|tmp)(\/|$)/ { if ($2 == "d") $6 = 0; print }'

t "the Debian tarball of tests/debian-rootfs.sh is there"
if [[ -r $DEB_TAR && -r $DEB_MANIFEST ]]; then
	pass
	HAVE_DEB=1
else
	fail "$DEB_TAR or $DEB_MANIFEST is missing or unreadable: as root, run" \
		"  bash tests/debian-rootfs.sh $DEBIAN_DIR" \
		"(tests/check.sh does before it runs the suites as $ME_NAME)"
	HAVE_DEB=0
fi

if ((HAVE_DEB)); then
	DEB=$VT/debian
	mkdir -p "$DEB"
	SUBID_OWNED+=("$DEB")

	t "rootless unpack: sandbox ${MAPOPTS[*]} --uid 0 --rw DIR -- tar -xpf debian.tar -C DIR"
	if ((${#MAPOPTS[@]} == 0)); then
		skip "$ME_NAME has no subordinate ids (/etc/subuid, /etc/subgid)"
	else
		T_TIMEOUT=600 run "$SANDBOX" "${MAPOPTS[@]}" --uid 0 --rw "$DEB" -- tar -xpf "$DEB_TAR" -C "$DEB"
		expect_status 0
		expect_eq "tar's messages" "" "$ERR"
	fi
	DEB_OK=$((RC == 0 && ${#MAPOPTS[@]} > 0))

	t "the unpacked tree keeps every owner, mode, size and link of the tarball"
	if ((DEB_OK)); then
		run "$SANDBOX" "${MAPOPTS[@]}" --uid 0 --rootfs "$DEB" --read-only --chdir / -- \
			find . \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \) \
			-prune -o -printf '%p\t%y\t%m\t%U\t%G\t%s\t%l\n'
		expect_status 0
		want=$(awk -F '\t' -v OFS='\t' "$DEB_FILTER" "$DEB_MANIFEST" | sort)
		got=$(awk -F '\t' -v OFS='\t' "$DEB_FILTER" <<<"$OUT" | sort)
		expect_ne "number of entries" 0 "$(wc -l <<<"$got")"
		if [[ $got == "$want" ]]; then
			pass
		else
			fail "the tree differs from the tarball's manifest (< tarball, > unpacked):" \
				"$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -n 20)"
		fi
	else
		skip "no rootless tree (see the previous test)"
	fi
	DEB_BEFORE=$(cd "$DEB" 2>/dev/null && find . -printf '%p\t%y\t%m\t%U\t%G\t%s\t%T@\t%l\n' | sort)

	for drv in kernel fuse; do
		t "$drv: useradd -m bob over the rootless tree: /home/bob belongs to bob"
		if ((DEB_OK)) && need_driver "$drv"; then
			run "$SANDBOX" "${MAPOPTS[@]}" --uid 0 --overlay-driver "$drv" --rootfs "$DEB" -- \
				sh -c 'useradd -m bob && stat -c "%U:%G %n" /home/bob /home/bob/.bashrc && id -u bob &&
					stat -c "%U:%G %a" /etc/shadow /usr/bin/passwd'
			expect_status 0
			expect_eq "owners" "bob:bob /home/bob
bob:bob /home/bob/.bashrc
1000
root:shadow 640
root:root 4755" "$OUT"
		elif ((!DEB_OK)); then
			skip "no rootless tree"
		fi
	done

	t "the rootless tree is unchanged by those runs"
	if ((DEB_OK)); then
		now=$(cd "$DEB" && find . -printf '%p\t%y\t%m\t%U\t%G\t%s\t%T@\t%l\n' | sort)
		if [[ $now == "$DEB_BEFORE" ]]; then pass; else
			fail "DIR changed:" "$(diff <(printf '%s\n' "$DEB_BEFORE") <(printf '%s\n' "$now") | head -n 20)"
		fi
		expect_no_match "DIR/etc/passwd" '^bob:' "$(cat "$DEB/etc/passwd")"
		expect_false "DIR/home/bob exists" test -e "$DEB/home/bob"
	else
		skip "no rootless tree"
	fi

	t "with --overlay-dir, bob is still there in the next run"
	if ((DEB_OK)); then
		od=$VT/deb-od
		SUBID_OWNED+=("$od")
		run "$SANDBOX" "${MAPOPTS[@]}" --uid 0 --overlay-dir "$od" --rootfs "$DEB" -- useradd -m bob
		expect_status 0
		run "$SANDBOX" "${MAPOPTS[@]}" --uid 0 --overlay-dir "$od" --rootfs "$DEB" -- \
			sh -c 'id bob && stat -c "%U:%G" /home/bob'
		expect_status 0
		expect_eq "second run" "uid=1000(bob) gid=1000(bob) groups=1000(bob)
bob:bob" "$OUT"
		expect_false "DIR/home/bob exists" test -e "$DEB/home/bob"
	else
		skip "no rootless tree"
	fi

	t "a tree owned by host root (debootstrap as root) runs programs"
	if [[ -d $DEB_ROOT ]]; then
		run "$SANDBOX" --rootfs "$DEB_ROOT" -- sh -c 'cat /etc/debian_version; ls /usr/bin/dpkg'
		expect_status 0
		expect_match "output" '^[0-9]+\.[0-9]+' "$OUT"
		expect_match "output" '^/usr/bin/dpkg$' "$OUT"
	else
		fail "$DEB_ROOT is missing (tests/debian-rootfs.sh makes it)"
	fi

	if ((ME_UID != 0)); then
		t "a tree owned by host root: a refused copy-up is explained, with the rootless unpack"
		if [[ -d $DEB_ROOT ]] && need_driver kernel; then
			run "$SANDBOX" --uid 0 --overlay-driver kernel --rootfs "$DEB_ROOT" -- \
				sh -c 'touch /var/tmp/x'
			expect_ne "status of the write" 0 "$RC"
			expect_match "why" 'owned by host uid 0, which is not mapped' "$ERR"
			expect_match "how" 'sandbox --subids --uid 0 --rw DIR -- tar -xpf' "$ERR"
		fi
	else
		t "a tree owned by host root: root maps its ids and useradd works, the tree unchanged"
		if [[ -d $DEB_ROOT ]]; then
			before=$(manifest "$DEB_ROOT/etc")
			run "$SANDBOX" "${MAPOPTS[@]}" --uid 0 --rootfs "$DEB_ROOT" -- \
				sh -c 'useradd -m bob && stat -c "%U:%G" /home/bob'
			expect_status 0
			expect_eq "owner of /home/bob" bob:bob "$OUT"
			expect_same_tree "DIR/etc" "$before" "$DEB_ROOT/etc"
			expect_false "DIR/home/bob exists" test -e "$DEB_ROOT/home/bob"
		fi
	fi
fi

done_testing
