/* init.c - signal forwarding, reaping and exit status.
 *
 * The same loop runs in the setup process, in the user-namespace child and
 * in pid 1: forwarded signals are blocked and taken with sigwaitinfo, and
 * sent one level down.  A signal the kernel generated for a terminal's
 * process group (si_code SI_KERNEL: ^C, ^\, hangup, window size) already
 * reached every process of that group, the payload included, so it is not
 * forwarded again unless the payload runs in its own session.
 *
 * This file is that loop alone, shared by launch.c (the setup process),
 * child.c and pid1.c, and the setup process's signalfd for the signals
 * that end the setup before the payload runs.  What pid 1 does around it
 * (locks, lingering, closing inherited fds) is in pid1.c.
 *
 * Must not touch: anything but signal masks, dispositions and the
 * children it waits for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
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

/* Until the payload runs, the setup process takes the signals that end a
 * program by default (the forwarded ones but SIGWINCH, all blocked) from
 * a signalfd: one of them ends the setup instead of reaching a payload
 * that has not started. */
static int setup_sfd = -1;
static int setup_signo;

int setup_signals_open(void)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		if (forwarded[i] != SIGWINCH)
			sigaddset(&set, forwarded[i]);
	setup_sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return setup_sfd < 0 ? -errno : 0;
}

int setup_signal_fd(void)
{
	return setup_sfd;
}

int setup_signal_taken(void)
{
	struct signalfd_siginfo si;

	if (setup_signo == 0 && setup_sfd >= 0 && read(setup_sfd, &si, sizeof si) == sizeof si)
		setup_signo = (int)si.ssi_signo;
	return setup_signo;
}

void setup_signals_close(void)
{
	if (setup_sfd >= 0)
		close(setup_sfd);
	setup_sfd = -1;
}

static int status_to_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return sb_exit_setup;
}

/* The next of SET's signals (signo, si_code), or -1 to look at the
 * children again; with a signalfd SFD, H's fds are watched too. */
static int next_signal(const sigset_t *set, int sfd, const struct wait_hooks *h, int *code)
{
	struct pollfd p[1 + WAIT_WATCHES];
	struct signalfd_siginfo ssi;
	siginfo_t si;
	size_t i;

	if (sfd < 0) {
		if (sigwaitinfo(set, &si) < 0)
			return -1;
		*code = si.si_code;
		return si.si_signo;
	}
	p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (i = 0; i < WAIT_WATCHES; i++)
		p[1 + i] = (struct pollfd){ .fd = h->watch[i].fd, .events = POLLIN };
	if (poll(p, 1 + WAIT_WATCHES, -1) < 0)
		return -1;
	for (i = 0; i < WAIT_WATCHES; i++)
		if (p[1 + i].revents) {
			h->watch[i].fired(h->watch[i].arg);
			return -1;
		}
	if (read(sfd, &ssi, sizeof ssi) != sizeof ssi)
		return -1;
	*code = ssi.ssi_code;
	return (int)ssi.ssi_signo;
}

/* With REAP_ALL (pid 1) every other child is reaped too (H->reaped told).
 * H (or NULL): fds watched beside the signals, and a say on signals.  STATUS_FD (or -1): a non-blocking
 * pipe that raises SIGCHLD when readable (O_ASYNC, F_SETSIG); an int read
 * from it is returned as the exit code. */
static int wait_loop(pid_t child, pid_t watch, bool forward_kernel_signals, bool reap_all,
		     int *watch_status, const struct wait_hooks *h, int status_fd)
{
	sigset_t set;
	int sfd = -1, signo, code, ret;

	forward_set(&set);
	if (h && (sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		/* the timer could not be watched: end the sandbox, not wait forever */
		sb_warn("signalfd: %s; the sandbox is stopped", strerror(errno));
		kill(child, SIGKILL);
	}
	for (;;) {
		int st;
		pid_t p;

		while ((p = waitpid(reap_all || watch > 0 ? -1 : child, &st, WNOHANG)) > 0) {
			if (p == child) {
				ret = status_to_code(st);
				goto out;
			}
			if (watch > 0 && p == watch) {
				if (watch_status)
					*watch_status = st;
				ret = -1;
				goto out;
			}
			if (h && h->reaped)
				h->reaped(h->arg, p, st);
		}
		if (p < 0 && errno == ECHILD) {
			ret = sb_exit_setup;
			goto out;
		}
		if (status_fd >= 0 && read(status_fd, &ret, sizeof ret) == (ssize_t)sizeof ret)
			goto out;

		if ((signo = next_signal(&set, sfd, h, &code)) < 0)
			continue;
		if (signo == SIGCHLD)
			continue;
		if (h && h->signal && h->signal(h->arg, signo, code))
			continue;
		if (code == SI_KERNEL && !forward_kernel_signals)
			continue;
		kill(child, signo);
	}
out:
	if (sfd >= 0)
		close(sfd);
	return ret;
}

int forward_and_wait(pid_t child, pid_t watch, bool forward_kernel_signals, bool reap_all,
		     int *watch_status)
{
	return wait_loop(child, watch, forward_kernel_signals, reap_all, watch_status, NULL, -1);
}

int forward_and_wait_fd(pid_t child, pid_t watch, bool forward_kernel_signals, bool reap_all,
			int *watch_status, int status_fd)
{
	return wait_loop(child, watch, forward_kernel_signals, reap_all, watch_status, NULL,
			 status_fd);
}

int forward_and_wait_hooks(pid_t child, pid_t watch, bool forward_kernel_signals,
			   bool reap_all, int *watch_status, const struct wait_hooks *h)
{
	return wait_loop(child, watch, forward_kernel_signals, reap_all, watch_status, h, -1);
}

/* H with only WT's timer (or nothing) watched */
void wait_hooks_init(struct wait_hooks *h, const struct wait_timer *wt)
{
	size_t i;

	memset(h, 0, sizeof *h);
	for (i = 0; i < WAIT_WATCHES; i++)
		h->watch[i].fd = -1;
	if (wt)
		h->watch[0] = *wt;
}
