# shellcheck shell=bash
# tests/limit-checks.sh - the checks of the cgroup v2 limits that
# tests/cgroup-tests.sh (a delegated cgroup) and tests/scope-tests.sh (a
# transient systemd scope) share.  Sourced by them, after tests/lib.sh;
# not a suite of its own.
#
#   limit_checks RUN...   each check runs "RUN... $SANDBOX OPTIONS..." (the
#                         suite's way to start a sandbox), then calls the
#                         suite's limit_after (what must be left: nothing)
#
# Payload scripts are single-quoted on purpose (they expand inside):
# shellcheck disable=SC2016

limit_checks() {
	local u s ms cpu
	t "--memory 32M: a 100 MiB allocation is killed, 137 with the reason"
	"$@" "$SANDBOX" --memory 32M -- dd if=/dev/zero of=/dev/null bs=100M count=1
	expect_status 137
	expect_match "message" '^sandbox: the command was killed: out of memory \(limit 32 MiB, peak [0-9.]+ [KMG]iB\)$' "$ERR"
	limit_after

	t "--memory 256M: the same allocation runs"
	"$@" "$SANDBOX" --memory 256M -- dd if=/dev/zero of=/dev/null bs=100M count=1
	expect_status 0

	t "--pids 20: a fork storm fails inside, the sandbox ends"
	# the sleeps outlive the storm, so the limit is met however slow forks are
	"$@" "$SANDBOX" --pids 20 -- sh -c 'for i in $(seq 40); do sleep 60 & done; kill $(jobs -p) 2>/dev/null; wait'
	expect_ne "status" 0 "$RC"
	expect_match "fork refused" '[Cc]annot fork|[Cc]an.t fork|[Rr]esource temporarily unavailable' "$ERR"
	limit_after

	t "--cpus 0.2: a 3 s busy loop gets about 0.6 s of CPU and is throttled"
	"$@" "$SANDBOX" --cpus 0.2 --stats -- timeout 3 sh -c 'while :; do :; done'
	expect_status 124
	cpu=$(sed -n 's/^sandbox: stats: cpu time \([0-9]*\)\.\([0-9]*\) s user, \([0-9]*\)\.\([0-9]*\) s system$/\1\2 \3\4/p' <<<"$ERR")
	read -r u s <<<"$cpu"
	ms=$((10#${u:-0} + 10#${s:-0}))
	expect_true "CPU time ${ms} ms is at most 1200 ms (unlimited: about 3000)" test "$ms" -le 1200
	expect_match "throttled" '^sandbox: stats: time throttled [0-9]+\.[0-9]{3} s \([1-9][0-9]* periods\)$' "$ERR"

	t "the payload cannot lift its memory limit"
	"$@" "$SANDBOX" --memory 32M -- sh -c \
		'echo max >/sys/fs/cgroup/memory.max 2>/dev/null; echo max >/sys/fs/cgroup/../memory.max 2>/dev/null
		 exec dd if=/dev/zero of=/dev/null bs=100M count=1'
	expect_status 137
	limit_after
}
