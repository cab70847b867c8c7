/* userns: create a new user namespace, by unshare, clone and clone3. */
#include "probe.h"
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int by_clone(long (*call)(void), int *err)
{
	long pid = call();

	if (pid == 0)
		_exit(0);
	*err = errno;
	if (pid < 0)
		return 0;
	waitpid((pid_t)pid, NULL, 0);
	return 1;
}

static long do_clone(void)
{
	/* raw clone: flags, stack (NULL: like fork) */
	return syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
}

static long do_clone3(void)
{
	struct clone_args ca;

	memset(&ca, 0, sizeof ca);
	ca.flags = CLONE_NEWUSER;
	ca.exit_signal = SIGCHLD;
	return syscall(SYS_clone3, &ca, sizeof ca);
}

int main(void)
{
	int e_un = 0, e_cl = 0, e_c3 = 0, ok_cl, ok_c3;
	pid_t k;
	int st;

	/* unshare in a child, so that the others start from the same place */
	k = fork();
	if (k == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
	waitpid(k, &st, 0);
	e_un = WIFEXITED(st) ? WEXITSTATUS(st) : EIO;
	ok_cl = by_clone(do_clone, &e_cl);
	ok_c3 = by_clone(do_clone3, &e_c3);
	if (e_un == 0 || ok_cl || ok_c3)
		OPEN("a new user namespace: unshare %s, clone %s, clone3 %s",
		     e_un ? ename(e_un) : "ok", ok_cl ? "ok" : ename(e_cl), ok_c3 ? "ok" : ename(e_c3));
	BLOCKED("unshare: %s, clone: %s, clone3: %s", ename(e_un), ename(e_cl), ename(e_c3));
}
