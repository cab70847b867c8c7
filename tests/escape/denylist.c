/* denylist: every system call the default seccomp policy denies, each
 * called with arguments the kernel itself would refuse with another
 * error, so that the answer tells who refused: the filter (EPERM or
 * ENOSYS, as the policy says) or the kernel.  Built for the native ABI
 * and, as denylist32, for the 32-bit compat one.
 *
 *   denylist blocked   every call answered by the filter (exit 0)
 *   denylist open      every call that can tell reached the kernel (exit 0;
 *                      the control, with --seccomp-policy none)
 *
 * A few calls cannot tell (the kernel answers EPERM to an unprivileged
 * caller too): they count only in "blocked".  The calls the policy must
 * let through (personality queries, ordinary ioctls) are checked in both.
 * A call this kernel cannot make at all (int 0x80 without IA32 emulation)
 * prints "NAME: SKIP: why" and counts in neither; tests/escape-tests.sh
 * reports it as a skipped test.
 */
#include "probe.h"
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

struct call {
	const char *name;
	int policy;       /* the errno the policy answers */
	int tells;        /* the kernel's own answer differs from it */
	long (*fn)(void);
};

static long c_tiocsti(void) { return syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI, 0); }
static long c_tioclinux(void) { return syscall(SYS_ioctl, -1, (unsigned long)TIOCLINUX, 0); }
#if defined(__LP64__)
static long c_tiocsti_high(void)
{
	return syscall(SYS_ioctl, -1, 0xdead000000000000UL | TIOCSTI, 0);
}
#endif
static long c_add_key(void) { return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0); }
static long c_keyctl(void) { return syscall(SYS_keyctl, 0x7fff, 0, 0, 0, 0); }
static long c_request_key(void) { return syscall(SYS_request_key, NULL, NULL, NULL, 0); }
static long c_perf(void) { return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long c_userfaultfd(void) { return syscall(SYS_userfaultfd, 0xffff); }
static long c_bpf(void) { return syscall(SYS_bpf, -1, NULL, 0); }
static long c_obha(void) { return syscall(SYS_open_by_handle_at, -1, NULL, 0); }
static long c_uring_setup(void) { return syscall(SYS_io_uring_setup, 0, NULL); }
static long c_uring_enter(void) { return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0); }
static long c_uring_register(void) { return syscall(SYS_io_uring_register, -1, 0, NULL, 0); }
static long c_kexec_load(void) { return syscall(SYS_kexec_load, 0, 0, NULL, 0); }
#ifdef SYS_kexec_file_load
static long c_kexec_file_load(void) { return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0); }
#endif
static long c_init_module(void) { return syscall(SYS_init_module, NULL, 0, NULL); }
static long c_finit_module(void) { return syscall(SYS_finit_module, -1, NULL, 0); }
static long c_delete_module(void) { return syscall(SYS_delete_module, NULL, 0); }
static long c_acct(void) { return syscall(SYS_acct, NULL); }
static long c_swapon(void) { return syscall(SYS_swapon, NULL, 0); }
static long c_swapoff(void) { return syscall(SYS_swapoff, NULL); }
static long c_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, NULL); }
static long c_settimeofday(void) { return syscall(SYS_settimeofday, NULL, NULL); }
static long c_clock_settime(void) { return syscall(SYS_clock_settime, -1, NULL); }
#ifdef SYS_clock_settime64
static long c_clock_settime64(void) { return syscall(SYS_clock_settime64, -1, NULL); }
#endif
#ifdef SYS_stime
static long c_stime(void) { return syscall(SYS_stime, NULL); }
#endif
static long c_personality(void) { return syscall(SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */); }
static long c_personality_all(void) { return syscall(SYS_personality, 0xfffffffeUL); }
#if defined(__x86_64__)
/* the x32 ABI: the same number with bit 30 set */
static long c_keyctl_x32(void) { return syscall(0x40000000 | SYS_keyctl, 0x7fff, 0, 0, 0, 0); }
/* the i386 table, from a 64-bit process: int $0x80, keyctl is 288 there */
static long c_keyctl_int80(void)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(288L), "b"(0x7fffL), "c"(0L), "d"(0L)
			 : "memory");
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* A kernel without IA32 emulation (built without it, or booted with
 * ia32_emulation=0) has no int $0x80 gate: the instruction faults and the
 * process gets SIGSEGV.  Try it in a child first (getpid, 20 in the i386
 * table); NULL when the gate is there. */
static const char *no_int80(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return NULL; /* the call itself then tells */
	if (pid == 0) {
		long r;
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
		_exit(r > 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return NULL;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		return "int 0x80 raises SIGSEGV: this kernel has no IA32 emulation";
	return NULL;
}
#endif

static const struct call calls[] = {
	{ "ioctl(TIOCSTI)", EPERM, 1, c_tiocsti },
	{ "ioctl(TIOCLINUX)", EPERM, 1, c_tioclinux },
#if defined(__LP64__)
	{ "ioctl(TIOCSTI with high bits)", EPERM, 1, c_tiocsti_high },
#endif
	{ "add_key", EPERM, 1, c_add_key },
	{ "keyctl", EPERM, 1, c_keyctl },
	{ "request_key", EPERM, 1, c_request_key },
	{ "perf_event_open", EPERM, 1, c_perf },
	{ "userfaultfd", EPERM, 0, c_userfaultfd },
	{ "bpf", EPERM, 0, c_bpf },
	{ "open_by_handle_at", EPERM, 0, c_obha },
	{ "io_uring_setup", ENOSYS, 1, c_uring_setup },
	{ "io_uring_enter", ENOSYS, 1, c_uring_enter },
	{ "io_uring_register", ENOSYS, 1, c_uring_register },
	{ "kexec_load", EPERM, 0, c_kexec_load },
#ifdef SYS_kexec_file_load
	{ "kexec_file_load", EPERM, 0, c_kexec_file_load },
#endif
	{ "init_module", EPERM, 0, c_init_module },
	{ "finit_module", EPERM, 0, c_finit_module },
	{ "delete_module", EPERM, 0, c_delete_module },
	{ "acct", EPERM, 0, c_acct },
	{ "swapon", EPERM, 0, c_swapon },
	{ "swapoff", EPERM, 0, c_swapoff },
	{ "reboot", EPERM, 0, c_reboot },
	{ "settimeofday", EPERM, 0, c_settimeofday },
	{ "clock_settime", EPERM, 1, c_clock_settime },
#ifdef SYS_clock_settime64
	{ "clock_settime64", EPERM, 1, c_clock_settime64 },
#endif
#ifdef SYS_stime
	{ "stime", EPERM, 1, c_stime },
#endif
	{ "personality(ADDR_NO_RANDOMIZE)", EPERM, 1, c_personality },
	{ "personality(0xfffffffe)", EPERM, 1, c_personality_all },
#if defined(__x86_64__)
	{ "keyctl (x32 ABI)", EPERM, 1, c_keyctl_x32 },
	{ "keyctl (i386 ABI, int 0x80)", EPERM, 1, c_keyctl_int80 },
#endif
};

/* Why this kernel cannot make the call C at all, or NULL. */
static const char *absent(const struct call *c)
{
#if defined(__x86_64__)
	if (c->fn == c_keyctl_int80)
		return no_int80();
#endif
	(void)c;
	return NULL;
}

int main(int argc, char **argv)
{
	bool want_blocked = argc == 2 && strcmp(argv[1], "blocked") == 0;
	int bad = 0;
	size_t i;
	long r;

	if (argc != 2 || (!want_blocked && strcmp(argv[1], "open") != 0))
		ERROR("usage: denylist blocked|open");
	for (i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		const char *why = absent(&calls[i]);
		int e;
		if (why) {
			printf("%s: SKIP: %s\n", calls[i].name, why);
			continue;
		}
		errno = 0;
		r = calls[i].fn();
		e = r < 0 ? errno : 0;
		if (r >= 0 && strncmp(calls[i].name, "personality", 11) == 0)
			syscall(SYS_personality, 0); /* undo */
		printf("%s: %s\n", calls[i].name, r < 0 ? ename(e) : "succeeded");
		if (want_blocked && e != calls[i].policy)
			bad++;
		if (!want_blocked && calls[i].tells && e == calls[i].policy)
			bad++;
	}
	/* what the policy must let through */
	r = syscall(SYS_personality, 0xffffffffUL);
	printf("personality(query): %s\n", r < 0 ? ename(errno) : "ok");
	if (r < 0)
		ERROR("the personality query was refused");
	r = syscall(SYS_personality, 0x0008 /* PER_LINUX32 */);
	printf("personality(PER_LINUX32): %s\n", r < 0 ? ename(errno) : "ok");
	if (r < 0)
		ERROR("personality(PER_LINUX32) was refused");
	syscall(SYS_personality, 0);
	r = syscall(SYS_ioctl, -1, (unsigned long)TCGETS, 0);
	printf("ioctl(TCGETS): %s\n", r < 0 ? ename(errno) : "ok");
	if (r < 0 && errno != EBADF)
		ERROR("an ordinary ioctl was refused: %s", ename(errno));
	if (want_blocked) {
		if (bad)
			OPEN("%d call(s) got past the filter", bad);
		BLOCKED("every call was answered by the filter");
	}
	if (bad)
		BLOCKED("%d call(s) that can tell were answered as the policy would", bad);
	OPEN("every call that can tell reached the kernel");
}
