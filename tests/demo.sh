#!/bin/bash
# tests/demo.sh - show what a sandbox is (`make demo`).
#
# As root: prepares the host (tests/setup-host.sh) and runs the demo as the
# unprivileged test user sbtest. As another user: runs it as that user
# (tests/setup-host.sh prints the apt-get line when packages are missing).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
REPO=$PWD
DEMO_USER=${SANDBOX_TEST_USER:-sbtest}

if [[ ! -x $REPO/sandbox ]]; then
	echo "demo: ./sandbox is not built; run make" >&2
	exit 1
fi
bash tests/setup-host.sh || exit 1

WORK=$(mktemp -d /tmp/sandbox-demo.XXXXXX) || exit 1
chmod 0755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
# The demo user may not reach the checkout: use copies.
cp "$REPO/sandbox" "$REPO/tests/mkrootfs.sh" "$WORK/"
chmod 0755 "$WORK/sandbox" "$WORK/mkrootfs.sh"

if [[ $(id -u) -eq 0 ]]; then
	install -d -o "$DEMO_USER" -g "$(id -gn "$DEMO_USER")" "$WORK/rootfs"
	as_user() {
		(cd "$WORK" && runuser -u "$DEMO_USER" -- env -i \
			HOME="$(getent passwd "$DEMO_USER" | cut -d: -f6)" \
			USER="$DEMO_USER" LOGNAME="$DEMO_USER" LANG=C.UTF-8 \
			PATH=/usr/local/bin:/usr/bin:/bin "$@")
	}
else
	DEMO_USER=$(id -un)
	as_user() { "$@"; }
fi
as_user bash "$WORK/mkrootfs.sh" "$WORK/rootfs" || exit 1

S=$WORK/sandbox
R=$WORK/rootfs

# quote ARG: ARG as a shell user would type it.
quote() {
	if [[ $1 =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
		printf '%s' "$1"
	else
		printf "'%s'" "${1//\'/\'\\\'\'}"
	fi
}

BOLD='' PLAIN=''
if [[ -t 1 ]]; then
	BOLD=$'\033[1m' PLAIN=$'\033[0m'
fi

# show CMD...: print the command line as the user would type it, run it.
show() {
	local line=sandbox arg status
	for arg in "${@:2}"; do
		line+=" $(quote "$arg")"
	done
	printf '\n%s%s$ %s%s\n' "$BOLD" "$DEMO_USER" "${line//$R/ROOTFS}" "$PLAIN"
	as_user "$@" </dev/null 2>&1
	status=$?
	printf '(exit status %d)\n' "$status"
}

cat <<MSG
sandbox demo: everything below runs as the unprivileged user $DEMO_USER.
ROOTFS is a busybox root filesystem ($R) built by tests/mkrootfs.sh.
MSG
grep -E "^$DEMO_USER:" /etc/subuid /etc/subgid 2>/dev/null |
	sed 's/^/subordinate ids: /'

show "$S" --rootfs "$R" -- sh -c 'id; hostname; echo "uid_map:"; cat /proc/self/uid_map; ps'
show "$S" --rootfs "$R" --uid 0 -- sh -c 'id; cat /proc/self/uid_map; grep ^Cap /proc/self/status'
show "$S" --rootfs "$R" -- sh -c 'ls /; cat /proc/net/dev; ls -A /dev /tmp'
show "$S" --rootfs "$R" --hostname demo --tmpfs /mnt --symlink /etc/passwd /mnt/link \
	-- sh -c 'hostname; ls -l /mnt; exit 7'
show "$S" -- /bin/sh -c 'id; cat /etc/debian_version; touch /etc/x; ls /tmp; ps -e | wc -l'
show "$S" --rootfs "$R" --no-such-option -- true
exit 0
