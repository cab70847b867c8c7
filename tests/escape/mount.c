/* mount: change the sandbox's mounts or make device nodes.
 *
 *   mount mount DIR      mount a tmpfs on DIR
 *   mount mknod DIR      make a character device (1,3: null) in DIR
 *   mount fifo DIR       make a FIFO in DIR (the control for mknod)
 *   mount remount DIR    make the read-only mount at DIR writable (with
 *                        mount_setattr, then mount -o remount), detach
 *                        it, and create DIR/written
 */
#include "probe.h"
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 3)
		ERROR("usage: mount mount|mknod|fifo|remount DIR");
	if (strcmp(argv[1], "mount") == 0) {
		if (mount("probe", argv[2], "tmpfs", 0, NULL) == 0)
			OPEN("mounted a tmpfs on %s", argv[2]);
		if (errno == EPERM)
			BLOCKED("mount: EPERM");
		ERROR("mount: %s", strerror(errno));
	}
	if (strcmp(argv[1], "mknod") == 0 || strcmp(argv[1], "fifo") == 0) {
		bool chr = strcmp(argv[1], "mknod") == 0;
		snprintf(path, sizeof path, "%s/probe-node", argv[2]);
		if (mknod(path, (chr ? S_IFCHR : S_IFIFO) | 0666, chr ? makedev(1, 3) : 0) == 0)
			OPEN("made a %s %s", chr ? "character device" : "FIFO", path);
		if (errno == EPERM)
			BLOCKED("mknod: EPERM");
		ERROR("mknod %s: %s", path, strerror(errno));
	}
	if (strcmp(argv[1], "remount") == 0) {
		struct mount_attr ma = { .attr_clr = MOUNT_ATTR_RDONLY };
		int fd, e_set, e_re, e_um;
		long r_set;

		r_set = syscall(SYS_mount_setattr, AT_FDCWD, argv[2], 0, &ma, sizeof ma);
		e_set = errno;
		e_re = mount(NULL, argv[2], NULL, MS_REMOUNT | MS_BIND, NULL) == 0 ? 0 : errno;
		snprintf(path, sizeof path, "%s/written", argv[2]);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			OPEN("made %s writable (mount_setattr: %s, remount: %s) and wrote %s",
			     argv[2], r_set == 0 ? "ok" : ename(e_set), e_re ? ename(e_re) : "ok",
			     path);
		e_um = umount2(argv[2], MNT_DETACH) == 0 ? 0 : errno;
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0 && e_um == 0)
			OPEN("detached %s and wrote what was under it", argv[2]);
		BLOCKED("mount_setattr: %s, remount: %s, umount: %s", r_set == 0 ? "ok" : ename(e_set),
			e_re ? ename(e_re) : "ok", e_um ? ename(e_um) : "ok");
	}
	ERROR("unknown mode %s", argv[1]);
}
