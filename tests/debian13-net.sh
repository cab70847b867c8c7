#!/bin/bash
# tests/debian13-net.sh [DIR] - Debian 13's network helpers (pasta from
# passt, slirp4netns) runnable on this host, for tests/net-debian13-tests.sh.
#
# Users of Debian 13 get a pasta two years newer than Debian 12's, which
# behaves differently where the sandbox depends on it (it closes inherited
# descriptors first; it forwards UDP from its own address): the network
# suite runs again with these.
#
# Run as root, once per machine (tests/check.sh does). DIR defaults to
# $SANDBOX_DEBIAN13_NET, else /var/tmp/sandbox-debian13-net. It gets
#
#   DIR/root/       the packages below unpacked (dpkg -x): the helpers and
#                   the libraries they need, Debian 13's C library among
#                   them (they need a newer one than Debian 12's)
#   DIR/bin/pasta, DIR/bin/slirp4netns
#                   wrappers that run each helper with that C library's
#                   dynamic loader and libraries, under its own name
#   DIR/versions    the packages' versions
#   DIR/.done       written last: the tree is complete
#
# apt runs with a configuration of its own under DIR/apt (its own sources,
# lists, cache and dpkg status), so the host's apt state is neither read
# nor changed, and `apt-get download` installs nothing. Running it again
# is cheap: a complete DIR is reused. Network: $DEBIAN_MIRROR (default
# http://deb.debian.org/debian), only when DIR has to be made.
set -euo pipefail

die() { printf 'debian13-net: %s\n' "$*" >&2; exit 1; }
log() { printf 'debian13-net: %s\n' "$*" >&2; }

DIR=${1:-${SANDBOX_DEBIAN13_NET:-/var/tmp/sandbox-debian13-net}}
# the helpers, then what they load (checked below with the loader's --list)
PACKAGES=(passt slirp4netns libslirp0 libglib2.0-0t64 libc6 libcap2 libseccomp2
	libffi8 libpcre2-8-0 libmount1 libselinux1 libblkid1 zlib1g)

[[ $(id -u) -eq 0 ]] || die "run me as root (it fills a directory every test user reads)"
[[ $(dpkg --print-architecture) == amd64 ]] || die "amd64 only (the wrappers name its loader)"
[[ $DIR == /* ]] || DIR=$PWD/$DIR
if [[ -f $DIR/.done ]]; then
	echo "$DIR"
	exit 0
fi

rm -rf "$DIR"
mkdir -p "$DIR"
chmod 0755 "$DIR"
APT=$DIR/apt
mkdir -p "$DIR/debs"
# shellcheck source=tests/private-apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
log "fetching Debian 13's ${PACKAGES[*]}"
private_apt "$APT" trixie || die "apt-get update (trixie) failed"
(cd "$DIR/debs" && apt-get "${APT_OPTS[@]}" -q download "${PACKAGES[@]}" >&2) ||
	die "apt-get download failed"
for deb in "$DIR"/debs/*.deb; do
	dpkg -x "$deb" "$DIR/root"
	dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$DIR/versions"
done
rm -rf "$DIR/debs" "$APT"

LIB=$DIR/root/usr/lib/x86_64-linux-gnu
LOADER=$LIB/ld-linux-x86-64.so.2
[[ -x $LOADER ]] || die "no $LOADER in libc6"
mkdir -p "$DIR/bin"
for h in pasta slirp4netns; do
	bin=$DIR/root/usr/bin/$h
	[[ -x $bin ]] || die "no /usr/bin/$h in the packages"
	# every library it needs is here (not the host's)
	if missing=$("$LOADER" --library-path "$LIB" --list "$bin" | grep 'not found'); then
		die "$h needs libraries that are not fetched: $missing"
	fi
	# --argv0: pasta is passt, and tells its mode by the name it runs as
	printf '#!/bin/sh\nexec %s --library-path %s --argv0 %s %s "$@"\n' \
		"$LOADER" "$LIB" "$h" "$bin" >"$DIR/bin/$h"
	chmod 0755 "$DIR/bin/$h"
done
"$DIR/bin/slirp4netns" --version >/dev/null || die "Debian 13's slirp4netns does not run here"
chmod -R a+rX "$DIR"
: >"$DIR/.done"
echo "$DIR"
