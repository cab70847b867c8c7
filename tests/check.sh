#!/bin/bash
# tests/check.sh - run every test suite and sum the results (`make check`).
#
# As root: prepares the host (tests/setup-host.sh), then runs
#   - tests/unit/unit-tests (TAP: "ok N - name" / "not ok N - name"),
#   - tests/integration.sh as the unprivileged user sbtest, on a busybox
#     rootfs that belongs to sbtest,
#   - tests/integration.sh again as root, on a rootfs of root's,
#   - every further tests/*-tests.sh suite, as sbtest.
# sbtest runs a copy of the tree (binary included) in a directory of its
# own, so the checkout may belong to root and sit anywhere.
#
# As another user: checks the host (setup-host.sh prints what to install),
# then runs the same suites once, as that user, from the tree itself.
#
# The last line is "N passed, N failed, N skipped" over all suites; the
# exit status is 1 when anything failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
REPO=$PWD
TEST_USER=${SANDBOX_TEST_USER:-sbtest}
# a hang's limit, not a budget: a busy machine may be several times slower
SUITE_TIMEOUT=${SUITE_TIMEOUT:-1200}

PASSED=0
FAILED=0
SKIPPED=0

summary() {
	printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
}

WORK=$(mktemp -d /tmp/sandbox-check.XXXXXX) || {
	echo "check: cannot create a work directory under /tmp" >&2
	FAILED=1
	summary
	exit 1
}
chmod 0755 "$WORK"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# count LOG STATUS LABEL: add a suite's results (lines of tests/lib.sh or
# TAP) to the totals. A suite that exits non-zero without reporting a
# failure, reports nothing, or breaks its TAP plan counts one failure.
count() {
	local log=$1 status=$2 label=$3 p f s plan total
	s=$(grep -Ec '^skip - |^ok [0-9]+.*# *[Ss][Kk][Ii][Pp]' "$log")
	p=$(($(grep -Ec '^ok( |$)' "$log") - $(grep -Ec '^ok [0-9]+.*# *[Ss][Kk][Ii][Pp]' "$log")))
	f=$(grep -Ec '^not ok( |$)' "$log")
	total=$((p + f + s))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
	if [[ -n $plan && $plan -ne $total ]]; then
		echo "not ok - $label: planned $plan tests, ran $total"
		f=$((f + 1))
	fi
	if ((status == 124)); then
		echo "not ok - $label: timed out after $SUITE_TIMEOUT s"
		f=$((f + 1))
	elif ((status != 0 && f == 0)); then
		echo "not ok - $label: exited with status $status and no failed test"
		f=$((f + 1))
	elif ((total == 0)); then
		echo "not ok - $label: ran no test"
		f=$((f + 1))
	fi
	printf '# %s: %d passed, %d failed, %d skipped\n' "$label" "$p" "$f" "$s"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	SKIPPED=$((SKIPPED + s))
}

# suite LABEL CMD...: run CMD (stdin closed), show and count its output.
SUITE_N=0
suite() {
	local label=$1 log status
	shift
	SUITE_N=$((SUITE_N + 1))
	log=$WORK/suite-$SUITE_N.log
	printf '# === %s ===\n' "$label"
	"$@" </dev/null 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	count "$log" "$status" "$label"
}

# as_test_user CMD...: run CMD as TEST_USER, in its copy of the tree, with
# a clean environment.
as_test_user() {
	(cd "$WORK/src" && runuser -u "$TEST_USER" -- env -i \
		HOME="$(getent passwd "$TEST_USER" | cut -d: -f6)" \
		USER="$TEST_USER" LOGNAME="$TEST_USER" LANG=C.UTF-8 \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin \
		SANDBOX="$WORK/src/sandbox" ROOTFS="$WORK/rootfs-$TEST_USER" \
		timeout -k 10 "$SUITE_TIMEOUT" "$@")
}

as_me() {
	SANDBOX="$REPO/sandbox" ROOTFS="$WORK/rootfs-$(id -un)" \
		timeout -k 10 "$SUITE_TIMEOUT" "$@"
}

if [[ ! -x $REPO/sandbox ]]; then
	echo "not ok - ./sandbox is not built (run make)"
	FAILED=$((FAILED + 1))
	summary
	exit 1
fi

if ! bash tests/setup-host.sh; then
	echo "not ok - the host is not ready for the tests (tests/setup-host.sh)"
	FAILED=$((FAILED + 1))
	summary
	exit 1
fi

ME=$(id -un)
if ! bash tests/mkrootfs.sh "$WORK/rootfs-$ME"; then
	echo "not ok - tests/mkrootfs.sh $WORK/rootfs-$ME failed"
	FAILED=$((FAILED + 1))
fi

if [[ -f tests/unit/unit-tests ]]; then
	suite "unit-tests" as_me tests/unit/unit-tests
fi

if [[ $(id -u) -eq 0 ]]; then
	# The test user's copy of the tree (sbtest may not reach the checkout).
	mkdir "$WORK/src" "$WORK/rootfs-$TEST_USER"
	tar -C "$REPO" --exclude=./.git -cf - . | tar -C "$WORK/src" -xf -
	chown -R "$TEST_USER:" "$WORK/src" "$WORK/rootfs-$TEST_USER"
	if ! as_test_user bash tests/mkrootfs.sh "$WORK/rootfs-$TEST_USER"; then
		echo "not ok - tests/mkrootfs.sh $WORK/rootfs-$TEST_USER failed (as $TEST_USER)"
		FAILED=$((FAILED + 1))
	fi
	# the overlay suite's Debian tree and tarball (debootstrap, cached)
	if ! bash tests/debian-rootfs.sh >/dev/null; then
		echo "not ok - tests/debian-rootfs.sh failed (the overlay suite's Debian tarball)"
		FAILED=$((FAILED + 1))
	fi
	# Debian 13's pasta and slirp4netns, for the network suite's second run
	if ! bash tests/debian13-net.sh >/dev/null; then
		echo "not ok - tests/debian13-net.sh failed (Debian 13's network helpers)"
		FAILED=$((FAILED + 1))
	fi
	suite "integration as $TEST_USER" as_test_user bash tests/integration.sh
	suite "integration as root" as_me bash tests/integration.sh
	for f in tests/*-tests.sh; do
		[[ -f $f ]] || continue
		suite "${f#tests/} as $TEST_USER" as_test_user bash "$f"
		suite "${f#tests/} as root" as_me bash "$f"
	done
else
	suite "integration as $ME" as_me bash tests/integration.sh
	for f in tests/*-tests.sh; do
		[[ -f $f ]] || continue
		suite "${f#tests/} as $ME" as_me bash "$f"
	done
fi

# The stock-kernel matrix (tests/vm/: qemu, TCG), where qemu is installed.
# Its own step: VM_CHECK=0 leaves it out.  Under TCG on two cores the
# whole matrix takes about 25 minutes, so `make check` runs the suites
# that depend most on the kernel (overlay, escape, and cgroup, which only
# a VM can give a delegated cgroup v2 here) on both kernels, and scope in
# a second VM per kernel with systemd as pid 1 and a user manager (about
# 40 s a boot: the cgroup limits through a transient systemd scope);
# `make check-vm` (or VM_GROUPS) runs integration, bwrap and net there too.
if [[ ${VM_CHECK:-1} == 1 ]] && command -v qemu-system-x86_64 >/dev/null; then
	VM_GROUPS=${VM_GROUPS:-overlay,escape,cgroup systemd:scope} \
		SUITE_TIMEOUT=${VM_SUITE_TIMEOUT:-1800} \
		suite "stock kernels (tests/vm)" \
		timeout -k 10 "${VM_SUITE_TIMEOUT:-1800}" bash tests/vm/check-vm.sh
fi

summary
((FAILED == 0))
