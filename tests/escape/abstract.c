/* abstract: the host's abstract unix sockets.
 *
 *   abstract listen NAME READY   (on the host) listen on @NAME, create the
 *                                file READY, answer "hello" to each client
 *   abstract connect NAME        (in the sandbox) connect to @NAME
 */
#include "probe.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t addr_of(const char *name, struct sockaddr_un *a)
{
	size_t n = strlen(name);

	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (n + 1 > sizeof a->sun_path)
		ERROR("name too long");
	memcpy(a->sun_path + 1, name, n); /* sun_path[0] == 0: abstract */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a;
	socklen_t len;
	char buf[16] = "";
	int s, c;

	if (argc == 4 && strcmp(argv[1], "listen") == 0) {
		len = addr_of(argv[2], &a);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0 || bind(s, (struct sockaddr *)&a, len) < 0 || listen(s, 8) < 0)
			ERROR("listen on @%s: %s", argv[2], strerror(errno));
		alarm(120); /* never outlive the test run */
		c = open(argv[3], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (c < 0)
			ERROR("%s: %s", argv[3], strerror(errno));
		close(c);
		for (;;) {
			c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			(void)!write(c, "hello", 5);
			close(c);
		}
	}
	if (argc == 3 && strcmp(argv[1], "connect") == 0) {
		len = addr_of(argv[2], &a);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			ERROR("socket: %s", strerror(errno));
		if (connect(s, (struct sockaddr *)&a, len) == 0) {
			(void)!read(s, buf, sizeof buf - 1);
			OPEN("connected to the host's @%s, which said \"%s\"", argv[2], buf);
		}
		BLOCKED("connect to @%s: %s", argv[2], ename(errno));
	}
	ERROR("usage: abstract listen NAME READY | abstract connect NAME");
}
