/* fds: use a descriptor inherited from outside the sandbox.  Any open fd
 * above 2 counts; a directory fd is also used to climb out and read
 * NAME next to it (an fd of a host directory is a way out of any root).
 *
 *   fds [NAME]
 */
#include "probe.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	char link[64], target[512], found[2048] = "";
	int fd, n = 0;

	for (fd = 3; fd < 1024; fd++) {
		struct stat st;
		ssize_t k;

		if (fcntl(fd, F_GETFD) < 0)
			continue;
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		k = readlink(link, target, sizeof target - 1);
		target[k > 0 ? k : 0] = '\0';
		n++;
		snprintf(found + strlen(found), sizeof found - strlen(found), "fd %d (%s) ", fd,
			 target);
		if (argc > 1 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			int f = openat(fd, argv[1], O_RDONLY | O_CLOEXEC);
			if (f >= 0)
				OPEN("%sgave %s of the host", found, argv[1]);
		}
	}
	if (n)
		OPEN("inherited %s", found);
	BLOCKED("no inherited fd above 2");
}
