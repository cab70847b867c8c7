#!/bin/bash
# tests/setup-host.sh - prepare a Debian 12 host for `make check` and
# `make demo`.
#
# As root: installs the missing packages, creates the unprivileged test
# user sbtest with the subordinate id range 200000:65536, and opens
# /dev/fuse and /dev/net/tun to everyone. Idempotent; when everything is
# already there it only runs dpkg-query and a few greps.
#
# As any other user: changes nothing; prints the commands an administrator
# should run and exits 1 if a package is missing.
set -euo pipefail

PACKAGES=(
	build-essential pkg-config libcap-dev libseccomp-dev uidmap
	busybox-static bubblewrap hyperfine fuse-overlayfs passt slirp4netns
	nftables iperf3 mandoc man-db bash-completion zsh fish
	iproute2 procps psmisc util-linux time python3
	# bubblewrap's own suite (tests/peer-bwrap-tests.sh): its fault injection,
	# its TAP runner and seccomp bindings, the source from Debian's archive
	strace python3-tap python3-seccomp libcap2-bin xz-utils
	# the escape probes (tests/escape/: static, and 32-bit for the compat
	# table) and make fuzz (libFuzzer is in libclang-rt-14-dev)
	gcc-multilib libc6-dev-i386 clang libclang-rt-14-dev
	# packaging/ci-deb.sh: the Debian and RPM tool chains and linters (and
	# debian/control's Build-Depends, all above), installed here, before
	# any step that has a time limit
	dpkg-dev debhelper lintian rpm rpmlint elfutils file
	# tests/flatpak-tests.sh: Flatpak against our bwrap, private buses
	flatpak xdg-dbus-proxy dbus-daemon dbus-bin
	# tests/dbus-tests.sh: --dbus-user's filter, with echo peers (dbus-test-tool)
	dbus-tests
	# tests/desktop-tests.sh: headless display, compositor and sound servers
	xvfb xserver-xephyr xauth x11-apps x11-utils xdotool imagemagick weston wayland-utils
	pulseaudio pulseaudio-utils pipewire pipewire-bin
	# tests/tty-tests.sh: real terminals to type into, and vi to edit with
	tmux vim-tiny
	# make check-vm: stock Debian kernels under qemu (tests/vm/); the
	# systemd VM (VM_GROUPS=systemd:...) boots the host's systemd with a
	# user manager, its user bus and PAM session (tests/scope-tests.sh)
	qemu-system-x86 kmod cpio systemd dbus-user-session libpam-systemd
)
TEST_USER=sbtest
SUBID_START=200000
SUBID_COUNT=65536

log() { printf 'setup-host: %s\n' "$*"; }

# Packages not installed (dpkg status "ii"), one dpkg-query for all of them.
missing_packages() {
	local -A installed=()
	local pkg status
	while read -r pkg status; do
		[[ $status == ii* ]] && installed[$pkg]=1
	done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
		"${PACKAGES[@]}" 2>/dev/null || true)
	for pkg in "${PACKAGES[@]}"; do
		[[ -n ${installed[$pkg]:-} ]] || printf '%s\n' "$pkg"
	done
}

# has_subids FILE USER: USER (by name or uid) has an entry in FILE.
has_subids() {
	local file=$1 user=$2 uid
	uid=$(id -u "$user" 2>/dev/null) || return 1
	[[ -r $file ]] && grep -Eq "^(${user}|${uid}):[0-9]+:[0-9]+\$" "$file"
}

mapfile -t missing < <(missing_packages)

if [[ $(id -u) -ne 0 ]]; then
	status=0
	if ((${#missing[@]})); then
		log "missing packages; as root, run:"
		printf '  apt-get update && apt-get install -y %s\n' "${missing[*]}"
		status=1
	fi
	me=$(id -un)
	if ! has_subids /etc/subuid "$me" || ! has_subids /etc/subgid "$me"; then
		log "note: $me has no subordinate ids; tests of the range layouts run"
		log "  with the single-id expectations. To add them, as root, run:"
		printf '  usermod --add-subuids %s-%s --add-subgids %s-%s %s\n' \
			"$SUBID_START" "$((SUBID_START + SUBID_COUNT - 1))" \
			"$SUBID_START" "$((SUBID_START + SUBID_COUNT - 1))" "$me"
	fi
	if ! id "$TEST_USER" >/dev/null 2>&1; then
		log "note: no user $TEST_USER (only needed for make check as root):"
		printf '  useradd -m -s /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 %s\n' \
			"$TEST_USER"
	fi
	exit "$status"
fi

if ((${#missing[@]})); then
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine may be running apt-daily or unattended-upgrades:
	# wait for the dpkg lock rather than fail.
	lock=(-o DPkg::Lock::Timeout=300)
	apt-get "${lock[@]}" update </dev/null
	apt-get "${lock[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null
fi

if ! id "$TEST_USER" >/dev/null 2>&1; then
	log "creating user $TEST_USER"
	# No automatic subordinate range: the fixed one is added below.
	useradd -m -s /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$TEST_USER"
fi

for file in /etc/subuid /etc/subgid; do
	if ! has_subids "$file" "$TEST_USER"; then
		log "adding $TEST_USER:$SUBID_START:$SUBID_COUNT to $file"
		printf '%s:%s:%s\n' "$TEST_USER" "$SUBID_START" "$SUBID_COUNT" >>"$file"
		chmod 0644 "$file"
	fi
done

if [[ ! -e /dev/net/tun ]]; then
	log "creating /dev/net/tun"
	mkdir -p /dev/net
	mknod -m 0666 /dev/net/tun c 10 200
fi
for dev in /dev/fuse /dev/net/tun; do
	if [[ -e $dev && $(stat -c %a "$dev") != 666 ]]; then
		chmod 0666 "$dev"
	fi
done
exit 0
