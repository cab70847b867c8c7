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

/* The same with PASSFD attached (SCM_RIGHTS): MSG_PTY's master, --enter's
 * connection.  0, or -errno. */
int send_msg_fd(int fd, int type, int code, const char *text, int passfd)
{
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } cm;
	struct sync_msg m;
	struct iovec iov = { .iov_base = &m };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
			     .msg_controllen = sizeof cm.buf };
	struct cmsghdr *c;

	memset(&m, 0, sizeof m);
	memset(&cm, 0, sizeof cm);
	m.type = type;
	m.code = code;
	snprintf(m.text, sizeof m.text, "%s", text ? text : "");
	iov.iov_len = offsetof(struct sync_msg, text) + strlen(m.text) + 1;
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &passfd, sizeof(int));
	return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* recv of one message, the fds that came with it in FDS (up to MAX,
 * close-on-exec; *NFDS how many; the rest closed).  FLAGS: recvmsg's. */
ssize_t recv_msg_fds(int fd, void *buf, size_t len, int *fds, int max, int *nfds, int flags)
{
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * 4)]; } cm;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
			     .msg_controllen = sizeof cm.buf };
	struct cmsghdr *c;
	ssize_t n;

	*nfds = 0;
	n = recvmsg(fd, &mh, flags | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t k, nf;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nf = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < nf; k++) {
			int got;
			memcpy(&got, CMSG_DATA(c) + k * sizeof(int), sizeof got);
			if (*nfds < max)
				fds[(*nfds)++] = got;
			else
				close(got);
		}
	}
	return n;
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
 * first, or -ECHILD when ALSO (a pidfd, or -1) is readable and no message
 * is.  An fd that came with it goes to *PASSED (-1: none).
 * ECONNRESET only says a child exited with a message of ours unread (a
 * MSG_GO sent as it failed): the kernel reports it once, before the
 * packets still queued (its MSG_ERROR), which are read after it. */
ssize_t next_msg(int fd, struct sync_msg *m, int *passed, int also)
{
	struct pollfd p[3] = { { .fd = fd, .events = POLLIN },
			       { .fd = setup_signal_fd(), .events = POLLIN },
			       { .fd = also, .events = POLLIN } };

	for (;;) {
		int nf;
		ssize_t n = recv_msg_fds(fd, m, sizeof *m, passed, 1, &nf, MSG_DONTWAIT);
		if (nf == 0)
			*passed = -1;
		if (n >= 0)
			return n;
		if (n == -ECONNRESET)
			continue;
		if (n != -EAGAIN && n != -EINTR)
			return n;
		if (setup_signal_taken())
			return -EINTR;
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			return -errno;
		if (p[2].revents)
			return -ECHILD;
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
