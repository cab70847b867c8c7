/* syncmsg.c - the sync socket's protocol: one {type, errno, code, message}
 * record per SOCK_SEQPACKET packet.
 *
 * The setup process holds one end, the user-namespace child, pid 1 and
 * the payload (which inherit it) the other, close-on-exec: EOF on the
 * setup process's end means the payload is running.  Every process below
 * the setup process reports a failure as MSG_ERROR (child_fail) and exits;
 * only the setup process prints.  The message types are in sandbox.h.
 *
 * Must not touch: anything but the socket it is given.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include "sandbox.h"

void send_msg(int fd, int type, int err, int code, const char *text)
{
	struct sync_msg m;

	memset(&m, 0, sizeof m);
	m.type = type;
	m.err = err;
	m.code = code;
	snprintf(m.text, sizeof m.text, "%s", text ? text : "");
	(void)!send(fd, &m, offsetof(struct sync_msg, text) + strlen(m.text) + 1, MSG_NOSIGNAL);
}

/* In a child: report the recorded error to the setup process and exit. */
__attribute__((noreturn)) void child_fail(int fd)
{
	send_msg(fd, MSG_ERROR, sb_errnum(), sb_exit_setup, sb_errmsg());
	_exit(sb_exit_setup);
}

/* In a child: the next message, waiting (across EINTR); 0 at EOF. */
ssize_t recv_msg(int fd, struct sync_msg *m)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof *m, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

/* In the setup process: the next message from the children (0 at EOF:
 * the payload runs), or -EINTR when a signal that ends a program came
 * first. */
ssize_t next_msg(int fd, struct sync_msg *m)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
			       { .fd = setup_signal_fd(), .events = POLLIN } };

	for (;;) {
		ssize_t n = recv(fd, m, sizeof *m, MSG_DONTWAIT);
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (setup_signal_taken())
			return -EINTR;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -errno;
	}
}

/* Is a received packet of N bytes a message?  Terminates its text. */
bool msg_complete(struct sync_msg *m, ssize_t n)
{
	if (n < 0 || (size_t)n < offsetof(struct sync_msg, text) + 1)
		return false;
	m->text[sizeof m->text - 1] = '\0';
	return true;
}
