#!/bin/bash
# tests/peer-bwrap-tests.sh - bubblewrap 0.12.0's own test suite, run
# against sandbox under the name bwrap (issue 12).
#
#   SANDBOX=/abs/path/sandbox bash tests/peer-bwrap-tests.sh
#   PEER_BWRAP=/usr/bin/bwrap bash tests/peer-bwrap-tests.sh  # the same suite
#                                                  # against another bwrap
#
# Bubblewrap's tests are not part of this repository. They are fetched at
# test time from the Debian archive's source package of bubblewrap
# 0.12.0 (trixie), with `apt-get source --download-only` and a private apt
# configuration (its own sources directory, lists, cache and status), so
# the host's apt state is untouched. The download is kept in build/peer/
# and checked against the SHA-256 of the signed Sources index; a second run
# does not fetch it again. A failed download is a failed test.
#
# The archive's mirror may lack the .dsc; apt then fails for that file
# alone. Only the upstream tarball is needed (Debian's patches touch
# bwrap's own code, not its tests), so the tarball is checked and unpacked
# with tar.
#
# Upstream's meson test setup is replicated: BWRAP names a `bwrap` link to
# the binary under test, G_TEST_SRCDIR the unpacked source and
# G_TEST_BUILDDIR a directory holding the compiled tests/try-syscall.
# Each upstream test becomes one line here: "ok - SCRIPT N NAME",
# "not ok - ...", or "skip - SCRIPT N NAME: REASON" for upstream's own
# skips. A script that dies early or breaks its plan counts one failure.
# The FUSE filesystem that upstream's libtest.sh looks for (one the user
# mounted) is provided: a fuse-overlayfs, unmounted at exit (fuse_mount).
# One local check follows upstream's, against bubblewrap 0.12.0 built
# from that source at test time: --overlay with RWSRC replaced by a link
# between runs (overlay_rwsrc_link; SECURITY.md).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SANDBOX=${SANDBOX:-$REPO/sandbox}
VERSION=0.12.0
DEBVERSION=0.12.0-1~deb13u1
SUITE="trixie"
CACHE=${PEER_CACHE:-$REPO/build/peer}
ORIG=bubblewrap_$VERSION.orig.tar.xz
SCRIPTS=(test-run.sh test-specifying-userns.sh test-specifying-pidns.sh
	test-sandbox.py test-seccomp.py)

# Upstream tests that cannot pass on this machine for a reason outside
# the bwrap under test; a failure there is reported as a skip with the
# reason. test-sandbox.py's assertIsTmpfs hands statfs(2) a 16-byte
# ctypes structure, the kernel writes 120 bytes into it and Debian 12's
# python3 crashes, which closes the helper's connection; Debian's
# bubblewrap 0.8 fails the same three. test-run.sh still checks the tmpfs
# mode and size.
declare -A BROKEN=(
	[test-sandbox.py test_tmpfs]="upstream test defect: statfs into a 16-byte ctypes buffer crashes python3"
	[test-sandbox.py test_tmpfs_perms]="upstream test defect: statfs into a 16-byte ctypes buffer crashes python3"
	[test-sandbox.py test_tmpfs_size]="upstream test defect: statfs into a 16-byte ctypes buffer crashes python3"
)

FAILED=0
PASSED=0
SKIPPED=0
fail() { printf 'not ok - %s\n' "$*"; FAILED=$((FAILED + 1)); }

# Not under /tmp: upstream's sandboxes mount a tmpfs there, over its tests.
TMP=$(mktemp -d /var/tmp/peer-bwrap.XXXXXX) || {
	echo "Bail out! cannot create a temporary directory"
	exit 2
}
FUSE_MNT=
# fuse_umount: unmount the FUSE filesystem of fuse_mount, if any.
fuse_umount() {
	[[ -n $FUSE_MNT ]] || return 0
	fusermount3 -u "$FUSE_MNT" 2>/dev/null || umount "$FUSE_MNT" 2>/dev/null
	FUSE_MNT=
}
trap 'fuse_umount; rm -rf "$TMP"' EXIT

# fuse_mount: upstream's libtest.sh binds a FUSE filesystem that the user
# running the tests mounted (a "fuse.*" line of /proc/self/mounts with
# user_id=UID) in 4 tests of test-run.sh, and skips them with "no FUSE
# support" when there is none. Provide one: a fuse-overlayfs of two empty
# directories, mounted as this user (through the setuid fusermount3 when
# unprivileged), unmounted at exit. Without fuse-overlayfs or /dev/fuse,
# those 4 tests stay skipped and the reason is printed.
fuse_mount() {
	local d=$TMP/fuse
	if ! command -v fuse-overlayfs >/dev/null || ! command -v fusermount3 >/dev/null; then
		echo "# no FUSE filesystem for upstream's FUSE tests: fuse-overlayfs or fusermount3 missing"
		return 0
	fi
	mkdir -p "$d/lower" "$d/upper" "$d/work" "$d/mnt" && echo fuse >"$d/lower/file" || return 0
	if ! fuse-overlayfs -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" \
		"$d/mnt" 2>"$TMP/fuse.err"; then
		echo "# no FUSE filesystem for upstream's FUSE tests: fuse-overlayfs: $(head -n 1 "$TMP/fuse.err")"
		return 0
	fi
	FUSE_MNT=$d/mnt
	if ! grep -q " $FUSE_MNT fuse[. ].*user_id=$(id -u)[, ]" /proc/self/mounts; then
		echo "# $FUSE_MNT: mounted, but not listed as the FUSE mount of user $(id -u)"
	fi
	echo "# FUSE filesystem for upstream's FUSE tests: $FUSE_MNT"
}

# apt_private PROG ARGS...: apt-get or apt-cache with a configuration of
# its own under CACHE.
apt_private() {
	local a=$CACHE/apt prog=$1
	shift
	"$prog" -q \
		-o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$a/sources.list.d" \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts="$a/preferences.d" \
		-o Dir::State::Lists="$a/lists" \
		-o Dir::State::status="$a/status" \
		-o Dir::State::extended_states="$a/extended_states" \
		-o Dir::Cache="$a/cache" \
		-o APT::Sandbox::User="$(id -un)" \
		-o Debug::NoLocking=1 "$@"
}

# fetch: the verified upstream tarball in CACHE (download when missing).
fetch() {
	local a=$CACHE/apt want got
	[[ -f $CACHE/$ORIG.ok && -f $CACHE/$ORIG ]] && return 0
	mkdir -p "$a/sources.list.d" "$a/preferences.d" "$a/lists/partial" \
		"$a/cache/archives/partial" "$CACHE/dl" || return 1
	: >"$a/status"
	printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian %s main\n' \
		"$SUITE" >"$a/sources.list.d/peer.list"
	apt_private apt-get update >"$TMP/apt.log" 2>&1 || {
		sed 's/^/# /' "$TMP/apt.log"
		return 1
	}
	want=$(apt_private apt-cache showsrc bubblewrap 2>/dev/null |
		awk -v f="$ORIG" -v v="$DEBVERSION" '/^Version: / { ver = $2 }
			/^Checksums-Sha256:/ { s = 1; next } /^[^ ]/ { s = 0 }
			s && ver == v && $3 == f { print $1; exit }')
	if [[ -z $want ]]; then
		echo "# bubblewrap $DEBVERSION is not in $SUITE's Sources index"
		return 1
	fi
	# apt fails when the mirror lacks one file (the .dsc); the tarball's
	# checksum decides.
	(cd "$CACHE/dl" && apt_private apt-get source --download-only \
		"bubblewrap=$DEBVERSION") >"$TMP/apt.log" 2>&1
	got=$(sha256sum "$CACHE/dl/$ORIG" 2>/dev/null | cut -d' ' -f1)
	if [[ $got != "$want" ]]; then
		sed 's/^/# /' "$TMP/apt.log"
		echo "# $ORIG: sha256 ${got:-missing}, the index says $want"
		return 1
	fi
	mv "$CACHE/dl/$ORIG" "$CACHE/$ORIG" && touch "$CACHE/$ORIG.ok"
}

# tap_filter SCRIPT: upstream TAP on stdin, one line per test on stdout,
# the other lines on fd 4, and "PLAN RAN" on fd 3.
tap_filter() {
	awk -v s="$1" '
		/^1\.\.[0-9]+/ { plan = $0; sub(/^1\.\./, "", plan); sub(/ .*/, "", plan)
			if ($0 ~ /# *SKIP/) { r = $0; sub(/.*# *SKIP */, "", r)
				print "skip - " s ": " r; ran++ }
			next }
		/^(not )?ok( |$)/ {
			ran++
			t = $0; sub(/^(not )?ok *(- *)?/, "", t)
			if ($0 ~ /^ok.*# *[Ss][Kk][Ii][Pp]/) {
				r = t; sub(/.*# *[Ss][Kk][Ii][Pp] */, "", r)
				sub(/ *# *[Ss][Kk][Ii][Pp].*/, "", t)
				print "skip - " s " " t ": " r
			} else if ($0 ~ /^ok/) print "ok - " s " " t
			else print "not ok - " s " " t
			next }
		{ print > "/dev/fd/4" }
		END { printf "%s %d\n", (plan == "" ? "-" : plan), ran > "/dev/fd/3" }'
}

# known_broken SCRIPT: in $TMP/out, turn the failures of BROKEN tests into
# skips that give the reason.
known_broken() {
	local key line n name out=()
	while IFS= read -r line; do
		if [[ $line =~ ^not\ ok\ -\ $1\ ([0-9]+)\ (.*)$ ]]; then
			n=${BASH_REMATCH[1]} name=${BASH_REMATCH[2]} key="$1 ${BASH_REMATCH[2]}"
			[[ -n ${BROKEN[$key]:-} ]] && line="skip - $1 $n $name: ${BROKEN[$key]}"
		fi
		out+=("$line")
	done <"$TMP/out"
	printf '%s\n' "${out[@]}" >"$TMP/out"
}

# run_script SCRIPT: run one upstream script as meson would, and count.
run_script() {
	local script=$1 src=$TMP/src/bubblewrap-$VERSION interp=bash rc plan ran
	[[ $script == *.py ]] && interp=python3
	(cd "$TMP" && env BWRAP="$TMP/bin/bwrap" G_TEST_SRCDIR="$src" \
		G_TEST_BUILDDIR="$TMP/build" LANG=C.UTF-8 PATH=/usr/bin:/bin:/usr/sbin:/sbin \
		timeout -k 10 300 "$interp" "$src/tests/$script" 2>&1) \
		3>/dev/null | tap_filter "$script" 3>"$TMP/plan" 4>"$TMP/log" >"$TMP/out"
	rc=${PIPESTATUS[0]}
	read -r plan ran <"$TMP/plan"
	known_broken "$script"
	cat "$TMP/out"
	# upstream's diagnostics (set -x traces), only when something failed
	if ((rc != 0)); then
		tail -n 40 "$TMP/log" | sed 's/^/# /'
	fi
	PASSED=$((PASSED + $(grep -c '^ok - ' "$TMP/out")))
	FAILED=$((FAILED + $(grep -c '^not ok - ' "$TMP/out")))
	SKIPPED=$((SKIPPED + $(grep -c '^skip - ' "$TMP/out")))
	if [[ $plan == - ]]; then
		fail "$script: exited with status $rc after $ran tests, no plan"
	elif ((plan != ran && plan != 0)); then
		fail "$script: planned $plan tests, ran $ran"
	elif ((rc != 0)) && ! grep -q '^not ok - ' "$TMP/out" &&
		! grep -q ': upstream test defect: ' "$TMP/out"; then
		fail "$script: exited with status $rc"
	fi
}

# overlay_rwsrc_link: bwrap --overlay RWSRC WORKDIR DEST where RWSRC was
# replaced by a symbolic link between two runs (SECURITY.md). Debian's
# bubblewrap 0.8 has no --overlay, so bubblewrap 0.12.0 itself is built
# from the same source (cc, libcap; nothing of it is kept) and both run
# the case: each takes realpath() of RWSRC when it starts, so the second
# run's upper directory is the link's target. Writes and listings must
# be the same.
overlay_rwsrc_link() {
	local src=$TMP/src/bubblewrap-$VERSION b out name="local: --overlay RWSRC, a link planted between runs: as bubblewrap $VERSION"
	local -A got
	mkdir -p "$TMP/ub" && printf '#define PACKAGE_STRING "bubblewrap %s"\n' "$VERSION" >"$TMP/ub/config.h"
	if ! cc -O2 -D_GNU_SOURCE -I"$TMP/ub" -o "$TMP/ub/bwrap" "$src/bubblewrap.c" "$src/bind-mount.c" \
		"$src/network.c" "$src/utils.c" "$src/safe_openat.c" "$src/chroot_realpath.c" -lcap \
		2>"$TMP/ub/cc.err"; then
		sed 's/^/# /' "$TMP/ub/cc.err"
		fail "$name: build bubblewrap $VERSION"
		return
	fi
	for b in "$TMP/ub/bwrap" "$TMP/bin/bwrap"; do
		local d=$TMP/ovl
		rm -rf "$d" && mkdir -p "$d/lower" "$d/up" "$d/work" "$d/victim" || return
		echo lower >"$d/lower/l"
		echo victim >"$d/victim/v"
		out=$("$b" --ro-bind / / --overlay-src "$d/lower" --overlay "$d/up" "$d/work" /mnt \
			sh -c 'echo 1 >/mnt/a && ls /mnt' 2>&1)
		out+=" | $?"
		mv "$d/up" "$d/up.old" && ln -s "$d/victim" "$d/up"
		out+=" | $("$b" --ro-bind / / --overlay-src "$d/lower" --overlay "$d/up" "$d/work" /mnt \
			sh -c 'echo 2 >/mnt/b && ls /mnt' 2>&1) | $?"
		out+=" | victim: $(ls "$d/victim") | old upper: $(ls "$d/up.old")"
		got[$b]=${out//$'\n'/ }
		chmod -R u+rwX "$d" 2>/dev/null
		rm -rf "$d"
	done
	echo "# bubblewrap $VERSION: ${got[$TMP/ub/bwrap]}"
	echo "# ours: ${got[$TMP/bin/bwrap]}"
	if [[ ${got[$TMP/ub/bwrap]} == "${got[$TMP/bin/bwrap]}" &&
		${got[$TMP/bin/bwrap]} == *"victim: b v"* ]]; then
		printf 'ok - %s\n' "$name"
		PASSED=$((PASSED + 1))
	else
		fail "$name"
	fi
}

if ! fetch; then
	fail "download bubblewrap $DEBVERSION's source from Debian $SUITE"
elif ! mkdir -p "$TMP/src" "$TMP/build/tests" "$TMP/bin" ||
	! tar -C "$TMP/src" -xJf "$CACHE/$ORIG"; then
	fail "unpack $ORIG"
elif ! cc -O2 -o "$TMP/build/tests/try-syscall" \
	"$TMP/src/bubblewrap-$VERSION/tests/try-syscall.c"; then
	fail "build bubblewrap's tests/try-syscall.c"
else
	ln -s "${PEER_BWRAP:-$SANDBOX}" "$TMP/bin/bwrap"
	echo "# bubblewrap $VERSION's tests against $(readlink "$TMP/bin/bwrap")"
	fuse_mount
	for s in "${SCRIPTS[@]}"; do
		run_script "$s"
	done
	fuse_umount
	[[ -z ${PEER_BWRAP:-} ]] && overlay_rwsrc_link
fi
printf '# peer-bwrap: %d passed, %d failed, %d skipped\n' \
	"$PASSED" "$FAILED" "$SKIPPED"
((FAILED == 0))
