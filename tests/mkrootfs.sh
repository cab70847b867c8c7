#!/bin/bash
# tests/mkrootfs.sh DIR - build a minimal busybox root filesystem in DIR.
#
# DIR gets Debian's static busybox (package busybox-static) as
# bin/busybox, a relative symlink for every applet at its usual place
# (bin, sbin, usr/bin, usr/sbin), /etc/passwd and /etc/group with root,
# the invoking user and nobody, and the empty directories a sandbox
# mounts on. Everything belongs to the invoking user. Running it again is
# cheap: nothing is rewritten when DIR is already current.
set -euo pipefail

BUSYBOX=${BUSYBOX:-/bin/busybox}

die() { printf 'mkrootfs: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 && -n $1 ]] || die "usage: mkrootfs.sh DIR"
dir=$1

[[ -x $BUSYBOX ]] ||
	die "$BUSYBOX not found; install it with: apt-get install busybox-static"
# A dynamically linked busybox would not run inside the rootfs.
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked; install busybox-static"
fi

uid=$(id -u)
gid=$(id -g)
user=$(id -un)
group=$(id -gn)

passwd_text() {
	printf 'root:x:0:0:root:/root:/bin/sh\n'
	if [[ $uid -ne 0 && $uid -ne 65534 ]]; then
		printf '%s:x:%s:%s:%s:/home/%s:/bin/sh\n' \
			"$user" "$uid" "$gid" "$user" "$user"
	fi
	printf 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'
}

group_text() {
	printf 'root:x:0:\n'
	if [[ $gid -ne 0 && $gid -ne 65534 ]]; then
		printf '%s:x:%s:\n' "$group" "$gid"
	fi
	printf 'nogroup:x:65534:\n'
}

# Current: same busybox, same users, owned by us.
if [[ -f $dir/bin/busybox && -O $dir ]] &&
	cmp -s "$BUSYBOX" "$dir/bin/busybox" &&
	[[ $(<"$dir/etc/passwd") == "$(passwd_text)" ]] &&
	[[ $(<"$dir/etc/group") == "$(group_text)" ]] &&
	[[ -L $dir/bin/sh ]]; then
	exit 0
fi

umask 022
mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp run root home mnt \
	var/tmp
chmod 0755 . bin sbin usr usr/bin usr/sbin etc proc sys dev run home mnt var
chmod 0700 root
chmod 1777 tmp var/tmp
if [[ $uid -ne 0 ]]; then
	mkdir -p "home/$user"
	chmod 0755 "home/$user"
fi

rm -f bin/busybox
cp "$BUSYBOX" bin/busybox
chmod 0755 bin/busybox

# busybox --list-full: one applet per line with its directory, e.g.
# "usr/bin/awk". Entries without a directory (linuxrc) are skipped.
while IFS= read -r path; do
	case $path in
	*/*) ;;
	*) continue ;;
	esac
	[[ $path == bin/busybox ]] && continue
	d=${path%/*}
	# ../ for every directory level, then bin/busybox.
	up=${d//[!\/]/}
	rel=..${up//\//\/..}/bin/busybox
	if [[ $d == bin ]]; then
		rel=busybox
	fi
	ln -sfn "$rel" "$path"
done < <("$BUSYBOX" --list-full)

passwd_text >etc/passwd
group_text >etc/group
chmod 0644 etc/passwd etc/group
printf 'sandbox-test\n' >etc/hostname
chmod 0644 etc/hostname
