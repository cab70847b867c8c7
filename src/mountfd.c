/* mountfd.c - the primitives under every mount: lookups by openat2 that
 * cannot leave a root or follow a link, mount points made under a root,
 * host paths found again under /oldroot, and the new mount API by fd
 * (fsopen/fsmount, open_tree, mount_setattr, move_mount).
 *
 * A destination is resolved under the root being built with
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS (open_in_root): a symlink or
 * ".." in the rootfs can never lead out of it.  A host path is a realpath
 * looked up under /oldroot with RESOLVE_NO_SYMLINKS: a link found there
 * now was planted since.
 *
 * Knows nothing of the plan (spec.h's operations) nor of overlays, and
 * prints nothing: functions return an fd, 0 or -errno, and the callers
 * (mounts.c, mountdev.c, overlay.c, hide.c) say what failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "sandbox.h"

/* fchmodat2 (Linux 6.6): its number differs between architectures, so
 * the headers' where they have it; older x86_64 headers lack it (452),
 * and elsewhere without it chmod_fd goes through the fd's magic link */
#if !defined(SYS_fchmodat2) && defined(__x86_64__)
#define SYS_fchmodat2 452
#endif

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int openat2_(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };
	long r;

	do
		r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	while (r < 0 && errno == EAGAIN);
	return r < 0 ? -errno : (int)r;
}

int open_in_root(int rootfd, const char *path, int flags)
{
	return openat2_(rootfd, path, (uint64_t)flags, IN_ROOT);
}

/* mkdir -p PATH under ROOTFD, each missing directory with MODE; returns
 * an O_PATH fd of the directory. */
int mkdir_in_root_mode(int rootfd, const char *path, mode_t mode)
{
	_cleanup_free_ char *copy = NULL;
	char *p;
	int fd;

	fd = openat2_(rootfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
	if (fd != -ENOENT)
		return fd;
	copy = xstrdup(path);
	p = copy;
	for (;;) {
		char *slash;
		int pfd, r;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		fd = openat2_(rootfd, copy, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
		if (fd == -ENOENT) {
			char *name = strrchr(copy, '/');
			if (name) {
				*name = '\0';
				pfd = openat2_(rootfd, *copy ? copy : "/", O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
				*name = '/';
				name++;
			} else {
				pfd = openat2_(rootfd, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
				name = copy;
			}
			if (pfd < 0)
				return pfd;
			r = mkdirat(pfd, name, mode);
			close(pfd);
			if (r < 0 && errno != EEXIST)
				return -errno;
			fd = openat2_(rootfd, copy, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
		}
		if (fd < 0 || !slash)
			return fd;
		close(fd);
		*slash = '/';
		p = slash + 1;
	}
	return openat2_(rootfd, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
}

int mkdir_in_root(int rootfd, const char *path)
{
	return mkdir_in_root_mode(rootfd, path, 0755);
}

/* Split DEST into its parent (created, missing directories with PMODE)
 * and last component. */
int open_parent(int rootfd, const char *dest, mode_t pmode, char **leaf)
{
	char *copy = xstrdup(dest), *slash;
	size_t n = strlen(copy);
	int fd;

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	slash = strrchr(copy, '/');
	if (!slash) {
		*leaf = copy;
		return openat2_(rootfd, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
	}
	*slash = '\0';
	fd = mkdir_in_root_mode(rootfd, *copy ? copy : "/", pmode);
	*leaf = xstrdup(slash + 1);
	free(copy);
	if (fd >= 0 && (!**leaf || strcmp(*leaf, ".") == 0 || strcmp(*leaf, "..") == 0)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* A mount point for a non-directory: an empty file, created if missing
 * (missing parents with PMODE). */
int file_in_root(int rootfd, const char *dest, mode_t pmode)
{
	_cleanup_free_ char *leaf = NULL;
	int pfd, fd;

	fd = openat2_(rootfd, dest, O_PATH | O_CLOEXEC, IN_ROOT);
	if (fd != -ENOENT)
		return fd;
	pfd = open_parent(rootfd, dest, pmode, &leaf);
	if (pfd < 0)
		return pfd;
	fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0 && errno != EEXIST) {
		fd = -errno;
		close(pfd);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	close(pfd);
	return openat2_(rootfd, dest, O_PATH | O_CLOEXEC, IN_ROOT);
}

int attach(int mfd, int destfd)
{
	if (move_mount(mfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/* A new filesystem instance, detached, as an fd. */
int new_fs(const char *type, const char *const *opts, unsigned int attrs)
{
	int fsfd, mfd, e;

	fsfd = fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -errno;
	/* the source mount(8) and bubblewrap give: the type ("none" without) */
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", type, 0) < 0) {
		e = errno;
		close(fsfd);
		return -e;
	}
	for (; opts && opts[0]; opts += 2) {
		int r = opts[1] ? fsconfig(fsfd, FSCONFIG_SET_STRING, opts[0], opts[1], 0)
				: fsconfig(fsfd, FSCONFIG_SET_FLAG, opts[0], NULL, 0);
		if (r < 0) {
			e = errno;
			close(fsfd);
			return -e;
		}
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		e = errno;
		close(fsfd);
		return -e;
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	e = errno;
	close(fsfd);
	return mfd < 0 ? -e : mfd;
}

int mount_new_fs(int destfd, const char *type, const char *const *opts, unsigned int attrs)
{
	int mfd = new_fs(type, opts, attrs), r;

	if (mfd < 0)
		return mfd;
	r = attach(mfd, destfd);
	close(mfd);
	return r;
}

int clone_at(int dirfd, const char *path, unsigned int flags, unsigned int attrs)
{
	struct mount_attr ma = { .attr_set = attrs };
	int mfd, e;

	mfd = open_tree(dirfd, path, flags | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (mfd < 0)
		return -errno;
	if (attrs && mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof ma) < 0) {
		e = errno;
		close(mfd);
		return -e;
	}
	return mfd;
}

/* Clone the tree at host path SRC (under /oldroot) with ATTRS set on every
 * mount of it. */
int clone_tree(const char *src, unsigned int attrs)
{
	char *path = xasprintf("/oldroot%s", strcmp(src, "/") == 0 ? "" : src);
	int mfd = clone_at(AT_FDCWD, path, 0, attrs);

	free(path);
	return mfd;
}

/* PATH, from DIRFD or absolute, without following any link; a relative
 * PATH stays beneath DIRFD. */
int open_nolinks(int dirfd, const char *path, int flags)
{
	return openat2_(dirfd, path, (uint64_t)flags | O_CLOEXEC,
			RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			(path[0] == '/' ? 0 : RESOLVE_BENEATH));
}

/* Open host path REAL (a realpath, so free of symbolic links) under
 * /oldroot without following any link: one found there now was planted
 * since, and is refused (ELOOP). */
int open_host_path(const char *real, int flags)
{
	int root = open("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (root < 0)
		return -errno;
	fd = openat2_(root, real, (uint64_t)flags | O_CLOEXEC,
		      RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	close(root);
	return fd;
}

/* FD, an fd of the setup process (from the host's mount namespace, where
 * this namespace can neither clone nor layer it), opened again here: its
 * current path, looked up without following a link, must lead to the same
 * inode on the same device.  -ESTALE when something else is there now. */
int reopen_host_fd(int fd, int flags)
{
	char link[64], path[PATH_MAX];
	struct stat want, got;
	ssize_t n;
	int nfd;

	if (fstat(fd, &want) < 0)
		return -errno;
	snprintf(link, sizeof link, "/oldroot/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path);
	if (n < 0)
		return -errno;
	if (n == 0 || (size_t)n >= sizeof path || path[0] != '/')
		return -ESTALE;
	path[n] = '\0';
	nfd = open_host_path(path, flags);
	if (nfd == -ENOENT || nfd == -ELOOP || nfd == -ENOTDIR)
		return -ESTALE; /* removed ("... (deleted)"), or a link put in its way */
	if (nfd < 0)
		return nfd;
	if (fstat(nfd, &got) < 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino) {
		close(nfd);
		return -ESTALE;
	}
	return nfd;
}

/* chmod the object open at O_PATH fd FD: fchmodat2 (6.6) takes the fd
 * itself; else its magic link under PROC */
int chmod_fd(int fd, mode_t mode, const char *proc)
{
	char path[64];

#ifdef SYS_fchmodat2
	if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
		return 0;
#endif
	snprintf(path, sizeof path, "%s/self/fd/%d", proc, fd);
	return chmod(path, mode) < 0 ? -errno : 0;
}
