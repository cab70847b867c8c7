/* mkbpf ERRNO SYSCALL...: write to standard output a compiled seccomp
 * program (the format of bwrap's --seccomp and --add-seccomp-fd) that
 * fails each SYSCALL with ERRNO and allows everything else.  A host tool for
 * the tests, linked with libseccomp. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int nr, r = 0, i;

	if (argc < 3) {
		fprintf(stderr, "usage: mkbpf ERRNO SYSCALL...\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 2;
	for (i = 2; i < argc && r == 0; i++) {
		nr = seccomp_syscall_resolve_name(argv[i]);
		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "mkbpf: unknown system call %s\n", argv[i]);
			return 2;
		}
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((unsigned)atoi(argv[1])), nr, 0);
	}
	if (r == 0)
		r = seccomp_export_bpf(ctx, 1);
	seccomp_release(ctx);
	if (r < 0) {
		fprintf(stderr, "mkbpf: %s\n", strerror(-r));
		return 2;
	}
	return 0;
}
