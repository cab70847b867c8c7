/* mounts.c - the new root: staging tmpfs, rootfs, /proc /dev /tmp /run /sys,
 * the mount operations in order, pivot_root.
 *
 * Runs in pid 1, in the sandbox's mount namespace, with the capabilities of
 * the new user namespace.  Layout while building:
 *
 *     /            a private tmpfs (the staging area)
 *     /oldroot     the host's root, where sources are looked up
 *     /newroot     the root being built
 *
 * Every destination is resolved under /newroot with openat2(RESOLVE_IN_ROOT
 * | RESOLVE_NO_MAGICLINKS): a symlink or ".." in the rootfs can never lead
 * out of it.  Mounts are attached by fd with the new mount API (open_tree,
 * fsopen/fsmount, mount_setattr, move_mount), so read-only and the other
 * attributes are applied to a whole subtree in one call, without reading
 * the mount table.
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

#define BASE "/tmp"

/* fchmodat2 (Linux 6.6): its number differs between architectures, so
 * the headers' where they have it; older x86_64 headers lack it (452),
 * and elsewhere without it do_chmod goes through the fd's magic link */
#if !defined(SYS_fchmodat2) && defined(__x86_64__)
#define SYS_fchmodat2 452
#endif

int openat2_(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };
	long r;

	do
		r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	while (r < 0 && errno == EAGAIN);
	return r < 0 ? -errno : (int)r;
}

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* Mode of missing parent directories: 0755, less the group or other bits
 * that a --perms on the operation clears (bwrap's rule). */
static mode_t parent_mode = 0755;

/* A source under /proc/self or /proc/thread-self names something of the
 * process that looks it up (its namespaces, its fds): pid 1 does, in the
 * sandbox's namespaces, through the host's procfs under /oldroot. */
static bool proc_self_path(const char *src)
{
	static const char *const dirs[] = { "/proc/self", "/proc/thread-self" };
	size_t i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (str_has_prefix(src, dirs[i]) &&
		    (src[strlen(dirs[i])] == '\0' || src[strlen(dirs[i])] == '/'))
			return true;
	return false;
}

int mounts_preflight(const struct sandbox_spec *spec, struct mount_plan *mp)
{
	char buf[PATH_MAX];
	size_t i;

	memset(mp, 0, sizeof *mp);
	mp->umask = umask(0);
	umask(mp->umask);
	if (spec->rootfs) {
		struct stat st;
		char *real = realpath(spec->rootfs, NULL);

		if (!real)
			return sb_err(errno, "--rootfs %s: %s", spec->rootfs, strerror(errno));
		if (stat(real, &st) < 0)
			return sb_err(errno, "--rootfs %s: %s", spec->rootfs, strerror(errno));
		if (!S_ISDIR(st.st_mode)) {
			free(real);
			return sb_err(ENOTDIR, "--rootfs %s: not a directory", spec->rootfs);
		}
		if (access(real, R_OK | X_OK) < 0) {
			int e = errno;
			free(real);
			return sb_err(e, "--rootfs %s: %s", spec->rootfs, strerror(e));
		}
		mp->rootfs_real = real;
	}
	mp->src_real = xcalloc(spec->n_ops, sizeof(char *));
	for (i = 0; i < spec->n_ops; i++) {
		const struct mount_op *op = &spec->ops[i];

		if (op->dest && op->dest[0] == '\0')
			return sb_err(EINVAL, "%s: the destination is empty", op->opt);
		if (op->kind == MOP_OVERLAY) {
			size_t j;
			char **real = xcalloc(op->n_lowers + 2, sizeof(char *));
			for (j = 0; j < op->n_lowers; j++) {
				real[j] = realpath(op->lowers[j], NULL);
				if (!real[j])
					return sb_err(errno, "--overlay-src %s: %s", op->lowers[j],
						      strerror(errno));
			}
			if (op->ovl == OVL_RW) {
				real[op->n_lowers] = realpath(op->src, NULL);
				real[op->n_lowers + 1] = realpath(op->work, NULL);
				if (!real[op->n_lowers] || !real[op->n_lowers + 1])
					return sb_err(errno, "--overlay %s %s: %s", op->src, op->work,
						      strerror(errno));
			}
			mp->src_real[i] = (char *)real; /* the list, for do_overlay */
			continue;
		}
		if (op->kind != MOP_BIND && op->kind != MOP_RO_BIND && op->kind != MOP_DEV_BIND)
			continue;
		if (op->by_fd || proc_self_path(op->src)) {
			/* named only: the fd itself is bound (do_bind), or pid 1
			 * resolves a /proc/self source in the sandbox, as bubblewrap does */
			mp->src_real[i] = xstrdup(op->src);
			continue;
		}
		mp->src_real[i] = realpath(op->src, NULL);
		if (!mp->src_real[i] && !(op->try_ && errno == ENOENT))
			return spec->personality == PERSONALITY_BWRAP
				       ? sb_err(errno, "Can't find source path %s: %s", op->src,
						strerror(errno))
				       : sb_err(errno, "%s %s: %s", op->opt, op->src, strerror(errno));
	}
	if (getcwd(buf, sizeof buf))
		mp->cwd = xstrdup(buf);
	if (spec->personality == PERSONALITY_BWRAP && isatty(STDOUT_FILENO) &&
	    ttyname_r(STDOUT_FILENO, buf, sizeof buf) == 0 && buf[0] == '/')
		mp->console = xstrdup(buf);
	return hide_preflight(spec, mp);
}

/* mkdir -p DEST under ROOTFD; returns an O_PATH fd of the directory. */
int mkdir_in_root(int rootfd, const char *path)
{
	char *copy, *p;
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
			if (pfd < 0) {
				free(copy);
				return pfd;
			}
			r = mkdirat(pfd, name, parent_mode);
			close(pfd);
			if (r < 0 && errno != EEXIST) {
				r = -errno;
				free(copy);
				return r;
			}
			fd = openat2_(rootfd, copy, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
		}
		if (fd < 0) {
			free(copy);
			return fd;
		}
		if (!slash) {
			free(copy);
			return fd;
		}
		close(fd);
		*slash = '/';
		p = slash + 1;
	}
	free(copy);
	return openat2_(rootfd, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
}

/* Split DEST into its parent (created) and last component. */
static int open_parent(int rootfd, const char *dest, char **leaf)
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
	fd = mkdir_in_root(rootfd, *copy ? copy : "/");
	*leaf = xstrdup(slash + 1);
	free(copy);
	if (fd >= 0 && (!**leaf || strcmp(*leaf, ".") == 0 || strcmp(*leaf, "..") == 0)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* A mount point for a non-directory: an empty file, created if missing. */
static int file_in_root(int rootfd, const char *dest)
{
	char *leaf = NULL;
	int pfd, fd;

	fd = openat2_(rootfd, dest, O_PATH | O_CLOEXEC, IN_ROOT);
	if (fd != -ENOENT)
		return fd;
	pfd = open_parent(rootfd, dest, &leaf);
	if (pfd < 0) {
		free(leaf);
		return pfd;
	}
	fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0 && errno != EEXIST) {
		fd = -errno;
		close(pfd);
		free(leaf);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	close(pfd);
	free(leaf);
	return openat2_(rootfd, dest, O_PATH | O_CLOEXEC, IN_ROOT);
}

static int attach(int mfd, int destfd)
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

static int clone_at(int dirfd, const char *path, unsigned int flags, unsigned int attrs)
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

/* A minimal /dev: the harmless nodes from the host, a new devpts instance,
 * /dev/shm, and the usual links.  The native one is noexec with a tmpfs
 * on shm; bubblewrap's is nodev (the nodes are binds), with a plain
 * directory as shm and, when its stdout is a terminal, that terminal
 * bound on console (CONSOLE, NULL otherwise). */
static int setup_dev(int rootfd, const char *dest, bool bwrap, const char *console)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
		{ "/proc/kcore", "core" }, { "pts/ptmx", "ptmx" },
	};
	static const char *const tmpfs_opts[] = { "mode", "0755", NULL };
	static const char *const shm_opts[] = { "mode", "1777", NULL };
	static const char *const pts_opts[] = { "newinstance", NULL, "ptmxmode", "0666",
						"mode", "620", NULL };
	const unsigned int node_attrs = MOUNT_ATTR_NOSUID | (bwrap ? 0 : MOUNT_ATTR_NOEXEC);
	int dfd, devfd = -1, sub = -1, r;
	size_t i;

	dfd = mkdir_in_root(rootfd, dest);
	if (dfd < 0)
		return sb_err(-dfd, "cannot create %s: %s", dest, strerror(-dfd));
	r = mount_new_fs(dfd, "tmpfs", tmpfs_opts, MOUNT_ATTR_NOSUID |
			 (bwrap ? MOUNT_ATTR_NODEV : MOUNT_ATTR_NOEXEC));
	close(dfd);
	if (r < 0)
		return sb_err(-r, "cannot mount a tmpfs on %s: %s", dest, strerror(-r));
	devfd = openat2_(rootfd, dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
	if (devfd < 0)
		return sb_err(-devfd, "%s: %s", dest, strerror(-devfd));
	for (i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		char src[32];
		snprintf(src, sizeof src, "/dev/%s", nodes[i]);
		if ((r = bind_dev_node(devfd, nodes[i], src, node_attrs)) < 0) {
			close(devfd);
			return sb_err(-r, "cannot bind /dev/%s into %s: %s", nodes[i], dest,
				      strerror(-r));
		}
	}
	for (i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0) {
			r = errno;
			close(devfd);
			return sb_err(r, "cannot create %s/%s: %s", dest, links[i][1], strerror(r));
		}
	if (mkdirat(devfd, "pts", 0755) < 0 || mkdirat(devfd, "shm", bwrap ? 0755 : 01777) < 0 ||
	    (sub = openat(devfd, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		r = errno;
		close(devfd);
		return sb_err(r, "cannot create %s/pts or %s/shm: %s", dest, dest, strerror(r));
	}
	r = mount_new_fs(sub, "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	close(sub);
	if (r < 0) {
		close(devfd);
		return sb_err(-r, "cannot mount devpts on %s/pts: %s", dest, strerror(-r));
	}
	if (bwrap) {
		r = console ? bind_dev_node(devfd, "console", console, node_attrs) : 0;
		close(devfd);
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
	close(devfd);
	if (r < 0)
		return sb_err(-r, "cannot mount a tmpfs on %s/shm: %s", dest, strerror(-r));
	return 0;
}

static int mount_at(int rootfd, const char *dest, const char *type,
		    const char *const *opts, unsigned int attrs)
{
	int dfd = mkdir_in_root(rootfd, dest), r;

	if (dfd < 0)
		return sb_err(-dfd, "cannot create %s: %s%s", dest, strerror(-dfd),
			      dfd == -EROFS ? " (the root is read-only: create it in the rootfs, "
					      "or use --rootfs-rw)" : "");
	r = mount_new_fs(dfd, type, opts, attrs);
	close(dfd);
	if (r < 0)
		return sb_err(-r, "cannot mount %s on %s: %s", type, dest, strerror(-r));
	return 0;
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

	pfd = openat2_(rootfd, dest, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
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

/* A new procfs on DEST.  The kernel refuses one in a user namespace when
 * the pid namespace is the host's (--share-pid), or when the /proc we were
 * started from hides some of itself under locked mounts (a sandbox's
 * read-only /proc/sys, a container's masked paths): then the parent's
 * /proc is bound instead, with a warning unless --share-pid asked for the
 * parent's processes. */
static int mount_proc(int rootfd, const char *dest, bool as_bwrap, bool share_pid)
{
	unsigned int attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	int dfd = mkdir_in_root(rootfd, dest), mfd, r;

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

static const char *const tmp_opts[] = { "mode", "1777", NULL };
static const char *const run_opts[] = { "mode", "0755", NULL };

static bool dest_is_root(const char *dest);

/* What a destination must be if it exists already. */
enum dest_want { WANT_DIR, WANT_FILE, WANT_ANY };

/* What is already at an operation's DEST must suit it (a directory for a
 * directory, a non-directory for a file). Under the name bwrap, as
 * bubblewrap 0.12 does: nothing is mounted on a symlink, even one that
 * resolves inside the root, and a symlink is not a directory. The native
 * personality checks binds only, and follows a final symlink (inside the
 * root). Nothing is created here. */
static int check_dest(int rootfd, const struct mount_op *op, enum dest_want want, bool mount,
		      bool bwrap)
{
	struct stat st;
	int fd;

	fd = openat2_(rootfd, op->dest, O_PATH | O_CLOEXEC | (bwrap ? O_NOFOLLOW : 0), IN_ROOT);
	if (fd < 0)
		return 0; /* missing (or a dangling link): creating it says why */
	if (fstat(fd, &st) < 0)
		st.st_mode = 0;
	close(fd);
	if (S_ISLNK(st.st_mode) && mount)
		return sb_err(ELOOP, "Can't mount on symlink destination %s", op->dest);
	if (!st.st_mode || (S_ISLNK(st.st_mode) && want != WANT_DIR))
		return 0;
	if (want == WANT_DIR && !S_ISDIR(st.st_mode))
		return bwrap ? sb_err(ENOTDIR, "Destination is not a directory %s", op->dest)
			     : sb_err(ENOTDIR, "%s %s %s: the destination is not a directory",
				      op->opt, op->src, op->dest);
	if (want == WANT_FILE && S_ISDIR(st.st_mode))
		return bwrap ? sb_err(EISDIR, "Destination is not a file %s", op->dest)
			     : sb_err(EISDIR, "%s %s %s: the destination is a directory",
				      op->opt, op->src, op->dest);
	return 0;
}

/* A recursive bind whose submounts cannot all be made read-only: with
 * --not-a-security-boundary, the top mount alone is, and a warning says so. */
static int clone_tree_fail_open(const struct mount_op *op, const char *src,
				unsigned int attrs, int err)
{
	struct mount_attr ma = { .attr_set = attrs };
	int mfd = clone_tree(src, 0);

	if (mfd < 0)
		return mfd;
	if (mount_setattr(mfd, "", AT_EMPTY_PATH, &ma, sizeof ma) < 0) {
		int e = errno;
		close(mfd);
		return -e;
	}
	sb_warn("%s %s: cannot set the mount attributes of its submounts (%s), "
		"ignoring the error (--not-a-security-boundary)", op->opt, op->src, strerror(-err));
	return mfd;
}

static int do_bind(int rootfd, const struct sandbox_spec *spec, const struct mount_op *op,
		   const char *src)
{
	unsigned int attrs = MOUNT_ATTR_NOSUID;
	struct stat st;
	int mfd, dfd, r;

	if (op->kind != MOP_DEV_BIND)
		attrs |= MOUNT_ATTR_NODEV;
	if (op->kind == MOP_RO_BIND)
		attrs |= MOUNT_ATTR_RDONLY;
	if (op->by_fd) {
		/* the object open at the fd, never whatever its path names now */
		int hfd = reopen_host_fd(op->fd, O_PATH);
		if (hfd == -ESTALE)
			return sb_err(ESTALE, "%s %d: what the descriptor refers to is no longer "
				      "at %s (moved or replaced while the sandbox started): "
				      "nothing was bound", op->opt, op->fd, op->src);
		mfd = hfd < 0 ? hfd : clone_at(hfd, "", AT_EMPTY_PATH, attrs);
		if (hfd >= 0)
			close(hfd);
	} else {
		mfd = clone_tree(src, attrs);
	}
	if (mfd < 0 && !op->by_fd && spec->not_a_security_boundary)
		mfd = clone_tree_fail_open(op, src, attrs, mfd);
	if (mfd == -ENOENT && op->try_ && !op->by_fd)
		return 0; /* a /proc/self source that pid 1 does not have */
	if (mfd < 0)
		return sb_err(-mfd, "%s %s: cannot bind it: %s", op->opt, op->src, strerror(-mfd));
	if (fstat(mfd, &st) < 0)
		st.st_mode = S_IFDIR;
	if (!dest_is_root(op->dest) &&
	    (r = check_dest(rootfd, op, S_ISDIR(st.st_mode) ? WANT_DIR : WANT_FILE, true,
			    spec->personality == PERSONALITY_BWRAP)) < 0) {
		close(mfd);
		return r;
	}
	dfd = S_ISDIR(st.st_mode) ? mkdir_in_root(rootfd, op->dest) : file_in_root(rootfd, op->dest);
	if (dfd < 0) {
		close(mfd);
		return sb_err(-dfd, "%s %s %s: cannot create the mount point: %s%s", op->opt,
			      op->src, op->dest, strerror(-dfd),
			      dfd == -EROFS ? " (the root is read-only)" : "");
	}
	r = attach(mfd, dfd);
	close(mfd);
	close(dfd);
	if (r < 0)
		return sb_err(-r, "%s %s %s: %s", op->opt, op->src, op->dest, strerror(-r));
	return 0;
}

/* --symlink over something else: bwrap's words for the two cases. */
static int symlink_exists(const struct mount_op *op, ssize_t n, const char *target, bool bwrap)
{
	if (!bwrap)
		return sb_err(EEXIST, "--symlink %s %s: %s", op->src, op->dest,
			      n < 0 ? "the destination exists and is not a symlink"
				    : "the destination is a symlink to something else");
	if (n < 0)
		return sb_err(EEXIST, "Can't make symlink at %s: destination exists and is not a symlink",
			      op->dest);
	return sb_err(EEXIST, "Can't make symlink at %s: existing destination is %s", op->dest, target);
}

static int do_symlink(int rootfd, const struct mount_op *op, bool bwrap)
{
	char *leaf = NULL, target[PATH_MAX];
	int pfd, r = 0;
	ssize_t n = -1;

	pfd = open_parent(rootfd, op->dest, &leaf);
	if (pfd < 0) {
		free(leaf);
		return sb_err(-pfd, "--symlink %s %s: %s", op->src, op->dest, strerror(-pfd));
	}
	if (symlinkat(op->src, pfd, leaf) < 0) {
		r = errno;
		/* an identical link already there is fine */
		if (r == EEXIST && (n = readlinkat(pfd, leaf, target, sizeof target - 1)) >= 0) {
			target[n] = '\0';
			if (strcmp(target, op->src) == 0)
				r = 0;
		}
	}
	close(pfd);
	free(leaf);
	if (r == EEXIST)
		return symlink_exists(op, n, target, bwrap);
	if (r)
		return sb_err(r, "--symlink %s %s: %s", op->src, op->dest, strerror(r));
	return 0;
}

/* --file: a new file in the sandbox with the content read at start. */
static int do_file(int rootfd, const struct mount_op *op)
{
	char *leaf = NULL;
	int pfd, fd, r;

	pfd = open_parent(rootfd, op->dest, &leaf);
	if (pfd < 0) {
		free(leaf);
		return sb_err(-pfd, "--file %s: %s", op->dest, strerror(-pfd));
	}
	fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    op->perms_set ? op->perms : 0666);
	r = fd < 0 ? -errno : write_all(fd, op->data, op->data_len);
	if (fd >= 0)
		close(fd);
	close(pfd);
	free(leaf);
	if (r < 0)
		return sb_err(-r, "--file %s: %s", op->dest, strerror(-r));
	return 0;
}

/* The mount point of a generated file (/etc/resolv.conf, /etc/hosts of
 * --net) whose DEST is a dangling symbolic link, as on hosts where
 * /etc/resolv.conf points into /run: the link's target, created (once,
 * one link deep) inside the new root. */
static int generated_mount_point(int rootfd, const char *dest)
{
	char *leaf = NULL, target[PATH_MAX], *path;
	int pfd, fd;
	ssize_t n;

	pfd = open_parent(rootfd, dest, &leaf);
	if (pfd < 0) {
		free(leaf);
		return pfd;
	}
	n = readlinkat(pfd, leaf, target, sizeof target - 1);
	close(pfd);
	if (n <= 0) {
		free(leaf);
		return -ENOENT;
	}
	target[n] = '\0';
	if (target[0] == '/') {
		path = xstrdup(target);
	} else {
		/* relative to DEST's directory */
		const char *slash = strrchr(dest, '/');
		path = xasprintf("%.*s/%s", slash ? (int)(slash - dest) : 0, dest, target);
	}
	free(leaf);
	fd = file_in_root(rootfd, path);
	free(path);
	return fd;
}

/* --bind-data, --ro-bind-data, and the generated files: the content goes
 * to a file in the staging root, which is bound on DEST. */
static int do_bind_data(int rootfd, const struct mount_op *op, size_t i)
{
	char name[64];
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	int fd, mfd, dfd, r;

	snprintf(name, sizeof name, "/data-%zu", i);
	fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, op->perms_set ? op->perms : 0600);
	if (fd < 0)
		return sb_err(errno, "%s %s: %s", op->opt, op->dest, strerror(errno));
	r = write_all(fd, op->data, op->data_len);
	close(fd);
	if (r < 0)
		return sb_err(-r, "%s %s: %s", op->opt, op->dest, strerror(-r));
	if (op->ro)
		ma.attr_set |= MOUNT_ATTR_RDONLY;
	mfd = open_tree(AT_FDCWD, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (mfd < 0 || mount_setattr(mfd, "", AT_EMPTY_PATH, &ma, sizeof ma) < 0) {
		r = errno;
		if (mfd >= 0)
			close(mfd);
		return sb_err(r, "%s %s: %s", op->opt, op->dest, strerror(r));
	}
	dfd = file_in_root(rootfd, op->dest);
	if (dfd == -ENOENT && op->generated)
		dfd = generated_mount_point(rootfd, op->dest);
	if (dfd < 0 && op->generated) {
		/* a read-only root without the file: keep going without it */
		sb_warn("%s: no generated %s: cannot make a mount point for it in the sandbox's "
			"root (%s)", op->opt, op->dest, strerror(-dfd));
		close(mfd);
		unlink(name);
		return 0;
	}
	if (dfd < 0) {
		close(mfd);
		return sb_err(-dfd, "%s %s: cannot create the mount point: %s", op->opt, op->dest,
			      strerror(-dfd));
	}
	r = attach(mfd, dfd);
	close(mfd);
	close(dfd);
	unlink(name);
	if (r < 0)
		return sb_err(-r, "%s %s: %s", op->opt, op->dest, strerror(-r));
	return 0;
}

/* chmod the object open at O_PATH fd FD: fchmodat2 (6.6) takes the fd
 * itself; else its magic link under PROC */
static int chmod_fd(int fd, mode_t mode, const char *proc)
{
	char path[64];

#ifdef SYS_fchmodat2
	if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
		return 0;
#endif
	snprintf(path, sizeof path, "%s/self/fd/%d", proc, fd);
	return chmod(path, mode) < 0 ? -errno : 0;
}

static int do_chmod(int rootfd, const struct mount_op *op)
{
	int fd, r;

	fd = openat2_(rootfd, op->dest, O_PATH | O_CLOEXEC, IN_ROOT);
	if (fd < 0)
		return sb_err(-fd, "--chmod %04o %s: %s", (unsigned)op->perms, op->dest, strerror(-fd));
	r = chmod_fd(fd, op->perms, "/oldroot/proc");
	close(fd);
	if (r < 0)
		return sb_err(-r, "--chmod %04o %s: %s", (unsigned)op->perms, op->dest, strerror(-r));
	return 0;
}

/* --overlay RWSRC WORKDIR: host directories that a payload has written
 * (the upper one's parent may well be bound writable too), opened without
 * following a link, to be handed to the kernel as fds. */
static int open_rw_layers(const struct mount_op *op, char **real, int *upfd, int *wkfd)
{
	int r;

	*upfd = open_host_path(real[op->n_lowers], O_RDONLY | O_DIRECTORY);
	*wkfd = *upfd < 0 ? -1 : open_host_path(real[op->n_lowers + 1], O_RDONLY | O_DIRECTORY);
	if (*upfd >= 0 && *wkfd >= 0)
		return 0;
	r = *upfd < 0 ? *upfd : *wkfd;
	if (*upfd >= 0)
		close(*upfd);
	*upfd = -1;
	return sb_err(-r, "%s %s %s: %s%s", op->opt, op->src, op->work, strerror(-r),
		      r == -ELOOP ? " (a symbolic link was put on its path)" : "");
}

/* bwrap's overlays: --overlay-src layers (bottom first) under an upper
 * directory of the host, a tmpfs, or nothing (read-only). */
static int do_overlay(int rootfd, const struct mount_op *op, char **real, size_t i)
{
	static const char *const tmp_opts_[] = { "mode", "0755", NULL };
	char upper[48], work[96], **lower, why[1024] = "";
	int fsfd, mfd, dfd, upfd = -1, wkfd = -1, r = 0;
	size_t j;

	if (op->ovl == OVL_TMP) {
		snprintf(upper, sizeof upper, "/overlay-%zu", i);
		if (mkdir(upper, 0755) < 0 || (dfd = open(upper, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			return sb_err(errno, "%s %s: %s", op->opt, op->dest, strerror(errno));
		r = mount_new_fs(dfd, "tmpfs", tmp_opts_, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
		close(dfd);
		if (r < 0)
			return sb_err(-r, "%s %s: tmpfs: %s", op->opt, op->dest, strerror(-r));
		snprintf(work, sizeof work, "%s/work", upper);
		strncat(upper, "/upper", sizeof upper - strlen(upper) - 1);
		/* not O_PATH: FSCONFIG_SET_FD takes no such fd */
		if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 ||
		    (upfd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		    (wkfd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			r = -errno;
			goto out;
		}
	} else if (op->ovl == OVL_RW && (r = open_rw_layers(op, real, &upfd, &wkfd)) < 0) {
		return r;
	}
	/* the kernel lists lowerdir top first: bwrap's order reversed */
	lower = xmalloc(op->n_lowers * sizeof *lower);
	for (j = 0; j < op->n_lowers; j++)
		lower[j] = xasprintf("/oldroot%s", real[op->n_lowers - 1 - j]);
	fsfd = overlay_context((const char *const *)lower, op->n_lowers, upfd, wkfd, why,
			       sizeof why);
	for (j = 0; j < op->n_lowers; j++)
		free(lower[j]);
	free(lower);
	if (fsfd < 0) {
		r = fsfd;
		goto out;
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		      (op->ovl == OVL_RO ? MOUNT_ATTR_RDONLY : 0));
	r = mfd < 0 ? -errno : 0;
	close(fsfd);
	if (r < 0)
		goto out;
	dfd = mkdir_in_root(rootfd, op->dest);
	if (dfd < 0) {
		close(mfd);
		r = dfd;
		goto out;
	}
	r = attach(mfd, dfd);
	close(mfd);
	close(dfd);
out:
	if (upfd >= 0)
		close(upfd);
	if (wkfd >= 0)
		close(wkfd);
	if (r < 0)
		return sb_err(-r, "%s %s: %s", op->opt, op->dest, *why ? why : strerror(-r));
	return 0;
}

/* bubblewrap 0.12 checks every operation's existing DEST (binds check
 * theirs in do_bind, once the source's type is known). */
static int bwrap_check_dest(int rootfd, const struct mount_op *op)
{
	switch (op->kind) {
	case MOP_TMPFS: case MOP_PROC: case MOP_DEV: case MOP_MQUEUE: case MOP_OVERLAY:
		return check_dest(rootfd, op, WANT_DIR, true, true);
	case MOP_DIR:
		return check_dest(rootfd, op, WANT_DIR, false, true);
	case MOP_FILE:
		return check_dest(rootfd, op, WANT_FILE, false, true);
	case MOP_BIND_DATA:
		return check_dest(rootfd, op, WANT_FILE, true, true);
	case MOP_REMOUNT_RO:
		return check_dest(rootfd, op, WANT_ANY, true, true);
	default:
		return 0;
	}
}

static int do_op(int *rootfd, const struct sandbox_spec *spec, size_t i,
		 const struct mount_plan *mp)
{
	const struct mount_op *op = &spec->ops[i];
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd, r = 0;

	if (spec->personality == PERSONALITY_BWRAP && op->dest && !dest_is_root(op->dest) &&
	    (r = bwrap_check_dest(*rootfd, op)) < 0)
		return r;

	switch (op->kind) {
	case MOP_BIND:
	case MOP_RO_BIND:
	case MOP_DEV_BIND:
		if (!mp->src_real[i])
			return 0; /* -try with a missing source */
		/* do_bind names the option in its messages */
		return do_bind(*rootfd, spec, op, mp->src_real[i]);
	case MOP_TMPFS: {
		char mode[16], size[32], uid[16], gid[16];
		const char *o[9] = { "mode", mode };
		size_t k = 2;
		snprintf(mode, sizeof mode, "%04o", op->perms_set ? (unsigned)op->perms : 0755u);
		snprintf(size, sizeof size, "%llu", (unsigned long long)op->size);
		snprintf(uid, sizeof uid, "%u", (unsigned)mp->payload_uid);
		snprintf(gid, sizeof gid, "%u", (unsigned)mp->payload_gid);
		if (op->size) {
			o[k++] = "size";
			o[k++] = size;
		}
		if (op->payload_owned) {
			o[k++] = "uid";
			o[k++] = uid;
			o[k++] = "gid";
			o[k++] = gid;
		}
		r = mount_at(*rootfd, op->dest, "tmpfs", o, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
		break;
	}
	case MOP_MQUEUE:
		r = mount_at(*rootfd, op->dest, "mqueue", NULL,
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
		break;
	case MOP_FILE:
		return do_file(*rootfd, op);
	case MOP_BIND_DATA:
		return do_bind_data(*rootfd, op, i);
	case MOP_CHMOD:
		return do_chmod(*rootfd, op);
	case MOP_OVERLAY:
		return do_overlay(*rootfd, op, (char **)mp->src_real[i], i);
	case MOP_PROC:
		r = mount_proc(*rootfd, op->dest, spec->personality == PERSONALITY_BWRAP,
			       spec->share_pid);
		break;
	case MOP_DEV:
		r = setup_dev(*rootfd, op->dest, spec->personality == PERSONALITY_BWRAP,
			      mp->console);
		break;
	case MOP_DIR:
		fd = openat2_(*rootfd, op->dest, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
		if (fd == -ENOENT && op->perms_set) {
			/* a new directory gets --perms; an existing one is left alone */
			char *leaf = NULL;
			int pfd = open_parent(*rootfd, op->dest, &leaf);
			fd = pfd < 0 ? pfd : mkdirat(pfd, leaf, op->perms) < 0 ? -errno : 0;
			if (pfd >= 0)
				close(pfd);
			free(leaf);
			if (fd == 0)
				fd = openat2_(*rootfd, op->dest, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
		} else if (fd == -ENOENT) {
			fd = mkdir_in_root(*rootfd, op->dest);
		}
		if (fd < 0)
			return sb_err(-fd, "--dir %s: %s", op->dest, strerror(-fd));
		close(fd);
		return 0;
	case MOP_SYMLINK:
		return do_symlink(*rootfd, op, spec->personality == PERSONALITY_BWRAP);
	case MOP_HIDE:
		return hide_path(*rootfd, op->dest, op->opt);
	case MOP_REMOUNT_RO:
		fd = openat2_(*rootfd, op->dest, O_PATH | O_CLOEXEC, IN_ROOT);
		if (fd < 0)
			return sb_err(-fd, "--remount-ro %s: %s", op->dest, strerror(-fd));
		/* only that mount, not those below it (bwrap 0.11) */
		r = mount_setattr(fd, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0 ? -errno : 0;
		close(fd);
		if (r < 0)
			return sb_err(-r, "--remount-ro %s: %s", op->dest, strerror(-r));
		return 0;
	}
	if (r < 0)
		return sb_errctx(r, "%s", op->opt);
	return 0;
}

static int reopen_root(int *rootfd)
{
	int fd = open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sb_err(errno, "/newroot: %s", strerror(errno));
	if (*rootfd >= 0)
		close(*rootfd);
	*rootfd = fd;
	return 0;
}

static bool dest_is_root(const char *dest)
{
	for (; *dest; dest++)
		if (*dest != '/' && *dest != '.')
			return false;
	return true;
}

/* In the user-namespace child, before the pid namespace: the staging
 * root, and the root filesystem at /newroot (a bind, or an overlay whose
 * fuse-overlayfs server must live outside the payload's pid namespace). */
int mounts_stage(const struct sandbox_spec *spec, const struct mount_plan *mp,
		 struct overlay_run *ov)
{
	/* no device node of the host's is usable but the minimal /dev's */
	unsigned int rattrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	int rfd, mfd, r;

	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return sb_err(errno, "cannot make / a slave mount: %s", strerror(errno));
	/* bwrap: the root is a directory of this tmpfs, mounted as bubblewrap
	 * mounts it (no mode: the kernel's default) */
	if (mount("tmpfs", BASE, "tmpfs", MS_NOSUID | MS_NODEV,
		  spec->rootfs_mode == ROOTFS_EMPTY ? NULL : "mode=0755") < 0)
		return sb_err(errno, "cannot mount the staging tmpfs on " BASE ": %s", strerror(errno));
	if (mkdir(BASE "/newroot", 0755) < 0 || mkdir(BASE "/oldroot", 0755) < 0)
		return sb_err(errno, "cannot create the staging directories: %s", strerror(errno));
	if (syscall(SYS_pivot_root, BASE, BASE "/oldroot") < 0)
		return sb_err(errno, "pivot_root into the staging tmpfs: %s", strerror(errno));
	if (chdir("/") < 0)
		return sb_err(errno, "chdir /: %s", strerror(errno));
	sb_step("staging root ready");

	if (spec->rootfs_mode == ROOTFS_OVERLAY)
		return overlay_mount(spec, mp, ov);
	if (spec->rootfs_mode == ROOTFS_EMPTY) {
		/* bwrap: the empty directory /newroot of the staging tmpfs,
		 * bound on itself, built up by the operations */
		mfd = open_tree(AT_FDCWD, "/newroot", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		r = mfd < 0 ? -errno : move_mount(mfd, "", AT_FDCWD, "/newroot",
						  MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
		if (mfd >= 0)
			close(mfd);
		if (r < 0)
			return sb_err(-r, "cannot bind the root directory: %s", strerror(-r));
		return 0;
	}

	if (spec->rootfs_mode != ROOTFS_RW)
		rattrs |= MOUNT_ATTR_RDONLY;
	/* a realpath: a link on it now (--rootfs-rw lets a payload write
	 * next to it) was put there since preflight */
	rfd = open_host_path(mp->rootfs_real ? mp->rootfs_real : "/", O_PATH | O_DIRECTORY);
	mfd = rfd < 0 ? rfd : clone_at(rfd, "", AT_EMPTY_PATH, rattrs);
	if (rfd >= 0)
		close(rfd);
	if (mfd < 0)
		return sb_err(-mfd, "%s %s: cannot bind it: %s", spec->rootfs ? "--rootfs" : "host root",
			      spec->rootfs ? spec->rootfs : "/", strerror(-mfd));
	r = move_mount(mfd, "", AT_FDCWD, "/newroot", MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
	close(mfd);
	if (r < 0)
		return sb_err(-r, "cannot attach the root filesystem: %s", strerror(-r));
	sb_step("root filesystem bound (%s)", spec->rootfs_mode == ROOTFS_RW ? "read-write" : "read-only");
	return 0;
}

/* In pid 1: /proc, /dev, /tmp, /run, /sys, the operations, pivot_root. */
int mounts_finish_root(const struct sandbox_spec *spec, const struct mount_plan *mp)
{
	int rootfd = -1, r;
	size_t i;

	if ((r = reopen_root(&rootfd)) < 0)
		return r;

	/* the standard mounts (the native personality's; bwrap builds only
	 * what its options ask) */
	if (spec->personality == PERSONALITY_BWRAP)
		goto ops;
	if ((r = mount_proc(rootfd, "/proc", false, spec->share_pid)) < 0 ||
	    (r = setup_dev(rootfd, "/dev", false, NULL)) < 0 ||
	    (r = mount_at(rootfd, "/tmp", "tmpfs", tmp_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0 ||
	    (r = mount_at(rootfd, "/run", "tmpfs", run_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0)
		goto fail;
	if (!spec->share_net) {
		r = mount_at(rootfd, "/sys", "sysfs", NULL, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	} else {
		struct mount_op sys = { .kind = MOP_RO_BIND, .src = "/sys", .dest = "/sys",
					.opt = "/sys" };
		r = do_bind(rootfd, spec, &sys, "/sys");
	}
	/* with limits, the payload's own cgroup (its cgroup namespace's
	 * root) at /sys/fs/cgroup, to subdivide for a build or a sandbox */
	if (r == 0 && !spec->share_net && !spec->share_cgroup && spec->cg.first_opt)
		r = mount_at(rootfd, "/sys/fs/cgroup", "cgroup2", NULL,
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (r < 0)
		goto fail;
	sb_step("/proc, /dev, /tmp, /run, /sys mounted");
	if ((r = home_apply(rootfd, spec, mp)) < 0)
		goto fail;
ops:

	for (i = 0; i < spec->n_ops; i++) {
		const struct mount_op *op = &spec->ops[i];

		parent_mode = 0755;
		if (op->perms_set && op->kind != MOP_CHMOD) {
			if (!(op->perms & 070))
				parent_mode &= ~070;
			if (!(op->perms & 07))
				parent_mode &= ~07;
		}
		r = do_op(&rootfd, spec, i, mp);
		parent_mode = 0755;
		if (r < 0)
			goto fail;
		if (spec->ops[i].dest && dest_is_root(spec->ops[i].dest) &&
		    (r = reopen_root(&rootfd)) < 0)
			goto fail;
	}
	if (spec->n_ops)
		sb_step("%zu mount operation%s applied", spec->n_ops, spec->n_ops == 1 ? "" : "s");
	if ((r = hide_defaults(rootfd, mp)) < 0)
		goto fail;
	close(rootfd);
	rootfd = -1;

	/* Switch: the staging root is stacked on /newroot and detached with
	 * the host tree under it. */
	if (chdir("/newroot") < 0)
		return sb_err(errno, "chdir /newroot: %s", strerror(errno));
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return sb_err(errno, "pivot_root into the new root: %s", strerror(errno));
	if (umount2(".", MNT_DETACH) < 0)
		return sb_err(errno, "cannot detach the old root: %s", strerror(errno));
	if (chdir("/") < 0)
		return sb_err(errno, "chdir / in the new root: %s", strerror(errno));
	sb_step("pivot_root done, old root detached");
	return 0;
fail:
	if (rootfd >= 0)
		close(rootfd);
	return r;
}
