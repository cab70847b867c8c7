/* init.c - signal forwarding, reaping and exit status.
 *
 * The same loop runs in the setup process, in the user-namespace child and
 * in pid 1: forwarded signals are blocked and taken with sigwaitinfo, and
 * sent one level down.  A signal the kernel generated for a terminal's
 * process group (si_code SI_KERNEL: ^C, ^\, hangup, window size) already
 * reached every process of that group, the payload included, so it is not
 * forwarded again unless the payload runs in its own session.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "sandbox.h"

static const int forwarded[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

static void forward_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

void signals_block(void)
{
	sigset_t set;

	forward_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* For the payload: default dispositions and an empty mask, as if nothing
 * had run before it. */
void signals_reset(void)
{
	sigset_t none;
	int s;

	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int status_to_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_SETUP;
}

int forward_and_wait(pid_t child, pid_t watch, bool forward_kernel_signals, bool reap_all,
		     int *watch_status)
{
	return forward_and_wait_fd(child, watch, forward_kernel_signals, reap_all, watch_status, -1);
}

/* With REAP_ALL (pid 1) every other child is reaped too.  STATUS_FD (or
 * -1): a non-blocking pipe that raises SIGCHLD when readable (O_ASYNC,
 * F_SETSIG); an int read from it is returned as the exit code. */
int forward_and_wait_fd(pid_t child, pid_t watch, bool forward_kernel_signals, bool reap_all,
			int *watch_status, int status_fd)
{
	sigset_t set;
	siginfo_t si;
	int code;

	forward_set(&set);
	for (;;) {
		int st;
		pid_t p;

		while ((p = waitpid(reap_all || watch > 0 ? -1 : child, &st, WNOHANG)) > 0) {
			if (p == child)
				return status_to_code(st);
			if (watch > 0 && p == watch) {
				if (watch_status)
					*watch_status = st;
				return -1;
			}
		}
		if (p < 0 && errno == ECHILD)
			return EXIT_SETUP;
		if (status_fd >= 0 && read(status_fd, &code, sizeof code) == (ssize_t)sizeof code)
			return code;

		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_signo == SIGCHLD)
			continue;
		if (si.si_code == SI_KERNEL && !forward_kernel_signals)
			continue;
		kill(child, si.si_signo);
	}
}
