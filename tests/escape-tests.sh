#!/bin/bash
# tests/escape-tests.sh - the escape battery (issue 6): small static probes
# (tests/escape/*.c, built by `make probes`) try one way out of the
# sandbox each, and must be blocked; where an option turns the protection
# off, the same probe runs without it and must get through, which proves
# that the probe can see the hole it looks for.
#
#   SANDBOX=/abs/path/sandbox ROOTFS=/path/to/busybox-rootfs \
#       bash tests/escape-tests.sh
#
# A probe prints "BLOCKED: ...", "OPEN: ..." or "ERROR: ..." and exits 0,
# 1 or 2.  Runs as an unprivileged user with subordinate ids (sbtest) and
# as root; writes only under $T_TMP.
#
# Payload scripts are single-quoted on purpose (they expand inside):
# shellcheck disable=SC2016

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SUITE=${T_SUITE:-escape-tests($(id -un))}
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"

export LC_ALL=C
SANDBOX=${SANDBOX:-$HERE/../sandbox}
SANDBOX=$(realpath -e -- "$SANDBOX" 2>/dev/null) || SANDBOX=${SANDBOX:-./sandbox}
PROBES=$HERE/escape/bin
ME_UID=$(id -u)

t "the sandbox binary and the probes are built"
expect_true "$SANDBOX is executable" test -x "$SANDBOX"
for p in tiocsti keyring perf ptrace mount chroot fds abstract procsys userns denylist \
	llabi exit7 mkbpf; do
	expect_true "probe $p (make probes)" test -x "$PROBES/$p"
done
if [[ ! -x $SANDBOX || ! -x $PROBES/denylist ]]; then
	done_testing
fi

if [[ -z ${ROOTFS:-} ]]; then
	ROOTFS=$T_TMP/rootfs
	bash "$HERE/mkrootfs.sh" "$ROOTFS" >/dev/null || {
		t "build a busybox rootfs"
		fail "tests/mkrootfs.sh $ROOTFS failed"
		done_testing
	}
fi
ROOTFS=$(realpath -e -- "$ROOTFS")

# The probes are bound at /tmp/probes: /tmp is a fresh tmpfs in every
# native sandbox, so the mount point can be made even on a read-only root.
PB=(--ro-bind "$PROBES" /tmp/probes)
ln -s "$SANDBOX" "$T_TMP/bwrap"
BWRAP=$T_TMP/bwrap

sbp() { run "$SANDBOX" --rootfs "$ROOTFS" "${PB[@]}" "$@"; }

# expect_probe BLOCKED|OPEN: the last run's probe said so (and exited 0/1).
expect_probe() {
	local want=$1 code=0
	[[ $want == OPEN ]] && code=1
	expect_match "probe verdict" "^$want: " "$OUT"
	expect_status "$code"
}

# --------------------------------------------------------------- seccomp

# A kernel without IA32 emulation cannot run 32-bit programs (denylist32
# exits 0, 1 or 2 whenever it runs at all), nor take int 0x80 from a
# 64-bit one.
NO_IA32=
if [[ -x $PROBES/denylist32 ]] && { "$PROBES/denylist32" open >/dev/null 2>&1; (($? >= 126)); }; then
	NO_IA32="this kernel cannot run 32-bit programs (no IA32 emulation)"
fi

# denylist_run blocked|open SANDBOX-COMMAND...: run denylist in the
# sandbox; keep what it says of keyctl through int 0x80 and of the 64-bit
# keyctl for the test of that case below (the probe reports the int 0x80
# case as SKIP where the kernel cannot take it, and checks the rest).
INT80=()
denylist_run() {
	local want=$1
	shift
	run "$@" "$want"
	INT80+=("$want|$(sed -n 's/^keyctl (i386 ABI, int 0x80): //p' <<<"$OUT")|$(
		sed -n 's/^keyctl: //p' <<<"$OUT")")
	if [[ $want == blocked ]]; then expect_probe BLOCKED; else expect_probe OPEN; fi
}

t "default policy: every denied system call is answered by the filter"
denylist_run blocked "$SANDBOX" --rootfs "$ROOTFS" "${PB[@]}" -- /tmp/probes/denylist

t "control: --seccomp-policy none lets them reach the kernel"
denylist_run open "$SANDBOX" --rootfs "$ROOTFS" "${PB[@]}" --seccomp-policy none -- \
	/tmp/probes/denylist

t "bwrap personality: no policy unless asked (bubblewrap's default)"
denylist_run open "$BWRAP" --ro-bind "$ROOTFS" / --tmpfs /tmp "${PB[@]}" /tmp/probes/denylist

t "bwrap personality with --seccomp-policy default"
denylist_run blocked "$BWRAP" --seccomp-policy default --ro-bind "$ROOTFS" / --tmpfs /tmp \
	"${PB[@]}" /tmp/probes/denylist

# Blocked: EPERM from the filter; open: the kernel's answer, the same as to
# the 64-bit keyctl (which the control runs show is not the filter's).
t "the i386 table from a 64-bit process (int 0x80) gets the same policy"
want='' skips='' got=''
for r in "${INT80[@]}"; do
	IFS='|' read -r mode int80 native <<<"$r"
	[[ $mode == blocked ]] && native=EPERM
	native=${native:-(no 64-bit keyctl line)}
	want+="$mode|$native|"$'\n'
	[[ $int80 == SKIP:* ]] && skips+="$mode|$int80|"$'\n'
	got+="$mode|$int80|"$'\n'
done
if [[ $(uname -m) != x86_64 ]]; then
	skip "int 0x80 is an x86_64 way in; this is $(uname -m)"
elif [[ -z $skips ]]; then
	expect_eq "keyctl through int 0x80 in the four runs" "$want" "$got"
elif [[ -z $NO_IA32 ]]; then
	fail "the probe skipped int 0x80, yet this kernel runs 32-bit programs:" "$skips"
elif [[ $skips != "$got" ]]; then
	fail "the probe skipped int 0x80 in some runs only:" "$got"
else
	why=$(sed -n '1s/^[a-z]*|SKIP: \(.*\)|$/\1/p' <<<"$skips")
	skip "${why:-int 0x80 cannot run here}"
fi

t "compat table: the 32-bit ABI gets the same policy"
if [[ ! -x $PROBES/denylist32 ]]; then
	if [[ $(uname -m) == x86_64 ]]; then
		fail "tests/escape/bin/denylist32 is not built: install gcc-multilib and run make probes"
	else
		skip "no 32-bit compat probe for $(uname -m)"
	fi
elif [[ -n $NO_IA32 ]]; then
	skip "$NO_IA32"
else
	sbp -- /tmp/probes/denylist32 blocked
	expect_probe BLOCKED
	sbp --seccomp-policy none -- /tmp/probes/denylist32 open
	expect_probe OPEN
fi

t "terminal injection (TIOCSTI) is blocked"
sbp -- /tmp/probes/tiocsti
expect_probe BLOCKED
expect_match "both ioctls" 'TIOCSTI: EPERM, TIOCLINUX: EPERM' "$OUT"

t "control: TIOCSTI injects without the policy"
if [[ $(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null) == 0 ]]; then
	skip "this kernel disables TIOCSTI (dev.tty.legacy_tiocsti = 0)"
else
	sbp --seccomp-policy none -- /tmp/probes/tiocsti
	expect_probe OPEN
fi

t "kernel keyrings are blocked"
sbp -- /tmp/probes/keyring
expect_probe BLOCKED
sbp --seccomp-policy none -- /tmp/probes/keyring
expect_probe OPEN

t "perf events are blocked"
sbp -- /tmp/probes/perf
expect_probe BLOCKED

t "control: perf events without the policy"
if (($(cat /proc/sys/kernel/perf_event_paranoid) > 2)); then
	skip "kernel.perf_event_paranoid > 2 forbids them anyway"
else
	sbp --seccomp-policy none -- /tmp/probes/perf
	expect_probe OPEN
fi

t "the default policy runs ordinary programs: shell, coreutils, a compiler"
if command -v cc >/dev/null; then
	run "$SANDBOX" -- sh -c 'cd /tmp && printf "int main(void){return 3;}\n" >a.c &&
		cc -O2 a.c -o a && { ./a; echo "rc=$?"; } && ls /usr/bin | sort | head -n 1 |
		wc -l && printf "b\na\n" | sort | tr -d "\n" && tar -cf - a.c | tar -tf -'
	expect_status 0
	expect_eq "output" $'rc=3\n1\naba.c' "$OUT"
else
	fail "no C compiler on the host (build-essential)"
fi

t "after loading the filter the setup runs nothing but execve"
printf '@default kill\nexecve allow\nexit_group allow\n' >"$T_TMP/only-execve"
run "$SANDBOX" --seccomp-policy "$T_TMP/only-execve" "${PB[@]}" -- /tmp/probes/exit7
expect_status 7

t "--seccomp-policy FILE replaces the default policy"
printf '# no mkdir\nmkdir errno:EACCES\nmkdirat errno:EACCES\n' >"$T_TMP/no-mkdir"
sbp --seccomp-policy "$T_TMP/no-mkdir" -- sh -c 'mkdir /tmp/d; /tmp/probes/keyring'
expect_match "mkdir refused" 'Permission denied' "$ERR"
expect_probe OPEN

t "--seccomp-policy FILE: @include default, and a later rule relaxes one"
printf '@include default\nmkdir errno:EACCES\nmkdirat errno:EACCES\nkeyctl allow\nadd_key allow\nrequest_key allow\n' \
	>"$T_TMP/relaxed"
sbp --seccomp-policy "$T_TMP/relaxed" -- sh -c '/tmp/probes/keyring; /tmp/probes/perf; mkdir /tmp/d'
expect_match "keyrings allowed" '^OPEN: add_key' "$OUT"
expect_match "perf still denied" '^BLOCKED: perf_event_open: EPERM' "$OUT"
expect_match "mkdir refused" 'Permission denied' "$ERR"

t "--seccomp-policy FILE: errors name the file and line"
bad_policy() {
	printf '%b' "$1" >"$T_TMP/bad"
	run "$SANDBOX" --seccomp-policy "$T_TMP/bad" -- true
	expect_status 125
	expect_match "message for: $1" "^sandbox: --seccomp-policy: $T_TMP/bad:$2: .*$3" "$ERR"
}
bad_policy '# ok\nread allow\nnosuchcall errno:EPERM\n' 3 "unknown system call 'nosuchcall'"
bad_policy 'keyctl deny\n' 1 "unknown action 'deny'"
bad_policy 'ioctl errno:EPERM arg1=0x5412\n' 1 "'arg1=0x5412': expected =="
bad_policy '\n\nchmod errno:EPERM arg1==0755\n' 3 "'0755': a number with a leading 0"
bad_policy 'ioctl errno:EPERM arg1>1 arg1<9\n' 1 'arg1 is compared twice'
bad_policy 'keyctl errno:ENOTANERRNO\n' 1 "unknown errno name 'ENOTANERRNO'"
bad_policy '@include defaults\n' 1 '@include takes one word'
run "$SANDBOX" --seccomp-policy "$T_TMP/does-not-exist" -- true
expect_status 125
expect_match "missing file" 'No such file' "$ERR"

t "bwrap's --add-seccomp-fd stacks with the default policy"
"$PROBES/mkbpf" 13 mkdir >"$T_TMP/mkdir.bpf" && "$PROBES/mkbpf" 13 mkdirat >"$T_TMP/mkdirat.bpf"
"$PROBES/mkbpf" 13 mkdir mkdirat >"$T_TMP/mkdirs.bpf"
sbp --add-seccomp-fd 3 --add-seccomp-fd 4 -- sh -c 'mkdir /tmp/d; /tmp/probes/keyring' \
	3<"$T_TMP/mkdir.bpf" 4<"$T_TMP/mkdirat.bpf"
expect_match "mkdir refused by the added program" 'Permission denied' "$ERR"
expect_probe BLOCKED

t "bwrap's --seccomp works in the bwrap personality (alone: no policy)"
run "$BWRAP" --seccomp 3 --ro-bind "$ROOTFS" / --tmpfs /tmp "${PB[@]}" \
	sh -c 'mkdir /tmp/d; /tmp/probes/keyring' 3<"$T_TMP/mkdirs.bpf"
expect_match "mkdir refused" 'Permission denied' "$ERR"
expect_probe OPEN

# ------------------------------------------------- processes of the setup

t "pid 1 cannot be ptraced, nor its exe, mem or fds opened"
sbp -- /tmp/probes/ptrace 1
expect_probe BLOCKED
t "... not even with every capability"
sbp --uid 0 --cap-add ALL -- /tmp/probes/ptrace 1
expect_probe BLOCKED
t "control: the same payload reaches a process of its own"
sbp --uid 0 --cap-add ALL -- /tmp/probes/ptrace child
expect_probe OPEN

t "--share-pid: no ancestor (setup processes, host shell) can be reached"
sbp --share-pid --uid 0 --cap-add ALL -- /tmp/probes/ptrace ancestors
expect_probe BLOCKED
sbp --share-pid --cap-add CAP_SYS_PTRACE -- /tmp/probes/ptrace ancestors
expect_probe BLOCKED

t "--info-fd still names pid 1's namespaces (pid 1 reports them)"
for caps in "" "--cap-add ALL"; do
	# shellcheck disable=SC2086 # CAPS is a list of words or nothing
	sbp $caps --info-fd 3 -- sh -c 'stat -L -c %i /proc/self/ns/pid /proc/self/ns/mnt' \
		3>"$T_TMP/info"
	expect_status 0
	info=$(<"$T_TMP/info")
	expect_match "child-pid ($caps)" '"child-pid": [1-9][0-9]*' "$info"
	expect_match "pid-namespace ($caps)" "\"pid-namespace\": $(sed -n 1p <<<"$OUT")(,|\$)" "$info"
	expect_match "mnt-namespace ($caps)" "\"mnt-namespace\": $(sed -n 2p <<<"$OUT")(,|\$)" "$info"
done

# ----------------------------------------------------- mounts and devices

t "mount and mknod without capabilities"
sbp -- /tmp/probes/mount mount /mnt
expect_probe BLOCKED
sbp -- /tmp/probes/mount mknod /tmp
expect_probe BLOCKED
t "control: with every capability a tmpfs mounts; a device node never"
sbp --uid 0 --cap-add ALL -- /tmp/probes/mount mount /mnt
expect_probe OPEN
sbp --uid 0 --cap-add ALL -- /tmp/probes/mount mknod /tmp
expect_probe BLOCKED
sbp --uid 0 --cap-add ALL -- /tmp/probes/mount fifo /tmp
expect_probe OPEN

HOSTRO=$T_TMP/hostro
mkdir "$HOSTRO"
t "a read-only bind stays read-only with every capability"
sbp --uid 0 --cap-add ALL --ro-bind "$HOSTRO" /mnt -- /tmp/probes/mount remount /mnt
expect_probe BLOCKED
expect_eq "files written in the host directory" "" "$(ls -A "$HOSTRO")"
t "... and with --disable-userns"
sbp --uid 0 --cap-add ALL --disable-userns --ro-bind "$HOSTRO" /mnt -- \
	/tmp/probes/mount remount /mnt
expect_probe BLOCKED
expect_eq "files written in the host directory" "" "$(ls -A "$HOSTRO")"
t "control: the bwrap personality (bubblewrap's model) does not lock mounts"
run "$BWRAP" --unshare-all --uid 0 --cap-add ALL --ro-bind "$ROOTFS" / --proc /proc \
	--dev /dev --tmpfs /tmp "${PB[@]}" --ro-bind "$HOSTRO" /mnt /tmp/probes/mount remount /mnt
expect_probe OPEN
expect_eq "file written in the host directory" "written" "$(ls -A "$HOSTRO")"
rm -f "$HOSTRO/written"

t "the double-chroot escape (CAP_SYS_CHROOT) stays in the sandbox"
: >"$T_TMP/marker"
sbp --cap-add CAP_SYS_CHROOT -- /tmp/probes/chroot "$T_TMP/marker"
expect_probe BLOCKED
run "$SANDBOX" "${PB[@]}" --cap-add CAP_SYS_CHROOT -- /tmp/probes/chroot "$T_TMP/marker"
expect_probe BLOCKED
t "control: the same escape gets out of a plain chroot"
sbp --cap-add CAP_SYS_CHROOT -- sh -c 'mkdir /tmp/jail && : >/tmp/outside &&
	exec /tmp/probes/chroot jail /tmp/jail /tmp/outside'
expect_probe OPEN

t "/dev has only the minimal nodes"
sbp -- ls -A /dev
expect_eq "/dev" "core fd full null ptmx pts random shm stderr stdin stdout tty urandom zero" \
	"$(tr '\n' ' ' <<<"$OUT" | sed 's/ $//')"

t "host device nodes are not usable outside /dev (nodev)"
# (in /mnt: a sticky /tmp refuses to open another user's device anyway)
sbp --ro-bind /dev/null /mnt/null -- sh -c 'echo x >/mnt/null'
expect_ne "exit status" 0 "$RC"
expect_match "refused" 'Permission denied' "$ERR"
sbp --dev-bind /dev/null /mnt/null -- sh -c 'echo x >/mnt/null'
expect_status 0
for mode in "" --read-only --rootfs-rw; do
	# shellcheck disable=SC2086 # MODE is one word or nothing
	sbp $mode -- cat /proc/self/mountinfo
	expect_match "/ is nodev ($mode)" '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / [^ ]*nodev' "$OUT"
done
run "$SANDBOX" -- cat /proc/self/mountinfo
expect_match "/ is nodev (host view)" '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / [^ ]*nodev' "$OUT"

# mount_opts MOUNTINFO MOUNTPOINT: the options of the top mount there
mount_opts() {
	awk -v mp="$2" '$5 == mp { r = $6 } END { print r }' <<<"$1"
}

t "/proc/sys, /proc/irq, /proc/bus (and sysrq-trigger) and /sys are read-only"
sbp -- cat /proc/self/mountinfo
for m in /proc/sys /proc/irq /proc/bus /proc/sysrq-trigger /sys; do
	[[ -e $m ]] || continue
	expect_match "$m" '^ro,' "$(mount_opts "$OUT" "$m")"
done
sbp --share-net -- cat /proc/self/mountinfo
expect_match "/sys with --share-net" '^ro,' "$(mount_opts "$OUT" /sys)"

t "writes to /proc/sys stop at the read-only mount"
# CAP_NET_ADMIN: the network namespace's own sysctls would take the write
sbp --uid 0 --cap-add CAP_NET_ADMIN -- /tmp/probes/procsys proc
expect_probe BLOCKED
expect_match "ip_forward" 'ip_forward: EROFS' "$OUT"
sbp --uid 0 --cap-add ALL -- /tmp/probes/procsys proc
expect_probe BLOCKED
if ((ME_UID == 0)); then
	# the host's root is root inside: only the mount stands in the way
	expect_match "core_pattern" 'core_pattern: EROFS' "$OUT"
	expect_match "irq" 'default_smp_affinity: EROFS' "$OUT"
fi
t "control: a plain user namespace (unshare) writes there"
run unshare --user --map-root-user --net "$PROBES/procsys" proc
expect_probe OPEN

t "writes to /sys stop at the read-only mount"
sbp --uid 0 --cap-add ALL -- /tmp/probes/procsys sys
expect_probe BLOCKED
expect_match "tx_queue_len" 'tx_queue_len: EROFS' "$OUT"
sbp --uid 0 --cap-add ALL --share-net -- /tmp/probes/procsys sys
expect_probe BLOCKED
if ((ME_UID == 0)); then
	# the host's own /sys, and the host's root inside: only the mount stops it
	expect_match "tx_queue_len (--share-net)" 'tx_queue_len: EROFS' "$OUT"
fi
t "control: without a read-only /sys the write reaches the file itself"
run unshare --user --map-root-user --net --mount "$PROBES/procsys" sys mount
expect_match "probe ran" '^(BLOCKED|OPEN): ' "$OUT"
expect_no_match "not stopped by a read-only mount" 'EROFS' "$OUT"

t "a sandbox in a sandbox gets the parent's /proc, read-only parts included"
run "$SANDBOX" --allow-userns --ro-bind "$SANDBOX" "$SANDBOX" --ro-bind "$ROOTFS" "$ROOTFS" -- \
	"$SANDBOX" --rootfs "$ROOTFS" -- sh -c 'grep " /proc/sys " /proc/self/mountinfo'
expect_status 0
expect_match "/proc/sys" ' /proc/sys ro,' "$OUT"
expect_match "warning" "the parent's /proc" "$ERR"

# ------------------------------------------------ symlinks in the rootfs

# A rootfs of our own whose symlinks point at a host directory (absolute),
# far up (relative) and at a host file.  Every destination must resolve
# inside the rootfs: what lands, lands under $RFS$HOSTD.
# (The host directory is outside /tmp, which is a fresh tmpfs inside.)
RFS=$T_TMP/rfs
VT=$(mktemp -d /var/tmp/sandbox-escape.XXXXXX) || exit 2
t_cleanup_hook() {
	chmod -R u+rwX "$VT" 2>/dev/null
	rm -rf "$VT"
}
HOSTD=$VT/hostdir
cp -a "$ROOTFS" "$RFS"
mkdir -p "$HOSTD" "$RFS$HOSTD" "$T_TMP/src"
: >"$T_TMP/src/from-host"
printf 'host file\n' >"$HOSTD/file"
chmod 0600 "$HOSTD/file"
printf 'inner file\n' >"$RFS$HOSTD/file"
chmod 0600 "$RFS$HOSTD/file"
ln -s "$HOSTD" "$RFS/evil"
ln -s ../../../../../../../../../.. "$RFS/up"
ln -s "$HOSTD/file" "$RFS/lnk"
printf 'data\n' >"$T_TMP/data"

# dest_op NAME LANDED OPTION...: run OPTION... with --rootfs-rw $RFS; the
# host directory must stay empty but for "file", and LANDED (a path
# under $RFS$HOSTD) must exist.
dest_op() {
	local name=$1 landed=$2
	shift 2
	t "symlinked destination: $name stays in the rootfs"
	run "$SANDBOX" --rootfs "$RFS" --rootfs-rw "$@" -- true
	expect_status 0
	expect_eq "host directory" "file" "$(ls -A "$HOSTD")"
	expect_true "$landed is in the rootfs" test -e "$RFS$HOSTD/$landed" -o -L "$RFS$HOSTD/$landed"
}
dest_op "--bind SRC /evil/x" x --bind "$T_TMP/src" /evil/x
dest_op "--ro-bind SRC /evil/ro" ro --ro-bind "$T_TMP/src" /evil/ro
dest_op "--dir /evil/d" d --dir /evil/d
dest_op "--file FD /evil/f" f --file 3 /evil/f 3<"$T_TMP/data"
dest_op "--bind-data FD /evil/bd" bd --bind-data 3 /evil/bd 3<"$T_TMP/data"
dest_op "--ro-bind-data FD /evil/rbd" rbd --ro-bind-data 3 /evil/rbd 3<"$T_TMP/data"
dest_op "--symlink T /evil/s" s --symlink target /evil/s
dest_op "--tmpfs /evil/t" t --tmpfs /evil/t
dest_op "--proc /evil/p" p --proc /evil/p
dest_op "--dev /evil/dv" dv --dev /evil/dv
dest_op "--mqueue /evil/mq" mq --mqueue /evil/mq
dest_op "--remount-ro /evil/rm" rm --bind "$T_TMP/src" /evil/rm --remount-ro /evil/rm
dest_op "--dir /evil/a/b (a chain)" a/b --dir /evil/a/b

t "symlinked destination: --chmod follows the link inside the rootfs only"
run "$SANDBOX" --rootfs "$RFS" --rootfs-rw --chmod 0644 /lnk -- true
expect_status 0
expect_eq "mode of the host file" 600 "$(stat -c %a "$HOSTD/file")"
expect_eq "mode of the rootfs's file" 644 "$(stat -c %a "$RFS$HOSTD/file")"

t "symlinked destination: the bind shows the source, inside"
run "$SANDBOX" --rootfs "$RFS" --rootfs-rw --bind "$T_TMP/src" /evil/x -- ls "$HOSTD/x"
expect_status 0
expect_eq "listing" from-host "$OUT"

t "'..' out of the root stays at the root"
run "$SANDBOX" --rootfs "$RFS" --rootfs-rw --dir /up/escaped-dir --dir /../../escaped2 -- true
expect_status 0
expect_true "escaped-dir made at the rootfs's top" test -d "$RFS/escaped-dir"
expect_true "escaped2 made at the rootfs's top" test -d "$RFS/escaped2"
expect_false "nothing made at the host's /" test -e /escaped-dir -o -e /escaped2

t "symlinked destination in the default overlay mode"
run "$SANDBOX" --rootfs "$RFS" --dir /evil/ov --bind "$T_TMP/src" /evil/ovb -- ls "$HOSTD"
expect_status 0
expect_eq "host directory" "file" "$(ls -A "$HOSTD")"
expect_match "made inside" '^ov$' "$OUT"

t "bwrap personality: a bound host directory's symlink resolves in the new root"
mkdir "$T_TMP/withlink"
ln -s "$HOSTD" "$T_TMP/withlink/esc"
run "$BWRAP" --ro-bind "$ROOTFS" / --tmpfs /tmp --tmpfs /var --bind "$T_TMP/withlink" /tmp/a --dir "$HOSTD" \
	--dir /tmp/a/esc/new --file 3 /tmp/a/esc/f ls "$HOSTD" 3<"$T_TMP/data"
expect_status 0
expect_eq "made in the new root" $'f\nnew' "$OUT"
expect_eq "host directory" "file" "$(ls -A "$HOSTD")"

# ------------------------------- host paths the setup process acts on

# The setup process runs with the user's full rights on the host: what it
# binds or writes there must be the object it checked, never what a name
# leads to later (issue 11).

# race_dirs DIR: DIR/public and DIR/secret, each with a key.
race_dirs() {
	rm -rf "$1"
	mkdir -p "$1/public" "$1/secret"
	echo public >"$1/public/key"
	echo SECRET >"$1/secret/key"
}
# swap_after_parse DIR, on an --args fd: an argument longer than a pipe
# holds, so the write returns only once the sandbox is reading that fd,
# past every option before --args; then DIR/public becomes a link to
# DIR/secret, while the setup has yet to mount anything.
swap_after_parse() {
	printf -- '--setenv\0PAD\0%s\0' "$(printf '%*s' 100000 '' | tr ' ' x)"
	mv "$1/public" "$1/public.moved" && ln -s secret "$1/public"
}

t "--bind-fd: the directory open at the fd is bound, not what its path names later"
race_dirs "$T_TMP/bfd"
sbp --bind-fd 5 /mnt --args 6 -- cat /mnt/key 5<"$T_TMP/bfd/public" \
	6< <(swap_after_parse "$T_TMP/bfd")
expect_status 0
expect_eq "bound" public "$OUT"
expect_true "the path was swapped during the setup" test -L "$T_TMP/bfd/public"
t "bwrap personality: --ro-bind-fd binds the same object"
race_dirs "$T_TMP/bfd"
run "$BWRAP" --ro-bind "$ROOTFS" / --ro-bind-fd 5 /mnt --args 6 cat /mnt/key \
	5<"$T_TMP/bfd/public" 6< <(swap_after_parse "$T_TMP/bfd")
expect_status 0
expect_eq "bound" public "$OUT"
t "control: a bind by path, after the same swap, shows the other directory"
race_dirs "$T_TMP/bfd"
sbp --bind "$T_TMP/bfd/public" /mnt --args 6 -- cat /mnt/key 6< <(swap_after_parse "$T_TMP/bfd")
expect_status 0
expect_eq "bound" SECRET "$OUT"

t "--lock-file: a FIFO that a payload left in a writable root does not hold the setup"
run "$SANDBOX" --rootfs "$RFS" --rootfs-rw -- mkfifo /lockfifo
expect_status 0
T_TIMEOUT=$T_WAIT run "$SANDBOX" --rootfs "$RFS" --rootfs-rw --lock-file /lockfifo -- echo ran
expect_status 0
expect_eq "output" ran "$OUT"
t "control: a plain open of that FIFO waits"
T_TIMEOUT=2 run sh -c 'exec 3<"$1"' sh "$RFS/lockfifo"
expect_status 124
rm -f "$RFS/lockfifo"

# An --overlay-dir in a project that a sandbox binds writable (issue 11's
# reproducers).  $VT is outside /tmp, so the paths are the same inside.
PROJ=$VT/proj
mkdir -p "$PROJ" "$VT/victim" "$VT/target"
: >"$VT/victim/precious"

t "--overlay-dir inside a source bound writable: 125, nothing created, nothing emptied"
run "$SANDBOX" --rootfs "$ROOTFS" --overlay-dir "$PROJ/.ovl" --rw "$PROJ" -- sh -c \
	"cd $PROJ/.ovl && mv work w.old && mkdir work && ln -s $VT/victim work/work"
expect_status 125
expect_match "error" "overlay-dir $PROJ/.ovl overlaps --rw $PROJ" "$ERR"
expect_false "no $PROJ/.ovl" test -e "$PROJ/.ovl"
expect_eq "the host directory" precious "$(ls "$VT/victim")"
t "control: the link that payload plants leads a tidy by name into the host directory"
chmod -R u+rwX "$PROJ"
rm -rf "$PROJ/.ovl"
: >"$VT/victim/precious"
run "$SANDBOX" --rootfs "$ROOTFS" --rw "$PROJ" -- sh -c \
	"mkdir -p $PROJ/.ovl/work && ln -s $VT/victim $PROJ/.ovl/work/work"
expect_status 0
expect_eq "the link, from the host" precious "$(ls "$PROJ/.ovl/work/work/")"
rm -rf "$PROJ/.ovl"

t "--overlay-dir: an upper/ replaced by a link since the last run is refused"
run "$SANDBOX" --rootfs "$ROOTFS" --overlay-dir "$PROJ/.ovl" -- true
expect_status 0
run "$SANDBOX" --rootfs "$ROOTFS" --rw "$PROJ" -- sh -c \
	"cd $PROJ/.ovl && mv upper u.old && ln -s ../../target upper"
expect_status 0
run "$SANDBOX" --rootfs "$ROOTFS" --overlay-dir "$PROJ/.ovl" -- sh -c 'echo x >/.profile'
expect_status 125
expect_match "error" 'upper/: .*symbolic link' "$ERR"
expect_false "nothing written through the link" test -e "$VT/target/.profile"
t "control: the planted upper/ leads out of DIR2"
echo x >"$PROJ/.ovl/upper/.probe"
expect_true "written through the link" test -e "$VT/target/.probe"
rm -rf "$PROJ/.ovl" "$VT/target/.probe"

t "--overlay-dir: a work/work link the user planted outside is not followed by the tidy"
# The user (not a payload) plants work/work -> a directory with files,
# between two runs, and again while a run waits, so that the link is
# there when that run tidies work/ at its end. Either way the link goes,
# not the files it leads to.
# (with each driver: fuse-overlayfs would meet the link where the kernel
# would not, and the link must go before either starts)
drivers=(auto)
[[ -w /dev/fuse ]] && command -v fuse-overlayfs >/dev/null && drivers+=(fuse)
for drv in "${drivers[@]}"; do
	rm -rf "$PROJ/.ovl" "$VT/victim"
	mkdir -p "$VT/victim" "$VT/m"
	: >"$VT/victim/precious"
	run "$SANDBOX" --rootfs "$ROOTFS" --overlay-driver "$drv" --overlay-dir "$PROJ/.ovl" -- true
	expect_status 0
	rm -rf "$PROJ/.ovl/work/work"
	ln -s "$VT/victim" "$PROJ/.ovl/work/work"
	run "$SANDBOX" --rootfs "$ROOTFS" --overlay-driver "$drv" --overlay-dir "$PROJ/.ovl" -- \
		sh -c 'echo x >/.probe'
	expect_status 0
	expect_eq "the victim's files, after a run over the link ($drv)" precious "$(ls "$VT/victim")"
	expect_false "no work/work link left ($drv)" test -L "$PROJ/.ovl/work/work"
done
rm -f "$VT/m/ready" "$VT/m/go"
mkfifo "$VT/m/go"
"$SANDBOX" --rootfs "$ROOTFS" --overlay-dir "$PROJ/.ovl" --rw "$VT/m" -- \
	sh -c "touch $VT/m/ready; read x <$VT/m/go" </dev/null >/dev/null 2>"$T_TMP/ovl-tidy.err" &
SP=$!
track_pid "$SP"
if poll "$T_WAIT" test -e "$VT/m/ready"; then
	expect_true "the run's work/work, moved aside" mv "$PROJ/.ovl/work/work" "$PROJ/.ovl/work/w.old"
	expect_true "a link planted in its place" ln -s "$VT/victim" "$PROJ/.ovl/work/work"
	echo go >"$VT/m/go"
	wait "$SP"
	expect_status 0 "$?"
	expect_eq "the victim's files, after the tidy met the link" precious "$(ls "$VT/victim")"
	expect_false "the link was removed" test -L "$PROJ/.ovl/work/work"
else
	fail "the sandbox did not start: $(cat "$T_TMP/ovl-tidy.err")"
	kill -KILL "$SP"
	wait "$SP"
fi
chmod -R u+rwX "$PROJ/.ovl" 2>/dev/null
rm -rf "$PROJ/.ovl" "$VT/m"

t "--overlay-dir that is a link, or with a link on its path: 125, the target untouched"
ln -s "$VT/target" "$PROJ/.ovl"
ln -s "$VT" "$PROJ/up"
run "$SANDBOX" --rootfs "$ROOTFS" --overlay-dir "$PROJ/.ovl" -- true
expect_status 125
expect_match "error" "overlay-dir $PROJ/.ovl: .*symbolic link" "$ERR"
run "$SANDBOX" --rootfs "$ROOTFS" --overlay-dir "$PROJ/up/target/od" -- true
expect_status 125
expect_match "error" "a symbolic link on its path is refused.*, $VT/target/od" "$ERR"
expect_eq "the target" "" "$(ls -A "$VT/target")"
t "control: the link leads to the target"
expect_true "through $PROJ/.ovl" test "$PROJ/.ovl/." -ef "$VT/target"
rm -f "$PROJ/.ovl" "$PROJ/up"

# ------------------------------------------------------ fds and sockets

t "inherited fds do not reach the payload"
sbp -- /tmp/probes/fds marker 5<"$T_TMP/marker" 6<"$T_TMP"
expect_probe BLOCKED
t "control: --keep-fd passes one, and a directory fd is a way out"
sbp --keep-fd 6 -- /tmp/probes/fds marker 5<"$T_TMP/marker" 6<"$T_TMP"
expect_probe OPEN
expect_match "escape through fd 6" 'gave marker of the host' "$OUT"

ABS=sandbox-probe-$$-$RANDOM
t "the host's abstract unix sockets: a listener for the tests"
"$PROBES/abstract" listen "$ABS" "$T_TMP/ready" >"$T_TMP/listener.out" 2>&1 &
track_pid $!
expect_true "listener ready" poll "$T_WAIT" test -e "$T_TMP/ready"

t "abstract unix sockets of the host: out of reach in a private network namespace"
sbp -- /tmp/probes/abstract connect "$ABS"
expect_probe BLOCKED
t "abstract unix sockets of the host: --share-net --landlock scopes them"
LLABI=$("$PROBES/llabi")
if ((LLABI >= 6)); then
	sbp --share-net --landlock -- /tmp/probes/abstract connect "$ABS"
	expect_probe BLOCKED
	expect_match "refused by Landlock" 'EPERM' "$OUT"
else
	sbp --share-net --landlock -- /tmp/probes/abstract connect "$ABS"
	expect_match "warning" 'Landlock ABI is [0-9]+, older than 6' "$ERR"
fi
t "control: --share-net alone reaches them"
sbp --share-net -- /tmp/probes/abstract connect "$ABS"
expect_probe OPEN

# ------------------------------------------------------ user namespaces

t "--disable-userns: no nested user namespace by unshare, clone or clone3"
sbp --disable-userns -- /tmp/probes/userns
expect_probe BLOCKED
expect_match "the filter answers" 'unshare: EPERM, clone: EPERM, clone3: ENOSYS' "$OUT"
t "--disable-userns without a policy: the namespace limit still holds"
sbp --disable-userns --seccomp-policy none -- /tmp/probes/userns
expect_probe BLOCKED
t "--disable-userns with a policy file gets the same rules"
sbp --disable-userns --seccomp-policy "$T_TMP/no-mkdir" -- /tmp/probes/userns
expect_probe BLOCKED
expect_match "the filter answers" 'unshare: EPERM, clone: EPERM, clone3: ENOSYS' "$OUT"
t "default: no nested user namespace by unshare, clone or clone3 (issue 11)"
sbp -- /tmp/probes/userns
expect_probe BLOCKED
expect_match "the filter answers" 'unshare: EPERM, clone: EPERM, clone3: ENOSYS' "$OUT"
t "... and in a policy file that includes the default"
printf '@include default\n' >"$T_TMP/incl-default"
sbp --seccomp-policy "$T_TMP/incl-default" -- /tmp/probes/userns
expect_probe BLOCKED
expect_match "the filter answers" 'unshare: EPERM, clone: EPERM, clone3: ENOSYS' "$OUT"
t "control: --allow-userns lets a nested user namespace be made"
sbp --allow-userns -- /tmp/probes/userns
expect_probe OPEN
sbp --allow-userns --seccomp-policy "$T_TMP/incl-default" -- /tmp/probes/userns
expect_probe OPEN
t "control: the bwrap personality allows it (bubblewrap's default)"
run "$BWRAP" --unshare-user --ro-bind "$ROOTFS" / --tmpfs /tmp "${PB[@]}" /tmp/probes/userns
expect_probe OPEN
t "--allow-userns contradicts --disable-userns"
sbp --allow-userns --disable-userns -- true
expect_status 125
expect_match "message" 'allow-userns contradicts --disable-userns' "$ERR"

t "a sandbox in a sandbox says what the outer one needs"
run "$SANDBOX" --ro-bind "$SANDBOX" "$SANDBOX" --ro-bind "$ROOTFS" "$ROOTFS" -- \
	"$SANDBOX" --rootfs "$ROOTFS" -- true
expect_status 125
expect_match "message" 'nested user namespaces are refused by the outer sandbox.*--allow-userns' "$ERR"
t "control: with --allow-userns outside, the inner sandbox runs"
run "$SANDBOX" --allow-userns --ro-bind "$SANDBOX" "$SANDBOX" --ro-bind "$ROOTFS" "$ROOTFS" -- \
	"$SANDBOX" --rootfs "$ROOTFS" -- echo inner
expect_status 0
expect_eq "inner output" inner "$OUT"

# -------------------------------------------------------------- Landlock

t "--landlock=require runs on this kernel, or says why not"
sbp --landlock=require -- true
if ((LLABI >= 1)); then
	expect_status 0
else
	expect_status 125
	expect_match "message" 'no Landlock' "$ERR"
fi

t "--landlock: ordinary work inside the plan goes on"
if ((LLABI >= 1)); then
	mkdir "$T_TMP/rw"
	sbp --landlock --bind "$T_TMP/rw" /mnt -- sh -c 'echo a >/tmp/a && cat /tmp/a &&
		echo b >/mnt/b && ls /bin/sh >/dev/null && echo ok'
	expect_status 0
	expect_eq "output" $'a\nok' "$OUT"
	expect_eq "written through the bind" b "$(cat "$T_TMP/rw/b" 2>&1)"
else
	skip "this kernel has no Landlock"
fi

t "--landlock: a host file reached through an inherited fd is not writable"
printf 'host\n' >"$T_TMP/hostfile"
if ((LLABI >= 1)); then
	sbp --landlock --keep-fd 5 -- sh -c 'echo changed >/proc/self/fd/5' 5<"$T_TMP/hostfile"
	expect_ne "exit status" 0 "$RC"
	expect_eq "host file" host "$(cat "$T_TMP/hostfile")"
	t "control: without --landlock the same write goes through"
	sbp --keep-fd 5 -- sh -c 'echo changed >/proc/self/fd/5' 5<"$T_TMP/hostfile"
	expect_status 0
	expect_eq "host file" changed "$(cat "$T_TMP/hostfile")"
else
	skip "this kernel has no Landlock"
fi

t "--landlock with --share-pid: the host's processes cannot be signalled"
sleep 3600 &
SLEEPER=$!
track_pid "$SLEEPER"
if ((LLABI >= 6)); then
	sbp --landlock --share-pid -- kill -0 "$SLEEPER"
	expect_ne "exit status" 0 "$RC"
	t "control: without --landlock they can"
	sbp --share-pid -- kill -0 "$SLEEPER"
	expect_status 0
elif ((LLABI >= 1)); then
	sbp --landlock --share-pid -- true
	expect_status 0
	expect_match "warning" 'Landlock ABI is [0-9]+, older than 6.*signalled with --share-pid' "$ERR"
	sbp --landlock=require --share-pid -- true
	expect_status 125
	expect_match "refused" 'scoping signals with --share-pid needs ABI 6' "$ERR"
else
	skip "this kernel has no Landlock"
fi

done_testing
