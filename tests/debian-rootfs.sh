#!/bin/bash
# tests/debian-rootfs.sh [DIR] - a Debian tree owned by host root, and a
# tarball of it that an unprivileged user can unpack rootlessly.
#
# Run as root, once per machine (tests/check.sh does, before it drops to
# the unprivileged test user). DIR defaults to $SANDBOX_DEBIAN, else
# /var/tmp/sandbox-debian. It gets
#
#   DIR/root/           debootstrap --variant=minbase bookworm, owned by
#                       root as debootstrap leaves it (the "root-owned
#                       tree" case of the README)
#   DIR/debian.tar      that tree without the device nodes of /dev, with
#                       numeric owners (so unpacking does not depend on the
#                       names in the unpacking system's /etc/passwd)
#   DIR/debian.manifest one line per entry of the tarball, tab-separated:
#                       PATH TYPE MODE UID GID SIZE LINK-TARGET (SIZE 0
#                       for directories), sorted by path: what a rootless
#                       unpack must reproduce, owners included
#
# DIR and everything in it but root/ is readable by everyone. Running it
# again is cheap: an existing complete tree (DIR/root.ok) is reused, and
# the tarball is rebuilt only when missing. Network: debootstrap fetches
# from $DEBIAN_MIRROR (default http://deb.debian.org/debian) only when the
# tree has to be built.
set -euo pipefail

die() { printf 'debian-rootfs: %s\n' "$*" >&2; exit 1; }
log() { printf 'debian-rootfs: %s\n' "$*" >&2; }

DIR=${1:-${SANDBOX_DEBIAN:-/var/tmp/sandbox-debian}}
SUITE=${DEBIAN_SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

[[ $(id -u) -eq 0 ]] || die "run me as root (debootstrap makes a root-owned tree)"
[[ $DIR == /* ]] || DIR=$PWD/$DIR

# manifest ROOT: the entries under ROOT (its /dev contents excepted) in the
# format above, paths relative to ROOT as "./...".
manifest() {
	(cd "$1" && find . -path './dev/*' -prune -o -printf '%p\t%y\t%m\t%U\t%G\t%s\t%l\n' |
		awk -F '\t' -v OFS='\t' '$2 == "d" { $6 = 0 } { print }' | LC_ALL=C sort)
}

mkdir -p "$DIR"
chmod 0755 "$DIR"

if [[ ! -e $DIR/root.ok ]]; then
	if ! command -v debootstrap >/dev/null; then
		log "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
			install -y --no-install-recommends debootstrap </dev/null >&2
	fi
	rm -rf "$DIR/root" "$DIR/debian.tar" "$DIR/debian.manifest"
	log "debootstrap --variant=minbase $SUITE $DIR/root $MIRROR"
	debootstrap --variant=minbase "$SUITE" "$DIR/root" "$MIRROR" >"$DIR/debootstrap.log" 2>&1 ||
		die "debootstrap failed; see $DIR/debootstrap.log"
	apt_clean=("$DIR"/root/var/cache/apt/archives/*.deb)
	rm -f "${apt_clean[@]}"
	touch "$DIR/root.ok"
fi

if [[ ! -s $DIR/debian.tar || ! -s $DIR/debian.manifest ||
	$DIR/root.ok -nt $DIR/debian.tar ]]; then
	log "packing $DIR/debian.tar"
	tar -C "$DIR/root" --numeric-owner --exclude='./dev/*' -cpf "$DIR/debian.tar.new" .
	manifest "$DIR/root" >"$DIR/debian.manifest.new"
	chmod 0644 "$DIR/debian.tar.new" "$DIR/debian.manifest.new"
	mv -f "$DIR/debian.manifest.new" "$DIR/debian.manifest"
	mv -f "$DIR/debian.tar.new" "$DIR/debian.tar"
fi
printf '%s\n' "$DIR/debian.tar"
