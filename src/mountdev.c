/* mountdev.c - the sandbox's /dev and /proc: a minimal /dev on a tmpfs
 * (the harmless nodes bound from the host, devpts, shm, the usual links)
 * and a new procfs with the parts that reach the host's kernel covered
 * read-only.
 *
 * Called by mounts.c (the native personality's standard mounts, and
 * --dev / --proc in plan order), in pid 1, with DEST resolved under the
 * new root by mountfd.c's primitives.  Knows nothing else of the plan:
 * its callers pass the personality and the mode of missing parent
 * directories.  Must not call mounts.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "sandbox.h"

/* Bind the host's SRC on a new empty file NAME of DEVFD. */
static int bind_dev_node(int devfd, const char *name, const char *src, unsigned int attrs)
{
	int mfd, dfd, r;

	dfd = openat(devfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (dfd < 0)
		return -errno;
	close(dfd);
	dfd = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	mfd = clone_tree(src, attrs);
	if (mfd < 0 || dfd < 0) {
		r = mfd < 0 ? mfd : -errno;
		if (mfd >= 0)
			close(mfd);
		if (dfd >= 0)
			close(dfd);
		return r;
	}
	r = attach(mfd, dfd);
	close(mfd);
	close(dfd);
	return r;
}

/* The tmpfs of /dev on DEST (made, missing directories with PMODE): an
 * fd of it, to make the nodes in. */
static int dev_tmpfs(int rootfd, const char *dest, mode_t pmode, bool bwrap)
{
	static const char *const tmpfs_opts[] = { "mode", "0755", NULL };
	int dfd, devfd, r;

	dfd = mkdir_in_root_mode(rootfd, dest, pmode);
	if (dfd < 0 && bwrap)
		return bwrap_mkdest_err(rootfd, dest, dfd);
	if (dfd < 0)
		return sb_err(-dfd, "cannot create %s: %s", dest, strerror(-dfd));
	r = mount_new_fs(dfd, "tmpfs", tmpfs_opts, MOUNT_ATTR_NOSUID |
			 (bwrap ? MOUNT_ATTR_NODEV : MOUNT_ATTR_NOEXEC));
	close(dfd);
	if (r < 0)
		return sb_err(-r, "cannot mount a tmpfs on %s: %s", dest, strerror(-r));
	devfd = open_in_root(rootfd, dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (devfd < 0)
		return sb_err(-devfd, "%s: %s", dest, strerror(-devfd));
	return devfd;
}

/* The nodes bound from the host, and the links. */
static int dev_nodes(int devfd, const char *dest, unsigned int node_attrs)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
		{ "/proc/kcore", "core" }, { "pts/ptmx", "ptmx" },
	};
	size_t i;
	int r;

	for (i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		char src[32];
		snprintf(src, sizeof src, "/dev/%s", nodes[i]);
		if ((r = bind_dev_node(devfd, nodes[i], src, node_attrs)) < 0)
			return sb_err(-r, "cannot bind /dev/%s into %s: %s", nodes[i], dest,
				      strerror(-r));
	}
	for (i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0) {
			r = errno;
			return sb_err(r, "cannot create %s/%s: %s", dest, links[i][1], strerror(r));
		}
	return 0;
}

/* pts with a new devpts instance; shm (a tmpfs, native) or console
 * (bwrap, the terminal CONSOLE when not NULL). */
static int dev_pts_shm(int devfd, const char *dest, bool bwrap, const char *console,
		       unsigned int node_attrs)
{
	static const char *const shm_opts[] = { "mode", "1777", NULL };
	static const char *const pts_opts[] = { "newinstance", NULL, "ptmxmode", "0666",
						"mode", "620", NULL };
	int sub = -1, r;

	if (mkdirat(devfd, "pts", 0755) < 0 || mkdirat(devfd, "shm", bwrap ? 0755 : 01777) < 0 ||
	    (sub = openat(devfd, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		r = errno;
		return sb_err(r, "cannot create %s/pts or %s/shm: %s", dest, dest, strerror(r));
	}
	r = mount_new_fs(sub, "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	close(sub);
	if (r < 0)
		return sb_err(-r, "cannot mount devpts on %s/pts: %s", dest, strerror(-r));
	if (bwrap) {
		r = console ? bind_dev_node(devfd, "console", console, node_attrs) : 0;
		if (r < 0)
			return sb_err(-r, "cannot bind %s on %s/console: %s", console, dest,
				      strerror(-r));
		return 0;
	}
	sub = openat(devfd, "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = sub < 0 ? -errno
		    : mount_new_fs(sub, "tmpfs", shm_opts,
				   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (sub >= 0)
		close(sub);
	if (r < 0)
		return sb_err(-r, "cannot mount a tmpfs on %s/shm: %s", dest, strerror(-r));
	return 0;
}

/* A minimal /dev on DEST (missing directories made with PMODE): the
 * harmless nodes from the host, a new devpts instance, /dev/shm, and the
 * usual links.  The native one is noexec with a tmpfs on shm; bubblewrap's
 * is nodev (the nodes are binds), with a plain directory as shm and, when
 * its stdout is a terminal, that terminal bound on console (CONSOLE, NULL
 * otherwise). */
int setup_dev(int rootfd, const char *dest, mode_t pmode, bool bwrap, const char *console)
{
	const unsigned int node_attrs = MOUNT_ATTR_NOSUID | (bwrap ? 0 : MOUNT_ATTR_NOEXEC);
	int devfd, r;

	devfd = dev_tmpfs(rootfd, dest, pmode, bwrap);
	if (devfd < 0)
		return devfd;
	r = dev_nodes(devfd, dest, node_attrs);
	if (r == 0)
		r = dev_pts_shm(devfd, dest, bwrap, console, node_attrs);
	close(devfd);
	return r;
}

/* The parts of a new procfs that reach the host's kernel rather than the
 * sandbox's namespaces are bound read-only over themselves: in a user
 * namespace that maps the host's root, its writes there would otherwise
 * go through.  Bubblewrap covers only those it can write to (as root);
 * as an unprivileged user the kernel already refuses, and it skips them:
 * AS_BWRAP does the same. */
static int cover_proc(int rootfd, const char *dest, bool as_bwrap)
{
	static const char *const names[] = { "sys", "sysrq-trigger", "irq", "bus" };
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	int pfd, mfd, dfd, r = 0;
	size_t i;

	pfd = open_in_root(rootfd, dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return sb_err(-pfd, "%s: %s", dest, strerror(-pfd));
	for (i = 0; i < sizeof names / sizeof names[0] && r == 0; i++) {
		if (as_bwrap && faccessat(pfd, names[i], W_OK, 0) < 0 &&
		    (errno == EACCES || errno == ENOENT || errno == EROFS))
			continue;
		mfd = open_tree(pfd, names[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
				AT_SYMLINK_NOFOLLOW | AT_RECURSIVE);
		if (mfd < 0 && errno == ENOENT)
			continue; /* no /proc/bus on this machine */
		if (mfd < 0 || mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof ma) < 0) {
			r = -errno;
		} else {
			dfd = openat(pfd, names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
			r = dfd < 0 ? -errno : attach(mfd, dfd);
			if (dfd >= 0)
				close(dfd);
		}
		if (mfd >= 0)
			close(mfd);
		if (r < 0)
			r = sb_err(-r, "cannot make %s/%s read-only: %s", dest, names[i], strerror(-r));
	}
	close(pfd);
	return r;
}

/* A new procfs on DEST (missing directories made with PMODE).  The kernel
 * refuses one in a user namespace when the pid namespace is the host's
 * (--share-pid), or when the /proc we were started from hides some of
 * itself under locked mounts (a sandbox's read-only /proc/sys, a
 * container's masked paths): then the parent's /proc is bound instead,
 * with a warning unless --share-pid asked for the parent's processes. */
int mount_proc(int rootfd, const char *dest, mode_t pmode, bool as_bwrap, bool share_pid)
{
	unsigned int attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	int dfd = mkdir_in_root_mode(rootfd, dest, pmode), mfd, r;

	if (dfd < 0 && as_bwrap)
		return bwrap_mkdest_err(rootfd, dest, dfd);
	if (dfd < 0)
		return sb_err(-dfd, "cannot create %s: %s", dest, strerror(-dfd));
	r = mount_new_fs(dfd, "proc", NULL, attrs);
	if (r == -EPERM) {
		mfd = clone_tree("/proc", attrs);
		if (mfd >= 0) {
			r = attach(mfd, dfd);
			close(mfd);
			if (r == 0 && !share_pid)
				sb_warn("the kernel refuses a new /proc under this one (it has "
					"read-only or hidden parts, as in a sandbox): %s is the "
					"parent's /proc and shows its processes", dest);
		}
	}
	close(dfd);
	if (r < 0)
		return sb_err(-r, "cannot mount proc on %s: %s", dest, strerror(-r));
	return cover_proc(rootfd, dest, as_bwrap);
}
