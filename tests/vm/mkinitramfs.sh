#!/bin/bash
# tests/vm/mkinitramfs.sh SERIES - the initramfs that boots a stock kernel
# of tests/vm/fetch-kernels.sh and runs the suites (tests/vm/init.sh).
#
# build/vm/initramfs-SERIES.cpio (uncompressed newc: TCG decompresses
# slowly) holds
#   /busybox          Debian's static busybox: stage 1 of init.sh
#   /init             tests/vm/init.sh
#   /vm/mod           the modules the runs need (overlay, fuse, tun,
#                     nf_tables and the rest of netfilter, 9p, virtio net
#                     and mmio, brd: a ram disk for io.max),
#                     decompressed, with their modules.dep (depmod -b) and /vm/mod/boot, the modules to insmod
#                     before the host's /usr is there, in order
#   /vm/src           the tree: the sandbox binary, the probes, tests/,
#                     bench/ (not bench/results)
#   /etc              passwd, group, subuid, subgid for root and the test
#                     user (and messagebus, for the system bus under
#                     systemd), user@.service's PAM stack, and the host's
#                     ld.so.cache and alternatives, which point into the
#                     /usr that the VM mounts
#   /bin /lib ...     links into /usr (merged /usr, as Debian 12)
# The host's /usr comes over virtio-9p, read-only (tests/vm/boot.sh): the
# suites are bash scripts that use its bash, coreutils, python3, cc,
# newuidmap, fuse-overlayfs, pasta and slirp4netns.
#
# Cached: rebuilt when the kernel, the binary, the probes or a file under
# tests/ or bench/ is newer than the cpio.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
REPO=$PWD
series=${1:?usage: mkinitramfs.sh SERIES}
KDIR=$REPO/build/vm/kernel-$series
OUT=$REPO/build/vm/initramfs-$series.cpio
STAGE=$REPO/build/vm/initramfs-$series

die() { printf 'mkinitramfs: %s\n' "$*" >&2; exit 1; }
[[ -f $KDIR/.done ]] || die "no kernel $series: run tests/vm/fetch-kernels.sh $series"
[[ -x $REPO/sandbox ]] || die "./sandbox is not built (make)"

if [[ -f $OUT && -z $(find "$KDIR/.done" sandbox tests bench Makefile -newer "$OUT" \
	-not -path 'tests/vm/*.log' -print -quit) ]]; then
	printf '%s\n' "$OUT"
	exit 0
fi

moddir=
for d in "$KDIR"/root/lib/modules/* "$KDIR"/root/usr/lib/modules/*; do
	[[ -d $d/kernel ]] && moddir=$d
done
[[ -n $moddir ]] || die "no modules in $KDIR"
kver=${moddir##*/}

rm -rf "$STAGE"
mkdir -p "$STAGE"/{vm/mod/lib/modules/"$kver",vm/src,etc,usr,proc,sys,dev,tmp,run,root,home,var/tmp,newroot}
cp /bin/busybox "$STAGE/busybox"
cp tests/vm/init.sh "$STAGE/init"
chmod 0755 "$STAGE/init"
for l in bin sbin lib lib32 lib64 libx32; do
	ln -s "usr/$l" "$STAGE/$l"
done

# The modules: these directories of the package, decompressed.
m=$STAGE/vm/mod/lib/modules/$kver
for sub in fs/overlayfs fs/fuse fs/9p fs/netfs fs/fscache net/9p drivers/net/tun.ko \
	drivers/net/virtio_net.ko drivers/net/net_failover.ko net/core/failover.ko drivers/block/brd.ko \
	drivers/virtio net/netfilter net/ipv4/netfilter net/ipv6/netfilter \
	lib/crc32c_generic.ko crypto lib; do
	for f in "$moddir/kernel/$sub" "$moddir/kernel/$sub.xz"; do
		[[ -e $f ]] || continue
		mkdir -p "$m/kernel/$(dirname "$sub")"
		cp -r "$f" "$m/kernel/$(dirname "$sub")/"
	done
done
find "$m" -name '*.ko.xz' -exec xz -d {} +
find "$m" -name '*.ko.zst' -exec zstd -q -d --rm {} +
cp "$moddir"/modules.builtin* "$moddir"/modules.order "$m/" 2>/dev/null || true
depmod -b "$STAGE/vm/mod" "$kver"
# what init.sh insmods with busybox, before /usr (and kmod) is there
boot_modules() {
	local mod dep
	for mod in "$@"; do
		dep=$(grep -E "(^|/)$mod\\.ko:" "$m/modules.dep") || continue
		# modules.dep lists dependencies deepest last
		printf '%s\n' ${dep#*:} | tac
		printf '%s\n' "${dep%%:*}"
	done | awk 'NF && !seen[$0]++'
}
boot_modules virtio_pci virtio_mmio 9pnet_virtio 9p virtio_net >"$STAGE/vm/mod/boot"
printf '%s\n' "$kver" >"$STAGE/vm/kver"

# The tree, as the suites expect it (binary, probes, tests).
tar -C "$REPO" --exclude=./.git --exclude=./build --exclude=./bench/results -cf - . | tar -C "$STAGE/vm/src" -xf -

# /etc: the users, and what the host's /usr needs.
cat >"$STAGE/etc/passwd" <<'EOT'
root:x:0:0:root:/root:/bin/bash
sbtest:x:1000:1000:sbtest:/home/sbtest:/bin/bash
messagebus:x:100:101::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOT
cat >"$STAGE/etc/group" <<'EOT'
root:x:0:
sbtest:x:1000:
messagebus:x:101:
systemd-journal:x:102:
nogroup:x:65534:
EOT
# a file the test user may not read (the net suite binds it over a device)
printf '%s\n' 'root:*:19000:0:99999:7:::' 'sbtest:*:19000:0:99999:7:::' >"$STAGE/etc/shadow"
chmod 0640 "$STAGE/etc/shadow"
echo 'sbtest:200000:65536' >"$STAGE/etc/subuid"
echo 'sbtest:200000:65536' >"$STAGE/etc/subgid"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$STAGE/etc/hosts"
echo 'nameserver 10.0.2.3' >"$STAGE/etc/resolv.conf"
echo vm >"$STAGE/etc/hostname"
cp -a /etc/ld.so.cache /etc/ld.so.conf /etc/ld.so.conf.d /etc/alternatives \
	/etc/nsswitch.conf /etc/login.defs /etc/shells /etc/protocols /etc/services \
	/etc/debian_version /etc/os-release /etc/issue /etc/pam.d /etc/security \
	"$STAGE/etc/" 2>/dev/null || true

# what user@.service's PAM stack is under systemd (tests/vm/init.sh,
# vm.systemd=1): pam_systemd gives the user manager its XDG_RUNTIME_DIR
mkdir -p "$STAGE/etc/pam.d"
cat >"$STAGE/etc/pam.d/systemd-user" <<'EOT'
account  required pam_unix.so
session  required pam_unix.so
session  optional pam_systemd.so
EOT

# The test user's home, with its busybox rootfs (tests/mkrootfs.sh forks
# once per applet: minutes under TCG, a second here), and its copy of the
# tree; the rest belongs to root.
chown -R 0:0 "$STAGE"
mkdir -p "$STAGE/home/sbtest"
chown -R 1000:1000 "$STAGE/home/sbtest" "$STAGE/vm/src"
rfs=$STAGE/home/sbtest/rootfs
bash tests/mkrootfs.sh "$rfs" >/dev/null
# as mkrootfs.sh run by sbtest writes them (init.sh runs it again, which
# finds the tree current)
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'sbtest:x:1000:1000:sbtest:/home/sbtest:/bin/sh' \
	'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$rfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'sbtest:x:1000:' 'nogroup:x:65534:' >"$rfs/etc/group"
mkdir -p "$rfs/home/sbtest"
chown -R 1000:1000 "$rfs"
(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
printf '%s\n' "$OUT"
