/* tty.c - the terminal relay (--tty): the command gets a pseudo-terminal
 * of the sandbox's own devpts, and sandbox copies bytes between its master
 * and the user's terminal, so the command never holds an fd of the user's
 * terminal (TIOCSTI, TIOCLINUX and friends reach only its own pty).
 *
 * Inside (pid 1, or the command itself with --as-pid-1): tty_open_pair
 * opens /dev/ptmx and its peer (TIOCGPTPEER: no path to resolve), set to
 * the user's modes and size; tty_take makes the peer the controlling
 * terminal of a new session on fds 0-2.
 * Outside (the setup process, or sandbox --enter): tty_relay_* puts the
 * user's terminal in raw mode, relays both ways from one epoll set that a
 * wait loop watches (no thread or process per direction), passes window
 * size changes on, and restores the terminal on every way out.
 *
 * Must not touch: anything but the terminal fds it is given.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "sandbox.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Does this run get a pty?  auto: stdin, stdout and stderr are all
 * terminals; a pipe or a file on any of them keeps them as they are. */
bool tty_wanted(enum tty_mode mode)
{
	if (mode == TTY_ALWAYS)
		return true;
	if (mode == TTY_NEVER)
		return false;
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
}

/* The user's terminal's modes and size, for the pty (zero where stdin is
 * not a terminal: the kernel's defaults then). */
void tty_user_settings(struct tty_settings *ts)
{
	memset(ts, 0, sizeof *ts);
	ts->have_modes = tcgetattr(STDIN_FILENO, &ts->modes) == 0;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ts->size) == 0 ||
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ts->size) == 0)
		ts->have_size = true;
}

/* A pty of the devpts at /dev/pts (through /dev/ptmx): 0 with *MASTER and
 * *PEER (both close-on-exec, the peer not yet anyone's controlling
 * terminal), or -errno with a message. */
int tty_open_pair(const struct tty_settings *ts, int *master, int *peer)
{
	int m, p;

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return sb_err(errno, "--tty: cannot open /dev/ptmx: %s", strerror(errno));
	if (unlockpt(m) < 0 ||
	    (p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		int e = errno;
		close(m);
		return sb_err(e, "--tty: cannot open the pseudo-terminal: %s", strerror(e));
	}
	if (ts->have_modes)
		(void)tcsetattr(p, TCSANOW, &ts->modes);
	if (ts->have_size)
		(void)ioctl(p, TIOCSWINSZ, &ts->size);
	*master = m;
	*peer = p;
	return 0;
}

/* In the command's process: a session of its own with PEER as its
 * controlling terminal, on fds 0, 1 and 2. */
int tty_take(int peer)
{
	int fd;

	if (setsid() < 0 && errno != EPERM)
		return sb_err(errno, "--tty: setsid: %s", strerror(errno));
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		return sb_err(errno, "--tty: cannot make the pty the controlling terminal: %s",
			      strerror(errno));
	for (fd = 0; fd < 3; fd++)
		if (dup2(peer, fd) < 0)
			return sb_err(errno, "--tty: dup2: %s", strerror(errno));
	if (peer > 2)
		close(peer);
	return 0;
}

/* ---- the relay ---- */

enum { EV_IN = 1, EV_MASTER, EV_OUT };

static void relay_arm(struct tty_relay *t)
{
	struct epoll_event ev;

	/* the user's input waits while the pty will not take what we hold */
	if (t->in >= 0) {
		ev = (struct epoll_event){ .events = t->ilen ? 0 : EPOLLIN, .data.u32 = EV_IN };
		(void)epoll_ctl(t->epfd, EPOLL_CTL_MOD, t->in, &ev);
	}
	ev = (struct epoll_event){ .events = EPOLLIN | (t->ilen ? EPOLLOUT : 0),
				   .data.u32 = EV_MASTER };
	(void)epoll_ctl(t->epfd, EPOLL_CTL_MOD, t->master, &ev);
}

/* Start relaying MASTER to the user's terminal (fds 0 and 1): 0, or
 * -errno with a message (nothing changed then). */
int tty_relay_start(struct tty_relay *t, int master)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = EV_IN };
	struct termios raw;

	memset(t, 0, sizeof *t);
	t->master = master;
	t->in = STDIN_FILENO;
	t->out = STDOUT_FILENO;
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (t->epfd < 0)
		return sb_err(errno, "--tty: epoll: %s", strerror(errno));
	if (fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) < 0 ||
	    epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->in, &ev) < 0) {
		/* stdin cannot be watched (/dev/null, a regular file): no input */
		t->in = -1;
	}
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = EV_MASTER };
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, master, &ev) < 0) {
		int e = errno;
		close(t->epfd);
		return sb_err(e, "--tty: epoll: %s", strerror(e));
	}
	if (t->in >= 0 && tcgetattr(t->in, &t->saved) == 0) {
		raw = t->saved;
		cfmakeraw(&raw);
		if (tcsetattr(t->in, TCSANOW, &raw) == 0)
			t->raw = true;
	}
	t->active = true;
	return 0;
}

/* The user's input to the pty */
static void relay_input(struct tty_relay *t, uint32_t events)
{
	ssize_t n;

	if (t->ilen == 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		n = read(t->in, t->ibuf, sizeof t->ibuf);
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) {
			/* end of the user's input: nothing more to pass on */
			(void)epoll_ctl(t->epfd, EPOLL_CTL_DEL, t->in, NULL);
			t->in = -1;
			return;
		}
		if (n > 0) {
			t->ilen = (size_t)n;
			t->ioff = 0;
		}
	}
}

/* What we hold of the user's input, into the pty as far as it takes it */
static void relay_flush_input(struct tty_relay *t)
{
	while (t->ilen) {
		ssize_t n = write(t->master, t->ibuf + t->ioff, t->ilen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				t->ilen = 0; /* the pty is gone: drop it */
			return;
		}
		t->ioff += (size_t)n;
		t->ilen -= (size_t)n;
	}
}

/* The pty's output to the user's terminal: 1 when it read (more may
 * wait), 0 when nothing waits, -1 once the pty ended (every peer closed) */
static int relay_output(struct tty_relay *t)
{
	int round;

	for (round = 0; round < 16; round++) {
		ssize_t n = read(t->master, t->obuf, sizeof t->obuf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1; /* EIO */
		/* a user's terminal that is gone: drop what the command says */
		(void)write_all(t->out, t->obuf, (size_t)n);
	}
	return 1;
}

/* One round of the relay, when its epoll fd is readable (a wait loop's
 * watch: tty_relay_fd()) */
void tty_relay_ready(void *arg)
{
	struct tty_relay *t = arg;
	struct epoll_event ev[4];
	int n, i;

	n = epoll_wait(t->epfd, ev, 4, 0);
	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 == EV_IN)
			relay_input(t, ev[i].events);
		else if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			if (relay_output(t) < 0) {
				/* no peer left: stop watching it (the command ended) */
				(void)epoll_ctl(t->epfd, EPOLL_CTL_DEL, t->master, NULL);
			}
	}
	relay_flush_input(t);
	if (t->active)
		relay_arm(t);
}

int tty_relay_fd(const struct tty_relay *t)
{
	return t->active ? t->epfd : -1;
}

/* SIGWINCH: the user's terminal's size to the pty (whose foreground
 * process group the kernel then tells) */
void tty_relay_resize(struct tty_relay *t)
{
	struct winsize ws;

	if (t->active && (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 ||
			  ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0))
		(void)ioctl(t->master, TIOCSWINSZ, &ws);
}

/* The command ended: what is left in the pty to the user, the user's
 * terminal as it was, the master closed.  Safe to call twice. */
void tty_relay_stop(struct tty_relay *t)
{
	if (!t->active)
		return;
	while (relay_output(t) > 0)
		;
	if (t->raw)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &t->saved);
	close(t->epfd);
	close(t->master);
	t->active = false;
}
