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

static int openat2_(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
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
		mp->src_real[i] = realpath(op->src, NULL);
		if (!mp->src_real[i] && !(op->try_ && errno == ENOENT))
			return sb_err(errno, "%s %s: %s", op->opt, op->src, strerror(errno));
	}
	if (getcwd(buf, sizeof buf))
		mp->cwd = xstrdup(buf);
	return 0;
}

/* mkdir -p DEST under ROOTFD; returns an O_PATH fd of the directory. */
static int mkdir_in_root(int rootfd, const char *path)
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

/* Clone the tree at host path SRC (under /oldroot) with ATTRS set on every
 * mount of it. */
int clone_tree(const char *src, unsigned int attrs)
{
	struct mount_attr ma = { .attr_set = attrs };
	char *path = xasprintf("/oldroot%s", strcmp(src, "/") == 0 ? "" : src);
	int mfd, e;

	mfd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	e = errno;
	free(path);
	if (mfd < 0)
		return -e;
	if (attrs && mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof ma) < 0) {
		e = errno;
		close(mfd);
		return -e;
	}
	return mfd;
}

static int bind_dev_node(int devfd, const char *name)
{
	char *src = xasprintf("/dev/%s", name);
	int mfd, dfd, r;

	dfd = openat(devfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (dfd < 0) {
		r = -errno;
		free(src);
		return r;
	}
	close(dfd);
	dfd = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	mfd = clone_tree(src, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	free(src);
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
 * /dev/shm, and the usual links. */
static int setup_dev(int rootfd, const char *dest)
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
	int dfd, devfd = -1, sub = -1, r;
	size_t i;

	dfd = mkdir_in_root(rootfd, dest);
	if (dfd < 0)
		return sb_err(-dfd, "cannot create %s: %s", dest, strerror(-dfd));
	r = mount_new_fs(dfd, "tmpfs", tmpfs_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	close(dfd);
	if (r < 0)
		return sb_err(-r, "cannot mount a tmpfs on %s: %s", dest, strerror(-r));
	devfd = openat2_(rootfd, dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
	if (devfd < 0)
		return sb_err(-devfd, "%s: %s", dest, strerror(-devfd));
	for (i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
		if ((r = bind_dev_node(devfd, nodes[i])) < 0) {
			close(devfd);
			return sb_err(-r, "cannot bind /dev/%s into %s: %s", nodes[i], dest,
				      strerror(-r));
		}
	for (i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0) {
			r = errno;
			close(devfd);
			return sb_err(r, "cannot create %s/%s: %s", dest, links[i][1], strerror(r));
		}
	if (mkdirat(devfd, "pts", 0755) < 0 || mkdirat(devfd, "shm", 01777) < 0 ||
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
 * go through. */
static int cover_proc(int rootfd, const char *dest)
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
static int mount_proc(int rootfd, const char *dest, bool cover, bool share_pid)
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
	return cover ? cover_proc(rootfd, dest) : 0;
}

static const char *const tmp_opts[] = { "mode", "1777", NULL };
static const char *const run_opts[] = { "mode", "0755", NULL };

static int do_bind(int rootfd, const struct mount_op *op, const char *src)
{
	unsigned int attrs = MOUNT_ATTR_NOSUID;
	struct stat st;
	int mfd, dfd, r;

	if (op->kind != MOP_DEV_BIND)
		attrs |= MOUNT_ATTR_NODEV;
	if (op->kind == MOP_RO_BIND)
		attrs |= MOUNT_ATTR_RDONLY;
	mfd = clone_tree(src, attrs);
	if (mfd < 0)
		return sb_err(-mfd, "%s %s: cannot bind it: %s", op->opt, op->src, strerror(-mfd));
	if (fstat(mfd, &st) < 0)
		st.st_mode = S_IFDIR;
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

static int do_symlink(int rootfd, const struct mount_op *op)
{
	char *leaf = NULL, target[PATH_MAX];
	int pfd, r = 0;
	ssize_t n;

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
	if (r)
		return sb_err(r, "--symlink %s %s: %s", op->src, op->dest, strerror(r));
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
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

static int do_chmod(int rootfd, const struct mount_op *op)
{
	char path[64];
	int fd, r = 0;

	fd = openat2_(rootfd, op->dest, O_PATH | O_CLOEXEC, IN_ROOT);
	if (fd < 0)
		return sb_err(-fd, "--chmod %04o %s: %s", (unsigned)op->perms, op->dest, strerror(-fd));
	/* fchmodat2 (6.6) takes the O_PATH fd itself; else its magic link */
	if (syscall(452 /* fchmodat2 */, fd, "", op->perms, AT_EMPTY_PATH) < 0) {
		snprintf(path, sizeof path, "/oldroot/proc/self/fd/%d", fd);
		if (chmod(path, op->perms) < 0)
			r = errno;
	}
	close(fd);
	if (r)
		return sb_err(r, "--chmod %04o %s: %s", (unsigned)op->perms, op->dest, strerror(r));
	return 0;
}

/* bwrap's overlays: --overlay-src layers (bottom first) under an upper
 * directory of the host, a tmpfs, or nothing (read-only). */
static int do_overlay(int rootfd, const struct mount_op *op, char **real, size_t i)
{
	static const char *const tmp_opts_[] = { "mode", "0755", NULL };
	char upper[48], work[96], *up = NULL, *wk = NULL, **lower, why[1024] = "";
	int fsfd, mfd, dfd, r = 0;
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
		if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
			return sb_err(errno, "%s %s: %s", op->opt, op->dest, strerror(errno));
		up = xstrdup(upper);
		wk = xstrdup(work);
	} else if (op->ovl == OVL_RW) {
		up = xasprintf("/oldroot%s", real[op->n_lowers]);
		wk = xasprintf("/oldroot%s", real[op->n_lowers + 1]);
	}
	/* the kernel lists lowerdir top first: bwrap's order reversed */
	lower = xmalloc(op->n_lowers * sizeof *lower);
	for (j = 0; j < op->n_lowers; j++)
		lower[j] = xasprintf("/oldroot%s", real[op->n_lowers - 1 - j]);
	fsfd = overlay_context((const char *const *)lower, op->n_lowers, up, wk, why, sizeof why);
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
	free(up);
	free(wk);
	if (r < 0)
		return sb_err(-r, "%s %s: %s", op->opt, op->dest, *why ? why : strerror(-r));
	return 0;
}

static int do_op(int *rootfd, const struct sandbox_spec *spec, size_t i,
		 const struct mount_plan *mp)
{
	const struct mount_op *op = &spec->ops[i];
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd, r = 0;

	switch (op->kind) {
	case MOP_BIND:
	case MOP_RO_BIND:
	case MOP_DEV_BIND:
		if (!mp->src_real[i])
			return 0; /* -try with a missing source */
		r = do_bind(*rootfd, op, mp->src_real[i]);
		break;
	case MOP_TMPFS: {
		char mode[16], size[32];
		const char *o[] = { "mode", mode, op->size ? "size" : NULL, size, NULL };
		snprintf(mode, sizeof mode, "%04o", op->perms_set ? (unsigned)op->perms : 0755u);
		snprintf(size, sizeof size, "%llu", (unsigned long long)op->size);
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
		/* bwrap covers the same parts of every /proc it mounts */
		r = mount_proc(*rootfd, op->dest, true, spec->share_pid);
		break;
	case MOP_DEV:
		r = setup_dev(*rootfd, op->dest);
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
		return do_symlink(*rootfd, op);
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
	int mfd, r;

	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return sb_err(errno, "cannot make / a slave mount: %s", strerror(errno));
	if (mount("tmpfs", BASE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
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
		/* bwrap: an empty tmpfs, built up by the operations */
		static const char *const opts[] = { "mode", "0755", NULL };
		int dfd = open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
		r = dfd < 0 ? -errno : mount_new_fs(dfd, "tmpfs", opts,
						     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
		if (dfd >= 0)
			close(dfd);
		if (r < 0)
			return sb_err(-r, "cannot mount the root tmpfs: %s", strerror(-r));
		return 0;
	}

	if (spec->rootfs_mode != ROOTFS_RW)
		rattrs |= MOUNT_ATTR_RDONLY;
	mfd = clone_tree(mp->rootfs_real ? mp->rootfs_real : "/", rattrs);
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
	if ((r = mount_proc(rootfd, "/proc", true, spec->share_pid)) < 0 ||
	    (r = setup_dev(rootfd, "/dev")) < 0 ||
	    (r = mount_at(rootfd, "/tmp", "tmpfs", tmp_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0 ||
	    (r = mount_at(rootfd, "/run", "tmpfs", run_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0)
		goto fail;
	if (!spec->share_net) {
		r = mount_at(rootfd, "/sys", "sysfs", NULL, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	} else {
		struct mount_op sys = { .kind = MOP_RO_BIND, .src = "/sys", .dest = "/sys",
					.opt = "/sys" };
		r = do_bind(rootfd, &sys, "/sys");
	}
	if (r < 0)
		goto fail;
	sb_step("/proc, /dev, /tmp, /run, /sys mounted");
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
