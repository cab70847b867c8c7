# shellcheck shell=bash
# shellcheck disable=SC2015,SC2034  # "A && B || die" is meant; vars are for callers
# bench/lib.sh - helpers shared by the benchmarks in bench/ (bash).
#
# Source it from a benchmark script:
#
#     BENCH_NAME=startup
#     . "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"
#
# What it gives you:
#   bench_die MSG / bench_note MSG      errors (exit 1) and notes, on stderr
#   bench_require CMD:PKG ...           commands a benchmark needs; as root,
#                                       apt-get installs the missing ones
#   bench_reexec_unprivileged ARGS      as root: re-run "$0" as $BENCH_USER
#                                       (default sbtest), copy its results
#                                       into $BENCH_OUT, exit with its status
#   bench_check_subids                  the invoking user has /etc/subuid and
#                                       /etc/subgid ranges, or die
#   bench_preflight NAME CMD            run CMD (split on blanks, as
#                                       hyperfine -N does) once: 0, or a
#                                       note with its own message and 1
#   bench_find_sandbox                  set BENCH_SANDBOX to the binary's
#                                       path: $SANDBOX, ./sandbox, REPO/sandbox
#   bench_tmpdir                        make $BENCH_TMP, removed on exit
#   bench_runtime_dir                   a tmpfs XDG_RUNTIME_DIR where the
#                                       user has none (removed on exit)
#   bench_make_rootfs DIR               a busybox rootfs in DIR
#   bench_out_dir                       make and print the results directory
#   bench_median                        median of the numbers on stdin
#   bench_ratio A B / bench_print_ratio LABEL A B
#   bench_hf_field CSV NAME FIELD       a column of a hyperfine --export-csv
#   bench_ms SECONDS                    seconds -> "12.345 ms"
#   bench_max_rss_kib FILE CMD...       GNU time %M of one run of CMD
#   bench_machine_info                  the machine state worth recording
#
# Nothing here talks to the network except apt-get (root only, and only
# for a package that is missing).

: "${BENCH_NAME:=bench}"
BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
BENCH_REPO=$(cd -- "$BENCH_DIR/.." && pwd -P)
: "${BENCH_USER:=sbtest}"

bench_die() {
	printf '%s: error: %s\n' "$BENCH_NAME" "$*" >&2
	exit 1
}

bench_note() {
	printf '%s: %s\n' "$BENCH_NAME" "$*" >&2
}

# bench_require CMD:PACKAGE ... - every CMD must be runnable (a name on
# PATH or an absolute path). As root, missing ones are installed with
# apt-get (one apt-get update first if the install fails); as anyone else
# a missing one is an error naming the package.
bench_require() {
	local spec cmd pkg missing=()
	for spec in "$@"; do
		cmd=${spec%%:*} pkg=${spec#*:}
		command -v -- "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		bench_die "missing package(s): ${missing[*]}; install them" \
			"(apt-get install ${missing[*]}) or run this script as root"
	fi
	command -v apt-get >/dev/null 2>&1 ||
		bench_die "missing package(s) ${missing[*]} and no apt-get to install them"
	bench_note "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q "${missing[@]}" >&2; then
		apt-get update -q >&2 && apt-get install -y -q "${missing[@]}" >&2 ||
			bench_die "apt-get install ${missing[*]} failed"
	fi
	for spec in "$@"; do
		cmd=${spec%%:*}
		command -v -- "$cmd" >/dev/null 2>&1 ||
			bench_die "$cmd still missing after installing ${spec#*:}"
	done
}

# bench_subids_of USER - succeed when USER (name or uid) has a range in
# both /etc/subuid and /etc/subgid.
bench_subids_of() {
	local name=$1 uid
	uid=$(id -u -- "$name" 2>/dev/null) || return 1
	name=$(id -un -- "$uid")
	grep -qE "^($name|$uid):[0-9]+:[1-9]" /etc/subuid 2>/dev/null &&
		grep -qE "^($name|$uid):[0-9]+:[1-9]" /etc/subgid 2>/dev/null
}

bench_check_subids() {
	local me
	me=$(id -un)
	bench_subids_of "$me" ||
		bench_die "user $me has no range in /etc/subuid and /etc/subgid;" \
			"add one as root: usermod --add-subuids 100000-165535" \
			"--add-subgids 100000-165535 $me (pick a free range)"
}

# bench_reexec_unprivileged ARGS... - call first thing in a benchmark's
# main path. Not root: returns. Root: checks that $BENCH_USER exists and
# has subordinate ids (creating nothing), resolves the sandbox binary,
# runs "$0" ARGS as that user with BENCH_OUT pointing at a staging
# directory it owns, then copies the results into $BENCH_OUT (default
# bench/results) and exits with the child's status.
bench_reexec_unprivileged() {
	[ "$(id -u)" -eq 0 ] || return 0
	local user=$BENCH_USER script out stage sb rc
	getent passwd "$user" >/dev/null ||
		bench_die "user '$user' does not exist. Benchmarks run unprivileged;" \
			"create it with tests/setup-host.sh (as root; it also gives $user" \
			"a subuid/subgid range) or pick another user with BENCH_USER=NAME"
	[ "$(id -u "$user")" -ne 0 ] || bench_die "BENCH_USER=$user is root"
	bench_subids_of "$user" ||
		bench_die "user '$user' has no range in /etc/subuid and /etc/subgid;" \
			"add one: usermod --add-subuids 100000-165535" \
			"--add-subgids 100000-165535 $user (pick a free range)"
	script=$(readlink -f -- "$0")
	runuser -u "$user" -- test -r "$script" ||
		bench_die "user '$user' cannot read $script"
	bench_find_sandbox || true
	sb=$BENCH_SANDBOX
	if [ -n "$sb" ]; then
		runuser -u "$user" -- test -x "$sb" ||
			bench_die "user '$user' cannot execute $sb"
	fi
	out=${BENCH_OUT:-$BENCH_DIR/results}
	stage=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME-out.XXXXXX") ||
		bench_die "cannot make a staging directory"
	# shellcheck disable=SC2064
	trap "rm -rf -- '$stage'" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	chown -- "$user:" "$stage" && chmod 700 "$stage" ||
		bench_die "cannot hand $stage to $user"
	bench_note "running as $user (uid $(id -u "$user")) via runuser"
	rc=0
	(cd / && runuser -u "$user" -- env \
		PATH=/usr/local/bin:/usr/bin:/bin \
		TMPDIR=/tmp \
		BENCH_OUT="$stage" \
		BENCH_OUT_SHOWN="$(mkdir -p -- "$out" && cd -- "$out" && pwd -P)" \
		BENCH_REEXECED=1 \
		${sb:+SANDBOX="$sb"} \
		${BENCH_RUNS:+BENCH_RUNS="$BENCH_RUNS"} \
		${BENCH_WARMUP:+BENCH_WARMUP="$BENCH_WARMUP"} \
		${BENCH_RSS_RUNS:+BENCH_RSS_RUNS="$BENCH_RSS_RUNS"} \
		bash "$script" "$@") || rc=$?
	if [ -n "$(ls -A -- "$stage")" ]; then
		mkdir -p -- "$out" && cp -R -- "$stage"/. "$out"/ ||
			bench_die "cannot copy results to $out"
		bench_note "results copied to $(readlink -f -- "$out")"
	fi
	exit "$rc"
}

# bench_find_sandbox - set BENCH_SANDBOX to the absolute path of the
# binary under test: $SANDBOX if set (an error if it is not executable),
# else ./sandbox, else the one `make` leaves at the top of the repository.
# Returns 1 (BENCH_SANDBOX empty) if there is none. Call it directly, not
# in $(...), so that a bad $SANDBOX stops the script.
bench_find_sandbox() {
	local c
	BENCH_SANDBOX=
	if [ -n "${SANDBOX:-}" ]; then
		c=$(command -v -- "$SANDBOX") && [ -f "$c" ] && [ -x "$c" ] ||
			bench_die "SANDBOX=$SANDBOX is not an executable file"
		BENCH_SANDBOX=$(readlink -f -- "$c")
		return 0
	fi
	for c in ./sandbox "$BENCH_REPO/sandbox"; do
		if [ -f "$c" ] && [ -x "$c" ]; then
			BENCH_SANDBOX=$(readlink -f -- "$c")
			return 0
		fi
	done
	return 1
}

# bench_tmpdir - create $BENCH_TMP (under $TMPDIR or /tmp) and remove it
# when the script exits, however it exits.
bench_tmpdir() {
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME.XXXXXX") ||
		bench_die "cannot create a temporary directory"
	case $BENCH_TMP in *[[:space:]]*)
		rmdir -- "$BENCH_TMP"
		bench_die "temporary directory '$BENCH_TMP' contains white space; set TMPDIR" ;;
	esac
	trap 'bench_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

bench_cleanup() {
	[ -n "${BENCH_RT:-}" ] && rm -rf -- "$BENCH_RT"
	[ -n "${BENCH_TMP:-}" ] && [ -d "$BENCH_TMP" ] || return 0
	# A rootfs may hold read-only directories; make them removable first.
	chmod -R u+rwX -- "$BENCH_TMP" 2>/dev/null
	rm -rf -- "$BENCH_TMP" ||
		printf '%s: warning: could not remove %s\n' "$BENCH_NAME" "$BENCH_TMP" >&2
}

# bench_preflight NAME CMD - each command once before timing it, so that
# a failure is reported with its own message rather than as a hyperfine
# error.
bench_preflight() {
	local name=$1 cmd=$2 err rc=0
	# shellcheck disable=SC2086  # the command is split like hyperfine -N does
	err=$($cmd 2>&1 >/dev/null) || rc=$?
	[ "$rc" -eq 0 ] && return 0
	bench_note "$name does not run here (status $rc): $cmd"
	[ -n "$err" ] && printf '%s\n' "$err" | sed 's/^/    /' >&2
	return 1
}

# bench_runtime_dir - sandbox keeps each run's state (its name, pids and
# --enter socket) in $XDG_RUNTIME_DIR/sandbox, which a login session has
# on a tmpfs (/run/user/UID).  Without one it falls back to /tmp, which
# may be a disk (here ext4 mounted with discard, whose synchronous
# discards on unlink cost about a millisecond a run): measure what a
# user gets, with a runtime dir on a tmpfs (/dev/shm) when there is none.
bench_runtime_dir() {
	if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] &&
		[ -O "$XDG_RUNTIME_DIR" ]; then
		return 0
	fi
	BENCH_RT=$(mktemp -d /dev/shm/"$BENCH_NAME"-rt.XXXXXX) ||
		bench_die "no XDG_RUNTIME_DIR and none can be made in /dev/shm"
	export XDG_RUNTIME_DIR=$BENCH_RT
	bench_note "XDG_RUNTIME_DIR=$BENCH_RT (a tmpfs, as a login session's)"
}

# bench_static_busybox - print the path of a statically linked busybox.
bench_static_busybox() {
	local bb
	for bb in /bin/busybox /usr/bin/busybox "$(command -v busybox 2>/dev/null)"; do
		[ -n "$bb" ] && [ -x "$bb" ] || continue
		# ldd fails on a static binary; look at what it says, not its status
		case $(LC_ALL=C ldd "$bb" 2>&1 || true) in
		*"not a dynamic executable"* | *"statically linked"*) ;;
		*) continue ;;
		esac
		readlink -f -- "$bb"
		return 0
	done
	return 1
}

# bench_make_rootfs DIR - a busybox root filesystem in DIR (created; must
# not exist or be empty). Uses tests/mkrootfs.sh when the repository has
# it, else builds a minimal one here: bin/busybox and its applets as
# symlinks, etc/passwd and etc/group (root, the invoking user, nobody),
# empty proc sys dev tmp run mount points.
bench_make_rootfs() {
	local dir=$1 log bb uid gid me a
	if [ -f "$BENCH_REPO/tests/mkrootfs.sh" ]; then
		log=$(mktemp "${TMPDIR:-/tmp}/$BENCH_NAME-mkrootfs.XXXXXX")
		if bash "$BENCH_REPO/tests/mkrootfs.sh" "$dir" >"$log" 2>&1 &&
			{ [ -e "$dir/bin/true" ] || [ -L "$dir/bin/true" ]; }; then
			rm -f -- "$log"
			BENCH_ROOTFS_FROM=tests/mkrootfs.sh
			return 0
		fi
		bench_note "tests/mkrootfs.sh $dir failed or made no bin/true;" \
			"building a minimal rootfs instead. Its output:"
		sed 's/^/    /' "$log" >&2
		rm -f -- "$log"
		chmod -R u+rwX -- "$dir" 2>/dev/null
		rm -rf -- "$dir"
	fi
	bb=$(bench_static_busybox) ||
		bench_die "no statically linked busybox (apt-get install busybox-static)"
	mkdir -p -- "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,home} ||
		bench_die "cannot create $dir"
	chmod 1777 "$dir/tmp"
	cp -- "$bb" "$dir/bin/busybox" || bench_die "cannot copy $bb"
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"
	done
	uid=$(id -u) gid=$(id -g) me=$(id -un)
	{
		echo "root:x:0:0:root:/root:/bin/sh"
		[ "$uid" -ne 0 ] && echo "$me:x:$uid:$gid:$me:/tmp:/bin/sh"
		echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false"
	} >"$dir/etc/passwd"
	{
		echo "root:x:0:"
		[ "$gid" -ne 0 ] && echo "$(id -gn):x:$gid:"
		echo "nogroup:x:65534:"
	} >"$dir/etc/group"
	[ -x "$dir/bin/true" ] || bench_die "rootfs $dir has no working bin/true"
	BENCH_ROOTFS_FROM="built-in (static busybox from $bb)"
}

# bench_out_dir - create and print the directory results go to:
# $BENCH_OUT, default bench/results.
bench_out_dir() {
	local out=${BENCH_OUT:-$BENCH_DIR/results}
	mkdir -p -- "$out" || bench_die "cannot create results directory $out"
	[ -w "$out" ] || bench_die "results directory $out is not writable by $(id -un)"
	(cd -- "$out" && pwd -P)
}

# bench_median - the median of the numbers on stdin, one per line (the
# mean of the two middle ones for an even count).
bench_median() {
	sort -g | awk '{ v[NR] = $1 }
		END {
			if (NR == 0) exit 1
			if (NR % 2) print v[(NR + 1) / 2]
			else printf "%.10g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# bench_ratio A B - A/B to two decimals; "n/a" when either is missing or B is 0.
bench_ratio() {
	awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) print "n/a"
		else printf "%.2f\n", a / b
	}'
}

# bench_print_ratio LABEL A B - one aligned "LABEL  x.xx" line.
bench_print_ratio() {
	local r
	r=$(bench_ratio "$2" "$3")
	if [ "$r" = n/a ]; then
		printf '  %-26s %s\n' "$1" "n/a"
	else
		printf '  %-26s %s x\n' "$1" "$r"
	fi
}

# bench_hf_field CSV NAME FIELD - FIELD (mean, stddev, median, user,
# system, min, max) of the command named NAME (hyperfine -n NAME) in a
# hyperfine --export-csv file, in seconds. Names must not contain commas.
bench_hf_field() {
	awk -F, -v name="$2" -v field="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == name && (field in col) { print $col[field]; found = 1; exit }
		END { exit !found }' "$1"
}

# bench_ms SECONDS - "12.345 ms"
bench_ms() {
	awk -v s="$1" 'BEGIN { printf "%.3f ms\n", s * 1000 }'
}

# bench_max_rss_kib CMD... - run CMD once under GNU time and print %M:
# the ru_maxrss that wait4() returns for the process time forks, in KiB.
# That is the largest peak resident set of that process (across its
# execs) and of every descendant reaped in an unbroken chain of waits
# below it; a maximum, not a sum. CMD's output is discarded; a CMD
# failure is an error.
bench_max_rss_kib() {
	local f rc=0 v
	f=$(mktemp "${TMPDIR:-/tmp}/$BENCH_NAME-rss.XXXXXX") || return 1
	/usr/bin/time -q -f '%M' -o "$f" -- "$@" >/dev/null 2>"$f.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		bench_note "'$*' failed (status $rc) under /usr/bin/time:"
		sed 's/^/    /' "$f.err" >&2
		rm -f -- "$f" "$f.err"
		return 1
	fi
	v=$(tail -n 1 -- "$f")
	rm -f -- "$f" "$f.err"
	case $v in '' | *[!0-9]*) return 1 ;; esac
	printf '%s\n' "$v"
}

# bench_machine_info - the machine state that moves the numbers, as
# "key: value" lines (see bench/README.md).
bench_machine_info() {
	local gov="" mit
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host: $(uname -n)"
	echo "kernel: $(uname -srvm)"
	echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
	echo "online cpus: $(nproc 2>/dev/null)"
	if [ -r /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor ]; then
		gov=$(cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor)
	fi
	echo "cpufreq governor: ${gov:-n/a (no cpufreq, e.g. a VM)}"
	echo "virtualization: $(systemd-detect-virt 2>/dev/null || echo unknown)"
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "memory: $(awk '/^MemTotal/ { t = $2 } /^MemAvailable/ { a = $2 }
		END { printf "%d MiB total, %d MiB available", t / 1024, a / 1024 }' /proc/meminfo)"
	echo "mounts in the caller's mount namespace: $(wc -l </proc/self/mountinfo)"
	echo "user.max_user_namespaces: $(cat /proc/sys/user/max_user_namespaces 2>/dev/null)"
	mit=$(grep -l . /sys/devices/system/cpu/vulnerabilities/* 2>/dev/null |
		while read -r f; do printf '%s=%s; ' "${f##*/}" "$(cut -c1-40 "$f")"; done)
	echo "cpu vulnerability mitigations: ${mit:-unknown}"
	echo "lsm: $(cat /sys/kernel/security/lsm 2>/dev/null || echo unknown)"
	echo "cgroup: $(stat -fc %T /sys/fs/cgroup 2>/dev/null)"
	echo "tmpdir filesystem: $(stat -fc %T "${TMPDIR:-/tmp}" 2>/dev/null)"
	echo "user: $(id -un) (uid $(id -u))"
	echo "repository commit: $(git -c safe.directory="$BENCH_REPO" -C "$BENCH_REPO" \
		rev-parse --short HEAD 2>/dev/null || echo none)"
}
