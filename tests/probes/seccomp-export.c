/* seccomp-export SYSCALL... - write to stdout the compiled BPF program
 * (seccomp_export_bpf) of a libseccomp filter that allows every system call
 * except the SYSCALLs named, which fail with EPERM.  The programs that
 * tests/bwrap-tests.sh passes to --seccomp and --add-seccomp-fd, built the
 * way Flatpak builds its own.
 *
 *   cc -o seccomp-export seccomp-export.c -lseccomp
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int i, r;

	if (argc < 2) {
		fprintf(stderr, "usage: seccomp-export SYSCALL... > FILE\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		fprintf(stderr, "seccomp-export: seccomp_init failed\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		int nr = seccomp_syscall_resolve_name(argv[i]);

		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "seccomp-export: unknown system call %s\n", argv[i]);
			return 1;
		}
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0) {
			fprintf(stderr, "seccomp-export: %s: %s\n", argv[i], strerror(-r));
			return 1;
		}
	}
	r = seccomp_export_bpf(ctx, STDOUT_FILENO);
	seccomp_release(ctx);
	if (r < 0) {
		fprintf(stderr, "seccomp-export: seccomp_export_bpf: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
