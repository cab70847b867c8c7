#!/busybox sh
# shellcheck shell=dash
# tests/vm/init.sh - /init of the VM's initramfs (tests/vm/mkinitramfs.sh).
#
# Stage 1 (pid 1 on the initramfs): pivot_root is refused on the
# initramfs root, and sandboxes need one, so copy everything to a tmpfs
# and switch_root into it.  Stage 2 (pid 1 on the tmpfs): mount /proc,
# /sys, /dev, cgroup2 (nsdelegate), the host's /usr over virtio-9p; load
# the modules (and brd's ram disk); bring up the user-mode NIC when there
# is one; run each suite named on the kernel command line (vm.suites=a,b;
# bench-NAME runs bench/NAME.sh) as the test user
# sbtest (uid 1000, subordinate ids 200000:65536), on the serial console
# between "# vm: begin SUITE" and "# vm: end SUITE STATUS SECONDS" lines;
# then power off (reboot -f: qemu runs with -no-reboot).
#
# With vm.systemd=1 on the command line (tests/vm/boot.sh, VM_SYSTEMD=1),
# stage 3 hands pid 1 to the host's systemd (Debian 12's 252, from the
# shared /usr) instead: the test user lingers, so systemd-logind starts a
# real user@1000.service (with its user bus, dbus-user-session), and the
# unit vm-tests.service runs stage 4, the suites, in its own cgroup
# (system.slice/vm-tests.service: not the user's) with XDG_RUNTIME_DIR
# pointing at the user manager's runtime directory.
B=/busybox
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin

# stage 1: onto a tmpfs
stage1() {
	$B mount -t tmpfs -o mode=0755,size=90% tmpfs /newroot
	for f in /*; do
		case $f in /newroot|/proc|/sys|/dev) $B mkdir -p "/newroot$f" ;;
		*) $B cp -a "$f" /newroot/ ;;
		esac
	done
	$B touch /newroot/vm/stage2
	exec $B switch_root /newroot /init
}

# stage 2, with busybox: the file systems, /usr, the boot modules
stage2() {

$B mount -t proc -o nosuid,nodev,noexec proc /proc
$B mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
$B mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
$B mkdir -p /dev/pts /dev/shm /dev/mqueue
$B mount -t devpts -o nosuid,noexec,gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
$B mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
$B mount -t mqueue mqueue /dev/mqueue 2>/dev/null
$B mount -t cgroup2 -o nsdelegate,nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
$B mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
$B chmod 1777 /tmp /var/tmp
$B ln -sf /proc/self/fd /dev/fd
$B dmesg -n 1
$B hostname vm

for m in $($B cat /vm/mod/boot); do
	$B insmod "/vm/mod/lib/modules/$($B cat /vm/kver)/$m" 2>/dev/null
done
if ! $B mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 \
	hostusr /usr; then
	echo "# vm: cannot mount the host's /usr over 9p"
	$B reboot -f
fi
$B mkdir -p /var/tmp/sandbox-debian
$B mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 \
	hostdeb /var/tmp/sandbox-debian 2>/dev/null
exec /usr/bin/bash /init stage3
}

# stage 3, with the host's bash and tools: modules, network, the suites
stage3() {

# The rest with kmod, which also serves the kernel's module requests.
printf '#!/bin/sh\nexec /usr/sbin/modprobe -d /vm/mod "$@"\n' >/vm/modprobe
chmod 0755 /vm/modprobe
echo /vm/modprobe >/proc/sys/kernel/modprobe
for m in overlay fuse tun nf_tables nft_chain_nat nft_ct nft_reject_inet nft_fib_inet \
	nft_masq nft_nat nft_redir nf_conntrack veth; do
	modprobe -d /vm/mod -q "$m" 2>/dev/null
done
# a ram disk, the one block device whose io.max the cgroup suite can set
# (absent when the kernel package has no brd: that test then skips)
modprobe -d /vm/mod -q brd rd_nr=1 rd_size=4096 2>/dev/null
chmod 0666 /dev/fuse /dev/net/tun 2>/dev/null

ip link set lo up
if ip link show eth0 >/dev/null 2>&1; then
	ip link set eth0 up
	ip addr add 10.0.2.15/24 dev eth0
	ip route add default via 10.0.2.2
fi

[ "$(sed -n 's/.*vm\.systemd=\([01]\).*/\1/p' /proc/cmdline)" = 1 ] && systemd_boot

# Delegation as systemd's user@1000.service gives it: root enables the
# controllers at the top; user-1000 belongs to sbtest and gives its
# children cpu, io, memory and pids (Debian's default: not cpuset); the
# suites run in user-1000/session, beside which they may create cgroups.
cg=/sys/fs/cgroup
for c in cpu cpuset io memory pids; do echo "+$c" >$cg/cgroup.subtree_control 2>/dev/null; done
mkdir -p $cg/user-1000/session
for c in cpu io memory pids; do echo "+$c" >$cg/user-1000/cgroup.subtree_control 2>/dev/null; done
chown 1000:1000 $cg/user-1000 $cg/user-1000/cgroup.procs $cg/user-1000/cgroup.threads \
	$cg/user-1000/cgroup.subtree_control
chown -R 1000:1000 $cg/user-1000/session
echo $$ >$cg/user-1000/session/cgroup.procs
run_suites
reboot -f
}

# the BENCH_* assignments of vm.env=A=1,B=2 on the command line (boot.sh's
# VM_ENV), one a line
vm_env() {
	tr ' ' '\n' </proc/cmdline | sed -n 's/^vm\.env=//p' | tr ',' '\n' |
		grep -E '^BENCH_[A-Z_]+=[A-Za-z0-9._-]*$'
}

# as_test_user CMD...: CMD as sbtest in /vm/src, with a clean environment
# (and XDG_RUNTIME_DIR under systemd, BENCH_IN_VM=1 and vm.env's for the
# benchmarks)
as_test_user() {
	# shellcheck disable=SC2046 # one word per assignment
	(cd /vm/src && setpriv --reuid=1000 --regid=1000 --clear-groups --reset-env -- env -i \
		HOME=/home/sbtest USER=sbtest LOGNAME=sbtest LANG=C.UTF-8 PATH="$PATH" \
		${XDG_RUNTIME_DIR:+XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR} BENCH_IN_VM=1 $(vm_env) \
		SANDBOX=/vm/src/sandbox ROOTFS=/home/sbtest/rootfs "$@")
}

# the suites named by vm.suites=, each between "# vm: begin" and "# vm: end"
run_suites() {
# shellcheck disable=SC2046 # one word per suite
set -- $(tr ' ' '\n' </proc/cmdline | sed -n 's/^vm\.suites=//p' | tr ',' ' ')
echo "# vm: kernel $(uname -r), $(nproc) cpus, up $(cut -d" " -f1 /proc/uptime) s"
as_test_user bash tests/mkrootfs.sh /home/sbtest/rootfs >/dev/null ||
	echo "# vm: tests/mkrootfs.sh failed"
echo "# vm: ready, up $(cut -d" " -f1 /proc/uptime) s"
for s; do
	case $s in
	integration) f=tests/integration.sh ;;
	bench-*) f=bench/${s#bench-}.sh ;;
	*) f=tests/$s-tests.sh ;;
	esac
	echo "# vm: begin $s"
	start=$(date +%s)
	as_test_user timeout -k 10 1500 bash "$f" </dev/null 2>&1
	rc=$?
	echo "# vm: end $s $rc $(($(date +%s) - start))"
done
echo "# vm: done, up $(cut -d" " -f1 /proc/uptime) s"
sync
}

# vm.systemd=1: the host's systemd as pid 1; vm-tests.service runs stage 4
systemd_boot() {
mkdir -p /etc/systemd/system /var/lib/systemd/linger
touch /var/lib/systemd/linger/sbtest
# not a first boot (systemd-firstboot would prompt on the console)
tr -d '-' </proc/sys/kernel/random/uuid >/etc/machine-id
cat >/etc/systemd/system/vm-tests.target <<'EOT'
[Unit]
Description=sandbox VM suites
Requires=basic.target vm-tests.service
After=basic.target vm-tests.service
AllowIsolate=yes
EOT
cat >/etc/systemd/system/vm-tests.service <<'EOT'
[Unit]
Description=sandbox VM suites, as sbtest beside its user manager
Wants=dbus.socket systemd-logind.service systemd-user-sessions.service
After=basic.target dbus.socket systemd-logind.service systemd-user-sessions.service
[Service]
Type=oneshot
ExecStart=/usr/bin/bash /init stage4
StandardInput=null
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/ttyS0
TTYVHangup=no
TTYReset=no
EOT
echo "# vm: systemd as pid 1, up $(cut -d" " -f1 /proc/uptime) s"
exec /usr/lib/systemd/systemd --unit=vm-tests.target --log-target=console --log-level=warning \
	--show-status=no
}

# stage 4, under systemd: wait for sbtest's user manager, run the suites
stage4() {
export XDG_RUNTIME_DIR=/run/user/1000
echo "# vm: vm-tests.service, up $(cut -d" " -f1 /proc/uptime) s"
# logind starts user@1000.service (linger) as it starts; its bus appears then
if ! timeout 120 sh -c 'until [ -S /run/user/1000/bus ]; do sleep 0.2; done'; then
	echo "# vm: no user bus at /run/user/1000/bus after 120 s"
	systemctl status user@1000.service 2>&1 | head -20
else
	as_test_user timeout 120 systemctl --user is-system-running --wait >/dev/null 2>&1
	echo "# vm: user@1000.service up ($(as_test_user systemctl --user is-system-running 2>&1)), up $(cut -d" " -f1 /proc/uptime) s"
fi
run_suites
systemctl reboot -ff
}

if [ "$1" = stage4 ]; then
	stage4
elif [ "$1" = stage3 ]; then
	stage3
elif [ -e /vm/stage2 ]; then
	stage2
else
	stage1
fi
