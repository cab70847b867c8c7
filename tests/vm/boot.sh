#!/bin/bash
# tests/vm/boot.sh SERIES SUITES LOG - boot the stock kernel SERIES (6.1,
# 6.12: tests/vm/fetch-kernels.sh) under qemu with the initramfs of
# tests/vm/mkinitramfs.sh, run SUITES (comma-separated: integration,
# overlay, bwrap, escape, net) inside as the test user, and write the
# serial console to LOG. Exits with qemu's status (124: timed out).
#
# TCG, as CI machines have no KVM: -M pc, -smp 2 -m 1024. Not -M microvm:
# it has no HPET nor ACPI PM timer, and on a loaded machine the kernel
# then fails to calibrate the TSC against the PIT and hangs at boot
# (seen with 6.1, about one boot in two). The host's /usr is shared read-only over virtio-9p
# (the suites' tools), and /var/tmp/sandbox-debian when it exists (the
# overlay suite's Debian tree); the NIC is qemu's user-mode network.
# VM_SYSTEMD=1: the host's systemd becomes pid 1 and runs the suites from
# a unit, beside a real user@1000.service (tests/vm/init.sh).  That VM gets
# one CPU: with two, 6.12 panicked in 2 of 4 boots ("Oops: int3" in
# __set_next_task_fair: a vCPU running code another one had just patched,
# a multi-threaded TCG race; systemd and the --cpus test flip static keys).
# VM_SMP overrides.
# VM_ENV=NAME=VALUE,...: BENCH_* variables for the suites (a bench-NAME
# suite runs bench/NAME.sh), passed on the kernel command line.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
series=${1:?usage: boot.sh SERIES SUITES LOG}
suites=${2?usage: boot.sh SERIES SUITES LOG}
log=${3:?usage: boot.sh SERIES SUITES LOG}
KDIR=build/vm/kernel-$series
VM_TIMEOUT=${VM_TIMEOUT:-1700}
VM_MEM=${VM_MEM:-1024}
smp=${VM_SMP:-$([[ ${VM_SYSTEMD:-0} == 1 ]] && echo 1 || echo 2)}

kernel=$(echo "$KDIR"/root/boot/vmlinuz-*)
initrd=build/vm/initramfs-$series.cpio
[[ -f $kernel && -f $initrd ]] || {
	echo "boot: no kernel or initramfs for $series (tests/vm/fetch-kernels.sh, mkinitramfs.sh)" >&2
	exit 2
}

share=()
if [[ -d /var/tmp/sandbox-debian ]]; then
	# shellcheck disable=SC2054 # qemu's own comma-separated options
	share=(-fsdev local,id=deb,path=/var/tmp/sandbox-debian,security_model=none,readonly=on
	       -device virtio-9p-pci,fsdev=deb,mount_tag=hostdeb)
fi
exec timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
	-M pc,hpet=on -vga none \
	-accel tcg -cpu max -smp "$smp" -m "$VM_MEM" \
	-nodefaults -no-user-config -display none -no-reboot \
	-serial "file:$log" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 ${VM_KERNEL_ARGS:-quiet loglevel=1} reboot=t panic=-1 vm.suites=$suites vm.systemd=${VM_SYSTEMD:-0}${VM_ENV:+ vm.env=$VM_ENV}" \
	-fsdev local,id=usr,path=/usr,security_model=none,readonly=on \
	-device virtio-9p-pci,fsdev=usr,mount_tag=hostusr \
	"${share[@]}" \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
	</dev/null
