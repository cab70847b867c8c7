/* overlayprep.c - the overlays' preparation in the setup process, in the
 * host's view, before anything is mounted: whether fuse-overlayfs can
 * serve the root, --overlay-dir (checked, created, its upper/ and work/
 * held open, tidied at the end), and the real paths of the layers of
 * bwrap's --overlay family.
 *
 * Runs with the caller's rights: nothing is followed through a symbolic
 * link that the caller, or a payload of an earlier run, could plant.
 * The mounts themselves are overlay.c's.  Uses mountfd.c's open_nolinks;
 * must not call mounts.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "sandbox.h"

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

/* Why fuse-overlayfs cannot be used here, or NULL. */
static const char *fuse_unavailable(char **bin)
{
	*bin = find_in_path("fuse-overlayfs");
	if (!*bin && access("/usr/bin/fuse-overlayfs", X_OK) == 0)
		*bin = xstrdup("/usr/bin/fuse-overlayfs");
	if (!*bin)
		return "fuse-overlayfs is not installed (apt-get install fuse-overlayfs)";
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		return errno == ENOENT ? "/dev/fuse does not exist (load the fuse module: modprobe fuse)"
				       : "/dev/fuse is not accessible to you (desktop systems ship it "
					 "mode 0666: chmod 0666 /dev/fuse)";
	return NULL;
}

static bool path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	if (strcmp(outer, "/") == 0)
		return true;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '/' || inner[n] == '\0');
}

/* A source that this sandbox binds writable and that holds DIR or lies
 * in it, or NULL; *OPT is its option. */
static const char *writable_overlap(const struct sandbox_spec *spec, const struct mount_plan *mp,
				    const char *dir, const char **opt)
{
	size_t i, k;

	for (i = 0; i < spec->n_ops; i++) {
		const struct mount_op *op = &spec->ops[i];
		const char *w[2] = { NULL, NULL };

		if ((op->kind == MOP_BIND || op->kind == MOP_DEV_BIND) && mp->src_real[i])
			w[0] = mp->src_real[i];
		if (op->kind == MOP_OVERLAY && op->ovl == OVL_RW) {
			w[0] = ((char **)mp->src_real[i])[op->n_lowers];
			w[1] = ((char **)mp->src_real[i])[op->n_lowers + 1];
		}
		for (k = 0; k < 2; k++)
			if (w[k] && (path_within(dir, w[k]) || path_within(w[k], dir))) {
				*opt = op->opt;
				return w[k];
			}
	}
	return NULL;
}

/* Where --overlay-dir is refused, before anything is created: DIR2 is
 * WANT, its real path; PFD its parent. */
static int overlay_dir_check(const struct sandbox_spec *spec, const struct mount_plan *mp,
			     const char *want, int pfd)
{
	const char *w, *opt = NULL;
	struct statfs sfs;

	if (mp->rootfs_real && path_within(want, mp->rootfs_real))
		return sb_err(EINVAL, "--overlay-dir %s is inside --rootfs %s: the upper layer "
			      "cannot live in the tree it covers", spec->overlay_dir, spec->rootfs);
	if (mp->rootfs_real && path_within(mp->rootfs_real, want))
		return sb_err(EINVAL, "--rootfs %s is inside --overlay-dir %s: the tree cannot "
			      "live in its own upper layer", spec->rootfs, spec->overlay_dir);
	if ((w = writable_overlap(spec, mp, want, &opt)))
		return sb_err(EINVAL, "--overlay-dir %s overlaps %s %s, which this sandbox can "
			      "write: its payload could plant links for the next run to follow; "
			      "keep the layer out of what it binds writable",
			      spec->overlay_dir, opt, w);
	if (fstatfs(pfd, &sfs) == 0 && sfs.f_type == OVERLAYFS_SUPER_MAGIC)
		return sb_err(EINVAL, "--overlay-dir %s is on an overlayfs, which cannot hold an "
			      "upper layer: choose a directory on a regular filesystem",
			      spec->overlay_dir);
	return 0;
}

/* NAME in DFD: a directory, made if missing, never a link; an O_PATH fd. */
static int layer_dir(const struct sandbox_spec *spec, int dfd, const char *name)
{
	int fd;

	if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
		return sb_err(errno, "--overlay-dir %s: cannot create %s/ in it: %s",
			      spec->overlay_dir, name, strerror(errno));
	fd = open_nolinks(dfd, name, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return sb_err(-fd, "--overlay-dir %s: %s/: %s%s", spec->overlay_dir, name,
			      strerror(-fd), fd == -ELOOP ? " (a symbolic link: refused)" : "");
	return fd;
}

/* --overlay-dir DIR2: its parent is opened without following a link
 * anywhere on the path, DIR2 itself O_NOFOLLOW, and upper/ and work/
 * beneath it; the fds are kept for the child (which opens the same
 * objects again in its namespace) and for the tidy at the end. */
static int overlay_dir_open(const struct sandbox_spec *spec, struct mount_plan *mp)
{
	char *abs, *slash, *name, preal[PATH_MAX], link[64];
	int pfd, dfd, r;
	ssize_t n;

	if (spec->overlay_dir[0] != '/' && !mp->cwd)
		return sb_err(ENOENT, "--overlay-dir %s: the current directory is gone",
			      spec->overlay_dir);
	abs = spec->overlay_dir[0] == '/' ? xstrdup(spec->overlay_dir)
					  : xasprintf("%s/%s", mp->cwd, spec->overlay_dir);
	n = (ssize_t)strlen(abs);
	while (n > 1 && abs[n - 1] == '/')
		abs[--n] = '\0';
	slash = strrchr(abs, '/');
	name = slash + 1;
	*slash = '\0';
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		free(abs);
		return sb_err(EINVAL, "--overlay-dir %s: name the directory itself, not '.' or "
			      "'..'", spec->overlay_dir);
	}
	pfd = open_nolinks(AT_FDCWD, *abs ? abs : "/", O_PATH | O_DIRECTORY);
	if (pfd < 0) {
		char *real = pfd == -ELOOP ? realpath(*abs ? abs : "/", NULL) : NULL;
		char *hint = pfd != -ELOOP ? xstrdup("") :
			xasprintf(": a symbolic link on its path is refused (the setup runs with "
				  "your rights); give the real path%s%s/%s", real ? ", " : "",
				  real && strcmp(real, "/") ? real : "", real ? name : "");
		r = sb_err(-pfd, "--overlay-dir %s: %s%s", spec->overlay_dir, strerror(-pfd), hint);
		free(hint);
		free(real);
		free(abs);
		return r;
	}
	mp->ovl_name = xstrdup(name);
	free(abs);
	snprintf(link, sizeof link, "/proc/self/fd/%d", pfd);
	n = readlink(link, preal, sizeof preal - 1);
	if (n <= 0 || preal[0] != '/') {
		close(pfd);
		return sb_err(EINVAL, "--overlay-dir %s: cannot name its parent", spec->overlay_dir);
	}
	preal[n] = '\0';
	mp->overlay_dir_real = xasprintf("%s/%s", strcmp(preal, "/") ? preal : "", mp->ovl_name);
	r = overlay_dir_check(spec, mp, mp->overlay_dir_real, pfd);
	if (r == 0 && mkdirat(pfd, mp->ovl_name, 0700) == 0)
		mp->overlay_dir_created = true;
	else if (r == 0 && errno != EEXIST)
		r = sb_err(errno, "--overlay-dir %s: cannot create it: %s", spec->overlay_dir,
			   strerror(errno));
	dfd = r < 0 ? -1 : openat(pfd, mp->ovl_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r == 0 && dfd < 0)
		r = sb_err(errno, "--overlay-dir %s: %s%s", spec->overlay_dir, strerror(errno),
			   errno == ENOTDIR ? " (not a directory, or a symbolic link: refused)" : "");
	if (r < 0) {
		close(pfd);
		free(mp->overlay_dir_real);
		mp->overlay_dir_real = NULL;
		return r;
	}
	mp->ovl_parent_fd = pfd;
	mp->ovl_dir_fd = dfd;
	if ((r = overlay_dir_check(spec, mp, mp->overlay_dir_real, dfd)) < 0 ||
	    (r = mp->ovl_upper_fd = layer_dir(spec, dfd, "upper")) < 0 ||
	    (r = mp->ovl_work_fd = layer_dir(spec, dfd, "work")) < 0)
		return r;
	/* work/work is the driver's own directory: anything else there (a
	 * link someone planted) goes, never what it leads to; a directory
	 * stays for the driver to clean */
	if (unlinkat(mp->ovl_work_fd, "work", 0) == 0)
		sb_step("--overlay-dir: %s/work/work was not a directory: removed",
			mp->overlay_dir_real);
	return 0;
}

int overlay_preflight(const struct sandbox_spec *spec, struct mount_plan *mp)
{
	char *bin;

	mp->ovl_dir_fd = mp->ovl_upper_fd = mp->ovl_work_fd = mp->ovl_parent_fd = -1;
	if (spec->rootfs_mode != ROOTFS_OVERLAY)
		return 0;
	/* looked up here, in the host's view; the child runs it from /oldroot */
	mp->fuse_why = fuse_unavailable(&bin);
	/* absolute: the child runs it as /oldroot/PATH from the staging root */
	mp->fuse_bin = bin ? realpath(bin, NULL) : NULL;
	if (bin && !mp->fuse_bin)
		mp->fuse_bin = xstrdup(bin);
	free(bin);
	if (spec->overlay_driver == OVERLAY_FUSE && mp->fuse_why)
		return sb_err(ENOENT, "--overlay-driver fuse: %s", mp->fuse_why);
	if (!spec->overlay_dir)
		return 0;
	return overlay_dir_open(spec, mp);
}

/* bwrap's --overlay family, in the setup process: OP's layers as real
 * paths, the --overlay-src ones (bottom first) then, for --overlay, the
 * upper and work directories; the list goes to *REAL, for
 * overlay_op_mount (and writable_overlap). */
int overlay_op_preflight(const struct mount_op *op, char **real_out)
{
	char **real = xcalloc(op->n_lowers + 2, sizeof(char *));
	size_t j;

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
	*real_out = (char *)real;
	return 0;
}

/* Remove NAME in DIRFD and all below it, never following a link. */
static void remove_tree_at(int at, const char *name, int depth)
{
	struct dirent *e;
	DIR *d;
	int fd;

	if (unlinkat(at, name, 0) == 0 || errno != EISDIR || depth > 32)
		return;
	/* the kernel leaves work/work mode 000 */
	(void)!fchmodat(at, name, 0700, AT_SYMLINK_NOFOLLOW);
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			remove_tree_at(dirfd(d), e->d_name, depth + 1);
	closedir(d);
	(void)unlinkat(at, name, AT_REMOVEDIR);
}

/* After a run over --overlay-dir: the kernel leaves DIR2/work/work mode
 * 000 with whiteouts in it, which its owner could not even rm -rf.  Remove
 * it, through the fds held since preflight; the kernel makes it again
 * next time. */
void overlay_tidy_workdir(const struct mount_plan *mp)
{
	if (mp->overlay_dir_real && mp->ovl_work_fd >= 0)
		remove_tree_at(mp->ovl_work_fd, "work", 0);
}

/* Undo what overlay_preflight created when the sandbox could not start:
 * DIR2 when this run made it (what is in it is the setup's own work), else
 * only what the kernel left in work/. */
void overlay_preflight_undo(const struct mount_plan *mp)
{
	if (!mp->overlay_dir_real)
		return;
	if (mp->overlay_dir_created && mp->ovl_parent_fd >= 0)
		remove_tree_at(mp->ovl_parent_fd, mp->ovl_name, 0);
	else
		overlay_tidy_workdir(mp);
}
