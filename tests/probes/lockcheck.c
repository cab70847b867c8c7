/* lockcheck FILE - print "locked" when some other open file description
 * holds a lock on FILE that conflicts with a write lock (the read lock that
 * bwrap --lock-file takes), "free" otherwise.  It asks with F_OFD_GETLK, so
 * both classic POSIX locks and open-file-description locks are seen, and
 * takes no lock itself.  flock(1) cannot do this: flock(2) locks and fcntl
 * locks do not conflict on Linux.
 *
 *   cc -o lockcheck lockcheck.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: lockcheck FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (fcntl(fd, F_OFD_GETLK, &l) < 0) {
		perror("lockcheck: F_OFD_GETLK");
		return 2;
	}
	puts(l.l_type == F_UNLCK ? "free" : "locked");
	return 0;
}
