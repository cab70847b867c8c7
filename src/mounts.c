/* mounts.c - the new root: staging tmpfs, rootfs, the native standard
 * mounts (/proc /dev /tmp /run /sys), the mount operations in plan order,
 * pivot_root.
 *
 * Runs in pid 1 (mounts_stage in the user-namespace child before it), in
 * the sandbox's mount namespace, with the capabilities of the new user
 * namespace.  Layout while building:
 *
 *     /            a private tmpfs (the staging area)
 *     /oldroot     the host's root, where sources are looked up
 *     /newroot     the root being built
 *
 * Every destination is resolved under /newroot by mountfd.c's primitives
 * (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): a symlink or ".." in
 * the rootfs can never lead out of it.  Mounts are attached by fd with the
 * new mount API, so read-only and the other attributes are applied to a
 * whole subtree in one call, without reading the mount table.
 *
 * Builds on mountfd.c; /dev and /proc are mountdev.c's, overlays
 * overlay.c's, hides and --home hide.c's.  None of them calls back here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "sandbox.h"

#define BASE "/tmp"

/* The walk over the operations (mounts_finish_root): what each needs. */
struct walk {
	const struct sandbox_spec *spec;
	const struct mount_plan *mp;
	int rootfd;             /* the new root, as /newroot is now */
	bool bwrap;             /* the bwrap personality */
	/* mode of missing parent directories: 0755, less the group or other
	 * bits that a --perms on the operation clears (bwrap's rule) */
	mode_t pmode;
};

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
	int r;

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
			/* the list of its layers, for overlay_op_mount */
			if ((r = overlay_op_preflight(op, &mp->src_real[i])) < 0)
				return r;
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

/* bubblewrap makes DEST's parents, then DEST: "Can't mkdir parents for
 * DEST" when the parent is still missing, else "Can't create file DEST"
 * (its words for a directory too), with ERR's text. */
int bwrap_mkdest_err(int rootfd, const char *dest, int err)
{
	_cleanup_free_ char *parent = xstrdup(dest);
	size_t n = strlen(parent);
	char *slash;
	int fd;

	while (n > 1 && parent[n - 1] == '/')
		parent[--n] = '\0';
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	fd = open_in_root(rootfd, slash && *parent ? parent : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sb_err(-err, "Can't mkdir parents for %s: %s", dest, strerror(-err));
	close(fd);
	return sb_err(-err, "Can't create file %s: %s", dest, strerror(-err));
}

/* A new filesystem of TYPE on DEST (made, missing directories with PMODE). */
static int mount_at(int rootfd, const char *dest, mode_t pmode, const char *type,
		    const char *const *opts, unsigned int attrs, bool bwrap)
{
	int dfd = mkdir_in_root_mode(rootfd, dest, pmode), r;

	if (dfd < 0 && bwrap)
		return bwrap_mkdest_err(rootfd, dest, dfd);
	if (dfd < 0)
		return sb_err(-dfd, "cannot create %s: %s%s", dest, strerror(-dfd),
			      dfd == -EROFS ? " (the root is read-only: create it in the rootfs, "
					      "or use --rootfs-rw)" : "");
	r = mount_new_fs(dfd, type, opts, attrs);
	close(dfd);
	if (r < 0)
		return sb_err(-r, bwrap ? "Can't mount %s on %s: %s" : "cannot mount %s on %s: %s",
			      type, dest, strerror(-r));
	return 0;
}

static const char *const tmp_opts[] = { "mode", "1777", NULL };
static const char *const run_opts[] = { "mode", "0755", NULL };

/* DEST names the root itself ("/", "//.", ...). */
static bool dest_is_root(const char *dest)
{
	for (; *dest; dest++)
		if (*dest != '/' && *dest != '.')
			return false;
	return true;
}

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

	fd = open_in_root(rootfd, op->dest, O_PATH | O_CLOEXEC | (bwrap ? O_NOFOLLOW : 0));
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

static int do_bind(const struct walk *w, const struct mount_op *op, const char *src)
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
	if (mfd < 0 && !op->by_fd && w->spec->not_a_security_boundary)
		mfd = clone_tree_fail_open(op, src, attrs, mfd);
	if (mfd == -ENOENT && op->try_ && !op->by_fd)
		return 0; /* a /proc/self source that pid 1 does not have */
	if (mfd < 0)
		return sb_err(-mfd, "%s %s: cannot bind it: %s", op->opt, op->src, strerror(-mfd));
	if (fstat(mfd, &st) < 0)
		st.st_mode = S_IFDIR;
	if (!dest_is_root(op->dest) &&
	    (r = check_dest(w->rootfd, op, S_ISDIR(st.st_mode) ? WANT_DIR : WANT_FILE, true,
			    w->bwrap)) < 0) {
		close(mfd);
		return r;
	}
	dfd = S_ISDIR(st.st_mode) ? mkdir_in_root_mode(w->rootfd, op->dest, w->pmode)
				  : file_in_root(w->rootfd, op->dest, w->pmode);
	if (dfd < 0 && w->bwrap) {
		close(mfd);
		return bwrap_mkdest_err(w->rootfd, op->dest, dfd);
	}
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

static int do_symlink(const struct walk *w, const struct mount_op *op)
{
	_cleanup_free_ char *leaf = NULL;
	char target[PATH_MAX];
	int pfd, r = 0;
	ssize_t n = -1;

	pfd = open_parent(w->rootfd, op->dest, w->pmode, &leaf);
	if (pfd < 0 && w->bwrap)
		return sb_err(-pfd, "Can't mkdir parents for %s: %s", op->dest, strerror(-pfd));
	if (pfd < 0)
		return sb_err(-pfd, "--symlink %s %s: %s", op->src, op->dest, strerror(-pfd));
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
	if (r == EEXIST)
		return symlink_exists(op, n, target, w->bwrap);
	if (r && w->bwrap)
		return sb_err(r, "Can't make symlink at %s: %s", op->dest, strerror(r));
	if (r)
		return sb_err(r, "--symlink %s %s: %s", op->src, op->dest, strerror(r));
	return 0;
}

/* --file: a new file in the sandbox with the content read at start. */
static int do_file(const struct walk *w, const struct mount_op *op)
{
	_cleanup_free_ char *leaf = NULL;
	int pfd, fd, r;

	pfd = open_parent(w->rootfd, op->dest, w->pmode, &leaf);
	if (pfd < 0 && w->bwrap)
		return sb_err(-pfd, "Can't mkdir parents for %s: %s", op->dest, strerror(-pfd));
	if (pfd < 0)
		return sb_err(-pfd, "--file %s: %s", op->dest, strerror(-pfd));
	fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    op->perms_set ? op->perms : 0666);
	r = fd < 0 ? -errno : write_all(fd, op->data, op->data_len);
	if (fd >= 0)
		close(fd);
	close(pfd);
	if (r < 0 && w->bwrap)
		return sb_err(-r, fd < 0 ? "Can't create file %s: %s" : "Can't write data to file %s: %s",
			      op->dest, strerror(-r));
	if (r < 0)
		return sb_err(-r, "--file %s: %s", op->dest, strerror(-r));
	return 0;
}

/* The mount point of a generated file (/etc/resolv.conf, /etc/hosts of
 * --net) whose DEST is a dangling symbolic link, as on hosts where
 * /etc/resolv.conf points into /run: the link's target, created (once,
 * one link deep) inside the new root. */
static int generated_mount_point(int rootfd, const char *dest, mode_t pmode)
{
	_cleanup_free_ char *leaf = NULL;
	char target[PATH_MAX], *path;
	int pfd, fd;
	ssize_t n;

	pfd = open_parent(rootfd, dest, pmode, &leaf);
	if (pfd < 0)
		return pfd;
	n = readlinkat(pfd, leaf, target, sizeof target - 1);
	close(pfd);
	if (n <= 0)
		return -ENOENT;
	target[n] = '\0';
	if (target[0] == '/') {
		path = xstrdup(target);
	} else {
		/* relative to DEST's directory */
		const char *slash = strrchr(dest, '/');
		path = xasprintf("%.*s/%s", slash ? (int)(slash - dest) : 0, dest, target);
	}
	fd = file_in_root(rootfd, path, pmode);
	free(path);
	return fd;
}

/* --bind-data, --ro-bind-data, and the generated files: the content goes
 * to a file in the staging root, which is bound on DEST. */
static int do_bind_data(const struct walk *w, const struct mount_op *op, size_t i)
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
	dfd = file_in_root(w->rootfd, op->dest, w->pmode);
	if (dfd == -ENOENT && op->generated)
		dfd = generated_mount_point(w->rootfd, op->dest, w->pmode);
	if (dfd < 0 && op->generated) {
		/* a read-only root without the file: keep going without it */
		sb_warn("%s: no generated %s: cannot make a mount point for it in the sandbox's "
			"root (%s)", op->opt, op->dest, strerror(-dfd));
		close(mfd);
		unlink(name);
		return 0;
	}
	if (dfd < 0 && w->bwrap) {
		close(mfd);
		return bwrap_mkdest_err(w->rootfd, op->dest, dfd);
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

static int do_chmod(int rootfd, const struct mount_op *op, bool bwrap)
{
	int fd, r;

	fd = open_in_root(rootfd, op->dest, O_PATH | O_CLOEXEC);
	if (fd < 0 && bwrap)
		return sb_err(-fd, "Can't open %s: %s", op->dest, strerror(-fd));
	if (fd < 0)
		return sb_err(-fd, "--chmod %04o %s: %s", (unsigned)op->perms, op->dest, strerror(-fd));
	r = chmod_fd(fd, op->perms, "/oldroot/proc");
	close(fd);
	if (r < 0 && bwrap)
		return sb_err(-r, "Can't chmod %#o %s: %s", (unsigned)op->perms, op->dest, strerror(-r));
	if (r < 0)
		return sb_err(-r, "--chmod %04o %s: %s", (unsigned)op->perms, op->dest, strerror(-r));
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

/* --tmpfs: mode 0755 unless --perms, and --size when given. */
static int do_tmpfs(const struct walk *w, const struct mount_op *op)
{
	char mode[16], size[32], uid[16], gid[16];
	const char *o[9] = { "mode", mode };
	size_t k = 2;

	snprintf(mode, sizeof mode, "%04o", op->perms_set ? (unsigned)op->perms : 0755u);
	snprintf(size, sizeof size, "%llu", (unsigned long long)op->size);
	if (op->size) {
		o[k++] = "size";
		o[k++] = size;
	}
	if (op->payload_owned) { /* the desktop's runtime dir: the payload's */
		snprintf(uid, sizeof uid, "%u", (unsigned)w->mp->payload_uid);
		snprintf(gid, sizeof gid, "%u", (unsigned)w->mp->payload_gid);
		o[k++] = "uid";
		o[k++] = uid;
		o[k++] = "gid";
		o[k++] = gid;
	}
	return mount_at(w->rootfd, op->dest, w->pmode, "tmpfs", o,
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, w->bwrap);
}

/* --dir: a new directory gets --perms; an existing one is left alone. */
static int do_dir(const struct walk *w, const struct mount_op *op)
{
	int fd;

	fd = open_in_root(w->rootfd, op->dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd == -ENOENT && op->perms_set) {
		_cleanup_free_ char *leaf = NULL;
		int pfd = open_parent(w->rootfd, op->dest, w->pmode, &leaf);
		fd = pfd < 0 ? pfd : mkdirat(pfd, leaf, op->perms) < 0 ? -errno : 0;
		if (pfd >= 0)
			close(pfd);
		if (fd == 0)
			fd = open_in_root(w->rootfd, op->dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else if (fd == -ENOENT) {
		fd = mkdir_in_root_mode(w->rootfd, op->dest, w->pmode);
	}
	if (fd < 0 && w->bwrap)
		return bwrap_mkdest_err(w->rootfd, op->dest, fd);
	if (fd < 0)
		return sb_err(-fd, "--dir %s: %s", op->dest, strerror(-fd));
	close(fd);
	return 0;
}

/* --remount-ro: only that mount, not those below it (bwrap 0.11). */
static int do_remount_ro(int rootfd, const struct mount_op *op, bool bwrap)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd, r;

	fd = open_in_root(rootfd, op->dest, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return sb_err(-fd, bwrap ? "Can't create file %s: %s" : "--remount-ro %s: %s",
			      op->dest, strerror(-fd));
	r = mount_setattr(fd, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return sb_err(-r, bwrap ? "Can't remount readonly on %s: %s" : "--remount-ro %s: %s",
			      op->dest, strerror(-r));
	return 0;
}

/* Operation I of the plan.  Those that say what failed without naming
 * their option get it in front (natively: bwrap's messages, like
 * bubblewrap's, name the path only). */
static int do_op(const struct walk *w, size_t i)
{
	const struct mount_op *op = &w->spec->ops[i];
	const char *real = w->mp->src_real[i];
	int r = 0;

	if (w->bwrap && op->dest && !dest_is_root(op->dest) &&
	    (r = bwrap_check_dest(w->rootfd, op)) < 0)
		return r;

	switch (op->kind) {
	case MOP_BIND:
	case MOP_RO_BIND:
	case MOP_DEV_BIND:
		/* NULL: -try with a missing source; do_bind names the option */
		return real ? do_bind(w, op, real) : 0;
	case MOP_TMPFS:
		r = do_tmpfs(w, op);
		break;
	case MOP_MQUEUE:
		r = mount_at(w->rootfd, op->dest, w->pmode, "mqueue", NULL,
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, w->bwrap);
		break;
	case MOP_FILE:
		return do_file(w, op);
	case MOP_BIND_DATA:
		return do_bind_data(w, op, i);
	case MOP_CHMOD:
		return do_chmod(w->rootfd, op, w->bwrap);
	case MOP_OVERLAY:
		return overlay_op_mount(w->rootfd, w->pmode, op, (char **)real, i);
	case MOP_PROC:
		r = mount_proc(w->rootfd, op->dest, w->pmode, w->bwrap, w->spec->share_pid);
		break;
	case MOP_DEV:
		r = setup_dev(w->rootfd, op->dest, w->pmode, w->bwrap, w->mp->console);
		break;
	case MOP_DIR:
		return do_dir(w, op);
	case MOP_SYMLINK:
		return do_symlink(w, op);
	case MOP_HIDE:
		return hide_path(w->rootfd, op->dest, op->opt);
	case MOP_REMOUNT_RO:
		return do_remount_ro(w->rootfd, op, w->bwrap);
	}
	/* bubblewrap's messages name the path, never the option */
	if (r < 0 && !w->bwrap)
		return sb_errctx(r, "%s", op->opt);
	return r < 0 ? r : 0;
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

/* The native personality's standard mounts, and --home (bwrap builds
 * only what its options ask). */
static int standard_mounts(const struct walk *w)
{
	const struct sandbox_spec *spec = w->spec;
	int rootfd = w->rootfd, r;

	if ((r = mount_proc(rootfd, "/proc", w->pmode, false, spec->share_pid)) < 0 ||
	    (r = setup_dev(rootfd, "/dev", w->pmode, false, NULL)) < 0 ||
	    (r = mount_at(rootfd, "/tmp", w->pmode, "tmpfs", tmp_opts,
			  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, false)) < 0 ||
	    (r = mount_at(rootfd, "/run", w->pmode, "tmpfs", run_opts,
			  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, false)) < 0)
		return r;
	if (!spec->share_net) {
		r = mount_at(rootfd, "/sys", w->pmode, "sysfs", NULL, MOUNT_ATTR_RDONLY |
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, false);
	} else {
		struct mount_op sys = { .kind = MOP_RO_BIND, .src = "/sys", .dest = "/sys",
					.opt = "/sys" };
		r = do_bind(w, &sys, "/sys");
	}
	/* with limits, the payload's own cgroup (its cgroup namespace's
	 * root) at /sys/fs/cgroup, to subdivide for a build or a sandbox */
	if (r == 0 && !spec->share_net && !spec->share_cgroup && spec->cg.first_opt)
		r = mount_at(rootfd, "/sys/fs/cgroup", w->pmode, "cgroup2", NULL,
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, false);
	if (r < 0)
		return r;
	sb_step("/proc, /dev, /tmp, /run, /sys mounted");
	return home_apply(rootfd, spec, w->mp);
}

/* Missing parent directories of OP: 0755, less the group or other bits
 * that its --perms clears. */
static mode_t parent_mode(const struct mount_op *op)
{
	mode_t mode = 0755;

	if (op->perms_set && op->kind != MOP_CHMOD) {
		if (!(op->perms & 070))
			mode &= ~070;
		if (!(op->perms & 07))
			mode &= ~07;
	}
	return mode;
}

/* The operations in plan order; one on the root itself ("--bind SRC /")
 * replaces it, and the rest goes on in the new one. */
static int apply_ops(struct walk *w)
{
	const struct sandbox_spec *spec = w->spec;
	size_t i;
	int r;

	for (i = 0; i < spec->n_ops; i++) {
		w->pmode = parent_mode(&spec->ops[i]);
		r = do_op(w, i);
		w->pmode = 0755;
		if (r < 0)
			return r;
		if (spec->ops[i].dest && dest_is_root(spec->ops[i].dest) &&
		    (r = reopen_root(&w->rootfd)) < 0)
			return r;
	}
	if (spec->n_ops)
		sb_step("%zu mount operation%s applied", spec->n_ops, spec->n_ops == 1 ? "" : "s");
	return 0;
}

/* In pid 1: /proc, /dev, /tmp, /run, /sys, the operations, pivot_root. */
int mounts_finish_root(const struct sandbox_spec *spec, const struct mount_plan *mp)
{
	struct walk w = { .spec = spec, .mp = mp, .rootfd = -1,
			  .bwrap = spec->personality == PERSONALITY_BWRAP, .pmode = 0755 };
	int r;

	if ((r = reopen_root(&w.rootfd)) < 0)
		return r;
	if ((!w.bwrap && (r = standard_mounts(&w)) < 0) || (r = apply_ops(&w)) < 0 ||
	    (r = hide_defaults(w.rootfd, mp)) < 0) {
		close(w.rootfd);
		return r;
	}
	close(w.rootfd);

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
}
