#!/bin/bash
# tests/vm/check-vm.sh - the stock-kernel matrix (`make check-vm`): boot
# Debian 12's kernel (6.1) and Debian 13's (6.12) under qemu and run the
# suites inside as an unprivileged user with subordinate ids.
#
# Steps, each timed on a "# vm:" line: fetch the kernels (cached in
# build/vm), build each initramfs (cached), boot the VMs in parallel
# (VM_PARALLEL=0: one after the other). Every test line of every suite
# is printed with the kernel's series in front of its name:
#   ok - [6.1] --rootfs DIR is an overlay ...
# so that tests/check.sh counts them; a suite the VM did not finish counts
# one failure.
#
# VM_KERNELS (default "6.1 6.12") and VM_GROUPS choose the matrix; a
# suite bench-NAME runs bench/NAME.sh instead (bench/limits.sh boots
# systemd:bench-limits), with VM_ENV's BENCH_* settings (boot.sh). Needs qemu-system-x86_64,
# apt-get, dpkg, depmod and cpio (tests/setup-host.sh installs them); a
# systemd:SUITES group also needs the host's systemd, its user bus
# (dbus-user-session) and pam_systemd, and is one skip without them.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
read -ra kernels <<<"${VM_KERNELS:-6.1 6.12}"
# VM_GROUPS: one VM per group and kernel, all at once (each group's
# suites run one after the other, comma-separated; a group written
# systemd:SUITES boots the host's systemd as pid 1 and runs them beside a
# real user@1000.service: tests/vm/init.sh)
read -ra groups <<<"${VM_GROUPS:-integration,net overlay,bwrap,escape systemd:scope}"
mkdir -p build/vm

now() { date +%s; }
note() { printf '# vm: %s\n' "$*"; }

for tool in qemu-system-x86_64 depmod cpio apt-get; do
	if ! command -v "$tool" >/dev/null; then
		echo "skip - stock-kernel VMs: $tool is not installed (tests/setup-host.sh)"
		exit 0
	fi
done

t0=$(now)
if ! bash tests/vm/fetch-kernels.sh "${kernels[@]}" >/dev/null; then
	echo "not ok - stock-kernel VMs: tests/vm/fetch-kernels.sh failed"
	exit 1
fi
note "kernels fetched in $(($(now) - t0)) s"
for k in "${kernels[@]}"; do
	t0=$(now)
	if ! bash tests/vm/mkinitramfs.sh "$k" >/dev/null; then
		echo "not ok - [$k] tests/vm/mkinitramfs.sh failed"
		exit 1
	fi
	note "initramfs for $k in $(($(now) - t0)) s"
done

# boot K N SUITES: run SUITES (comma-separated) in VM N of kernel K;
# build/vm/K.N.log is its console
boot() {
	local k=$1 n=$2 t sd=0
	t=$(now)
	[[ $3 == systemd:* ]] && sd=1
	VM_SYSTEMD=$sd bash tests/vm/boot.sh "$k" "${3#systemd:}" "build/vm/$k.$n.log" \
		>"build/vm/$k.$n.qemu" 2>&1
	echo $? >"build/vm/$k.$n.status"
	echo $(($(now) - t)) >"build/vm/$k.$n.seconds"
}

# report K N SUITES: VM N's console, test lines prefixed with [K]
report() {
	local k=$1 n=$2 log=build/vm/$1.$2.log s status end
	if [[ -f build/vm/$k.$n.skip ]]; then
		cat "build/vm/$k.$n.skip"
		return
	fi
	status=$(cat "build/vm/$k.$n.status" 2>/dev/null || echo '?')
	note "[$k] VM $n ($3): $(cat "build/vm/$k.$n.seconds") s, qemu status $status"
	tr -d '\r' <"$log" |
		sed -n "s/^# vm: \(kernel\|ready\|done\|systemd\|vm-tests\|user\|no user\)/# vm: [$k] \1/p"
	tr -d '\r' <"$log" | sed -n '/^# vm: begin /,/^# vm: end /p' |
		sed -E -e "s/^(ok|not ok|skip) - /\\1 - [$k] /" \
		       -e "s/^(ok|not ok) ([0-9]+) - /\\1 \\2 - [$k] /" \
		       -e "s/^# vm: (begin|end) /# vm: [$k] \\1 /" \
		       -e '/^1\.\.[0-9]/d'
	s=${3#systemd:}
	for s in ${s//,/ }; do
		end=$(tr -d '\r' <"$log" | grep -m 1 "^# vm: end $s ")
		if [[ -z $end ]]; then
			echo "not ok - [$k] $s: the VM stopped before the suite ended (see $log)"
		elif [[ $end != "# vm: end $s 0 "* ]] &&
			! tr -d '\r' <"$log" | sed -n "/^# vm: begin $s\$/,/^# vm: end $s /p" |
				grep -q '^not ok'; then
			echo "not ok - [$k] $s: exited with status $(cut -d' ' -f5 <<<"$end") and no failed test"
		fi
	done
}

# why the host's /usr cannot boot a systemd VM, or nothing
systemd_missing() {
	local f
	for f in /usr/lib/systemd/systemd /usr/bin/dbus-daemon /usr/lib/systemd/user/dbus.socket \
		/usr/lib/x86_64-linux-gnu/security/pam_systemd.so; do
		[[ -e $f ]] || { echo "$f is missing (systemd, dbus-user-session, libpam-systemd)"; return; }
	done
}

t0=$(now)
pids=()
for k in "${kernels[@]}"; do
	n=0
	for g in "${groups[@]}"; do
		n=$((n + 1))
		rm -f "build/vm/$k.$n".*
		if [[ $g == systemd:* && -n $(systemd_missing) ]]; then
			echo "skip - [$k] $g: $(systemd_missing)" >"build/vm/$k.$n.skip"
		elif [[ ${VM_PARALLEL:-1} == 1 ]]; then
			boot "$k" "$n" "$g" &
			pids+=($!)
		else
			boot "$k" "$n" "$g"
		fi
	done
done
((${#pids[@]} == 0)) || wait "${pids[@]}"
note "all VMs done in $(($(now) - t0)) s"
for k in "${kernels[@]}"; do
	n=0
	for g in "${groups[@]}"; do
		n=$((n + 1))
		report "$k" "$n" "$g"
	done
done
exit 0
