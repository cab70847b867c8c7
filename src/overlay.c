/* overlay.c - every overlay of the sandbox, built by one builder: the
 * copy-on-write root (--overlay / --overlay-dir, kernel overlayfs in the
 * user namespace or fuse-overlayfs where the kernel refuses) and
 * bubblewrap's --overlay, --tmp-overlay and --ro-overlay.
 *
 * The builder (overlay_fd) makes an overlayfs context from lower layers
 * given by path under /oldroot and upper and work layers given by fd,
 * whatever the kernel takes (lowerdir+ from 6.8, one escaped lowerdir
 * list before, the legacy option string before 6.5), and returns it as a
 * detached mount; the callers attach it.
 *
 * The root's lower layer is --rootfs DIR, never written.  Its upper layer
 * is a tmpfs that disappears with the sandbox, or --overlay-dir DIR2/upper.
 * fuse-overlayfs is served over a /dev/fuse fd that we mount ourselves
 * (libfuse's "/dev/fd/N" mountpoint), so the mount exists the moment the
 * server is started and no polling is needed; the first access through it
 * waits for the server's INIT reply, or fails at once if it died.
 *
 * Runs in the user-namespace child (the root) and pid 1 (bwrap's family),
 * on what overlayprep.c prepared in the setup process.  Uses mountfd.c's
 * primitives; is called by mounts.c; must not call mounts.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "sandbox.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

/* Give overlayfs the layer open at FD (in this mount namespace): the fd
 * itself (6.13), else its magic link; never a name to look up again.
 * Before 6.13 overlayfs refuses an fd (EINVAL); before 6.5 the VFS's
 * legacy context refuses one itself (EOPNOTSUPP). */
static int overlay_set_layer(int fsfd, const char *key, int fd)
{
	char path[64];

	if (fsconfig(fsfd, FSCONFIG_SET_FD, key, NULL, fd) == 0)
		return 0;
	if (errno != EINVAL && errno != EOPNOTSUPP)
		return -errno;
	snprintf(path, sizeof path, "/oldroot/proc/self/fd/%d", fd);
	return fsconfig(fsfd, FSCONFIG_SET_STRING, key, path, 0) < 0 ? -errno : 0;
}

/* Collect what the kernel said about a failed fsconfig (the fs_context
 * log), so the user sees overlayfs's own reason. */
static void fs_log(int fsfd, char *buf, size_t len)
{
	size_t off = 0;
	char line[512];
	ssize_t n;

	buf[0] = '\0';
	while ((n = read(fsfd, line, sizeof line - 1)) > 0) {
		line[n] = '\0';
		if (off + (size_t)n + 3 < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "; " : "",
						line[1] == ' ' ? line + 2 : line);
	}
}

static char *escape_lower(const char *path)
{
	char *out = xmalloc(strlen(path) * 2 + 1), *o = out;

	for (; *path; path++) {
		if (*path == ':' || *path == ',' || *path == '\\')
			*o++ = '\\';
		*o++ = *path;
	}
	*o = '\0';
	return out;
}

/* Before 6.5 overlayfs has no fs_context of its own: the VFS's legacy one
 * queues any key (lowerdir+ too) and overlayfs parses the lot only at
 * FSCONFIG_CMD_CREATE.  A key no parser knows tells them apart: a real
 * parser refuses it at once, the legacy context queues it.  1: legacy. */
static int overlay_context_legacy(void)
{
	static int legacy = -1;
	int fd;

	if (legacy < 0) {
		fd = fsopen("overlay", FSOPEN_CLOEXEC);
		if (fd < 0)
			return -errno;
		legacy = fsconfig(fd, FSCONFIG_SET_FLAG, "x-sandbox-probe", NULL, 0) == 0;
		close(fd);
		if (legacy)
			sb_step("kernel overlayfs: this kernel (before 6.5) parses overlayfs options "
				"only as one string: the layers go in one lowerdir= list");
	}
	return legacy;
}

/* PATH as the legacy option string can carry it: escaped, and a path with
 * a ',' (which the VFS refuses in any value, escaped or not) by an O_PATH
 * fd of ours, as /proc/self/fd/N.  The fd goes to *held. */
static int legacy_layer(const char *path, int *held, char **out)
{
	char fdpath[64];

	*held = -1;
	if (!strchr(path, ',')) {
		*out = escape_lower(path);
		return 0;
	}
	*held = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*held < 0)
		return -errno;
	snprintf(fdpath, sizeof fdpath, "/oldroot/proc/self/fd/%d", *held);
	*out = xstrdup(fdpath);
	return 0;
}

/* The lower layers as one ':' list, top first, for kernels before 6.8. */
static int lower_list(const char *const *lower, size_t n, bool legacy, int *held, char **out)
{
	char *list = xstrdup(""), *one = NULL, *nl;
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		if (legacy)
			r = legacy_layer(lower[i], &held[i], &one);
		else
			one = escape_lower(lower[i]);
		if (r < 0)
			break;
		nl = xasprintf("%s%s%s", list, i ? ":" : "", one);
		free(one);
		free(list);
		list = nl;
	}
	if (r < 0) {
		free(list);
		return r;
	}
	*out = list;
	return 0;
}

static int set_layers(int fsfd, const char *const *lower, size_t n, int upfd, int wkfd,
		      int legacy, int *held)
{
	char *v;
	size_t i;
	int r = -EINVAL;

	/* one "lowerdir+" per layer (6.8+), else one escaped list */
	for (i = 0; !legacy && i < n; i++) {
		r = fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", lower[i], 0) < 0 ? -errno : 0;
		if (r < 0)
			break;
	}
	if (r == -EINVAL && i == 0) {
		r = lower_list(lower, n, legacy, held, &v);
		if (r == 0) {
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", v, 0) < 0 ? -errno : 0;
			free(v);
		}
	}
	/* upperdir and workdir: the objects open at the fds, never a name */
	if (r == 0 && upfd >= 0 && (r = overlay_set_layer(fsfd, "upperdir", upfd)) == 0)
		r = overlay_set_layer(fsfd, "workdir", wkfd);
	if (r == 0 && fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		r = -errno;
	return r;
}

/* An overlayfs context, created (FSCONFIG_CMD_CREATE), for LOWER (N layers,
 * top first) under the layers open at UPFD and WKFD (-1: read-only): its
 * fd, or -errno with the kernel's reason in WHY. */
static int overlay_context(const char *const *lower, size_t n, int upfd, int wkfd,
			   char *why, size_t whylen)
{
	int legacy = overlay_context_legacy(), fsfd, r;
	int *held = xmalloc(n * sizeof *held);
	char log[768];
	size_t i;

	why[0] = '\0';
	for (i = 0; i < n; i++)
		held[i] = -1;
	fsfd = legacy < 0 ? legacy : fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		r = legacy < 0 ? legacy : -errno;
		snprintf(why, whylen, "overlayfs is not available: %s", strerror(-r));
		free(held);
		return r;
	}
	r = set_layers(fsfd, lower, n, upfd, wkfd, legacy, held);
	if (r == 0 && fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		r = -errno;
	for (i = 0; i < n; i++)
		if (held[i] >= 0)
			close(held[i]);
	free(held);
	if (r < 0) {
		fs_log(fsfd, log, sizeof log);
		close(fsfd);
		snprintf(why, whylen, "%s%s%s", strerror(-r), *log ? ": " : "", log);
		return r;
	}
	return fsfd;
}

/* The one overlay builder: an overlayfs over LOWER (N layers under
 * /oldroot, top first) under the layers open at UPFD and WKFD (-1:
 * read-only), as a detached mount with ATTRS: its fd, or -errno with the
 * kernel's reason in WHY (left empty when fsmount failed). */
static int overlay_fd(const char *const *lower, size_t n, int upfd, int wkfd,
		      unsigned int attrs, char *why, size_t whylen)
{
	int fsfd, mfd, e;

	fsfd = overlay_context(lower, n, upfd, wkfd, why, whylen);
	if (fsfd < 0)
		return fsfd;
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	e = errno;
	close(fsfd);
	return mfd < 0 ? -e : mfd;
}

/* A fresh tmpfs on DIR, a new directory of the staging root, to hold an
 * upper layer and its work directory.  *MOUNTING: whether DIR was made
 * (and the tmpfs is what failed). */
static int upper_tmpfs(const char *dir, bool *mounting)
{
	static const char *const opts[] = { "mode", "0755", NULL };
	int dfd, r;

	*mounting = false;
	if (mkdir(dir, 0755) < 0 || (dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	*mounting = true;
	r = mount_new_fs(dfd, "tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	close(dfd);
	return r;
}

/* The upper layer: DIR2/upper, or a fresh tmpfs at /ovl in the staging root.
 * A fresh upper root takes the lower root's owner and mode, so / looks the
 * same as DIR's.  *UPFD and *WKFD: the upper and work directories, open
 * in this mount namespace. */
static int prepare_upper(const struct mount_plan *mp, int *upfd, int *wkfd)
{
	struct stat st;
	bool mounting;
	char *lower;
	int r;

	if (mp->overlay_dir_real) {
		/* the objects preflight checked, or nothing */
		*upfd = reopen_host_fd(mp->ovl_upper_fd, O_RDONLY | O_DIRECTORY);
		*wkfd = *upfd < 0 ? *upfd : reopen_host_fd(mp->ovl_work_fd, O_RDONLY | O_DIRECTORY);
		if (*upfd >= 0 && *wkfd >= 0)
			return 0;
		r = *upfd < 0 ? *upfd : *wkfd;
		return sb_err(-r, "--overlay-dir %s: upper/ or work/: %s", mp->overlay_dir_real,
			      r == -ESTALE ? "moved or replaced while the sandbox started" : strerror(-r));
	}
	r = upper_tmpfs("/ovl", &mounting);
	if (r < 0 && !mounting)
		return sb_err(-r, "cannot create the upper layer's mount point: %s", strerror(-r));
	if (r < 0)
		return sb_err(-r, "cannot mount a tmpfs for the upper layer: %s", strerror(-r));
	if (mkdir("/ovl/upper", 0755) < 0 || mkdir("/ovl/work", 0700) < 0)
		return sb_err(errno, "cannot create the upper layer: %s", strerror(errno));
	lower = xasprintf("/oldroot%s", mp->rootfs_real);
	if (stat(lower, &st) == 0) {
		/* an unmapped owner cannot be set: keep ours then */
		(void)!chown("/ovl/upper", st.st_uid, st.st_gid);
		chmod("/ovl/upper", st.st_mode & 07777);
	}
	free(lower);
	*upfd = open("/ovl/upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*wkfd = open("/ovl/work", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*upfd < 0 || *wkfd < 0)
		return sb_err(errno, "cannot open the upper layer: %s", strerror(errno));
	return 0;
}

/* The root as a kernel overlayfs over LOWER, on /newroot. */
static int kernel_overlay(const char *lower, int upfd, int wkfd, char *why, size_t whylen)
{
	int mfd, r;

	mfd = overlay_fd(&lower, 1, upfd, wkfd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, why, whylen);
	if (mfd < 0) {
		if (!*why)
			snprintf(why, whylen, "fsmount: %s", strerror(-mfd));
		return mfd;
	}
	r = move_mount(mfd, "", AT_FDCWD, "/newroot", MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
	close(mfd);
	if (r < 0)
		snprintf(why, whylen, "move_mount: %s", strerror(-r));
	return r;
}

/* The server runs in the staging root, where the upper tmpfs is; links to
 * the host's /usr, /lib, /etc ... let its loader and libraries be found. */
static void link_host_dirs(void)
{
	static const char *const dirs[] = { "usr", "lib", "lib32", "lib64", "libx32", "bin",
					    "sbin", "etc", "proc", "dev" };
	size_t i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *target = xasprintf("/oldroot/%s", dirs[i]);
		if (access(target, F_OK) == 0)
			(void)!symlink(target, dirs[i]);
		free(target);
	}
}

/* In the forked child: exec fuse-overlayfs (the host's BIN) on the
 * /dev/fuse fd FD, over LOWER, with the layers open at UPFD and WKFD. */
static void __attribute__((noreturn)) fuse_server_exec(const char *bin, const char *lower, int fd,
							int upfd, int wkfd)
{
	char opts[3 * PATH_MAX + 64], fdpath[32];
	char *argv[] = { (char *)"fuse-overlayfs", (char *)"-f", (char *)"-o", opts,
			 fdpath, NULL };
	int nfd = fcntl(fd, F_DUPFD, 3); /* without close-on-exec */
	int devnull = open("/oldroot/dev/null", O_RDWR | O_CLOEXEC);
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
	}
	/* only /dev/fuse and the layers it inherits (by their magic
	 * links): not --keep-fd's, nor what bwrap's caller passed */
	int keep[3] = { nfd, upfd, wkfd };
	if (nfd < 0 || fd_set_cloexec_all_except(keep, 3, 3) < 0) {
		fprintf(stderr, "%s: fuse-overlayfs: cannot set up its file descriptors: "
			"%s\n", sb_prog, strerror(errno));
		_exit(127);
	}
	snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=/proc/self/fd/%d,"
		 "workdir=/proc/self/fd/%d", lower, upfd, wkfd);
	snprintf(fdpath, sizeof fdpath, "/dev/fd/%d", nfd);
	/* it must chown copied-up files to their owners */
	if (caps_keep_across_exec() < 0)
		fprintf(stderr, "%s: fuse-overlayfs: %s\n", sb_prog, sb_errmsg());
	{
		/* the host's file: PATH may name any directory, not only
		 * those linked into the staging root */
		char *host = xasprintf("/oldroot%s", bin);
		execv(host, argv);
	}
	fprintf(stderr, "%s: cannot run %s: %s\n", sb_prog, bin, strerror(errno));
	_exit(127);
}

static int fuse_overlay(const char *bin, const char *lower, int upfd, int wkfd,
			struct overlay_run *ov)
{
	char mopts[256];
	struct stat st;
	int fd, r;
	pid_t pid;

	fd = open("/oldroot/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return sb_err(errno, "/dev/fuse: %s (desktop systems ship it mode 0666)",
			      strerror(errno));
	snprintf(mopts, sizeof mopts,
		 "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other,default_permissions",
		 fd, (unsigned)getuid(), (unsigned)getgid());
	if (mount("fuse-overlayfs", "/newroot", "fuse.fuse-overlayfs", MS_NOSUID | MS_NODEV,
		  mopts) < 0) {
		r = errno;
		close(fd);
		return sb_err(r, "cannot mount a fuse filesystem in the user namespace: %s",
			      strerror(r));
	}
	if (strpbrk(lower, ",:\\")) {
		close(fd);
		return sb_err(EINVAL, "fuse-overlayfs cannot take a layer path with ',', ':' or "
			      "'\\' in it: %s", lower);
	}
	link_host_dirs();
	pid = fork();
	if (pid < 0) {
		r = errno;
		close(fd);
		return sb_err(r, "fork: %s", strerror(r));
	}
	if (pid == 0)
		fuse_server_exec(bin, lower, fd, upfd, wkfd);
	close(fd);
	ov->fuse_pid = pid;
	/* The first access waits for the server's INIT; ENOTCONN if it died. */
	if (stat("/newroot/.", &st) < 0) {
		int st2 = 0;
		r = errno;
		kill(pid, SIGKILL);
		(void)wait_child(pid, &st2);
		ov->fuse_pid = -1;
		return sb_err(r, "fuse-overlayfs did not start (%s%d)%s: %s",
			      WIFSIGNALED(st2) ? "signal " : "exit status ",
			      WIFSIGNALED(st2) ? WTERMSIG(st2) : WEXITSTATUS(st2),
			      " - its own message is above", strerror(r));
	}
	return 0;
}

/* Whether the upper layer's filesystem takes user.* extended attributes,
 * which a kernel overlayfs in a user namespace (userxattr) needs for
 * opaque directories: tmpfs has them from Linux 6.6 only.  Probed on WORK,
 * which holds nothing of the user's. */
static bool takes_user_xattrs(int wkfd)
{
	if (fsetxattr(wkfd, "user.sandbox-probe", "1", 1, 0) == 0) {
		fremovexattr(wkfd, "user.sandbox-probe");
		return true;
	}
	return errno != EOPNOTSUPP;
}

/* Whether to try the kernel's overlayfs: 1 yes, 0 fuse-overlayfs, or an
 * error for --overlay-driver kernel on an upper layer it cannot serve. */
static int want_kernel(const struct sandbox_spec *spec, const struct mount_plan *mp, int wkfd)
{
	const char *what = mp->overlay_dir_real ? "the filesystem of --overlay-dir"
						: "the upper layer's tmpfs";

	if (spec->overlay_driver == OVERLAY_FUSE)
		return 0;
	if (takes_user_xattrs(wkfd))
		return 1;
	if (spec->overlay_driver == OVERLAY_KERNEL)
		return sb_err(EOPNOTSUPP, "--overlay-driver kernel: %s has no user.* extended "
			      "attributes, which overlayfs in a user namespace needs to hide lower "
			      "directories (tmpfs has them from Linux 6.6): use --overlay-dir on a "
			      "disk filesystem, or --overlay-driver fuse", what);
	if (mp->fuse_why) {
		sb_step("%s has no user.* extended attributes (tmpfs has them from Linux 6.6) "
			"and %s: kernel overlayfs all the same; removing a lower directory will "
			"fail", what, mp->fuse_why);
		return 1;
	}
	sb_step("%s has no user.* extended attributes (tmpfs has them from Linux 6.6), "
		"without which kernel overlayfs cannot remove lower directories: using "
		"fuse-overlayfs", what);
	return 0;
}

int overlay_mount(const struct sandbox_spec *spec, const struct mount_plan *mp,
		  struct overlay_run *ov)
{
	char *lower = xasprintf("/oldroot%s", mp->rootfs_real);
	char why[1024];
	const char *nofuse = mp->fuse_why;
	char *bin = mp->fuse_bin ? xstrdup(mp->fuse_bin) : NULL; /* found through the links to the host */
	int upfd = -1, wkfd = -1, r;

	ov->fuse_pid = -1;
	if ((r = prepare_upper(mp, &upfd, &wkfd)) < 0 ||
	    (r = want_kernel(spec, mp, wkfd)) < 0)
		goto out;
	if (r == 1) {
		r = kernel_overlay(lower, upfd, wkfd, why, sizeof why);
		if (r == 0) {
			ov->driver = "kernel";
			sb_step("root filesystem: kernel overlayfs over %s (upper: %s)",
				mp->rootfs_real, mp->overlay_dir_real ? mp->overlay_dir_real : "tmpfs");
			goto out;
		}
		if (spec->overlay_driver == OVERLAY_KERNEL) {
			r = sb_err(-r, "--overlay-driver kernel: the kernel refused an overlayfs "
				   "over %s: %s", spec->rootfs, why);
			goto out;
		}
		if (nofuse) {
			r = sb_err(-r, "--rootfs %s: the kernel refused an overlayfs (%s) and %s",
				   spec->rootfs, why, nofuse);
			goto out;
		}
		sb_step("kernel overlayfs refused (%s): using fuse-overlayfs", why);
		/* a failed kernel mount may have left work/work */
		(void)unlinkat(wkfd, "work", AT_REMOVEDIR);
	} else if (nofuse && spec->overlay_driver == OVERLAY_FUSE) {
		r = sb_err(ENOENT, "--overlay-driver fuse: %s", nofuse);
		goto out;
	}
	r = fuse_overlay(bin, lower, upfd, wkfd, ov);
	if (r == 0) {
		ov->driver = "fuse";
		sb_step("root filesystem: fuse-overlayfs over %s (pid %d)", mp->rootfs_real,
			(int)ov->fuse_pid);
	}
out:
	free(bin);
	free(lower);
	if (upfd >= 0)
		close(upfd);
	if (wkfd >= 0)
		close(wkfd);
	return r;
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

/* --tmp-overlay: upper and work directories on a tmpfs of their own at
 * /overlay-I in the staging root. */
static int open_tmp_layers(const struct mount_op *op, size_t i, int *upfd, int *wkfd)
{
	char upper[48], work[96];
	bool mounting;
	int r;

	snprintf(upper, sizeof upper, "/overlay-%zu", i);
	r = upper_tmpfs(upper, &mounting);
	if (r < 0 && !mounting)
		return sb_err(-r, "%s %s: %s", op->opt, op->dest, strerror(-r));
	if (r < 0)
		return sb_err(-r, "%s %s: tmpfs: %s", op->opt, op->dest, strerror(-r));
	snprintf(work, sizeof work, "%s/work", upper);
	strncat(upper, "/upper", sizeof upper - strlen(upper) - 1);
	/* not O_PATH: FSCONFIG_SET_FD takes no such fd */
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 ||
	    (*upfd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (*wkfd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = -errno;
		if (*upfd >= 0)
			close(*upfd);
		*upfd = -1;
		return sb_err(-r, "%s %s: %s", op->opt, op->dest, strerror(-r));
	}
	return 0;
}

/* bwrap's overlays: --overlay-src layers (REAL, bottom first) under an
 * upper directory of the host, a tmpfs, or nothing (read-only), on OP's
 * DEST under ROOTFD (missing directories made with PMODE). */
int overlay_op_mount(int rootfd, mode_t pmode, const struct mount_op *op, char **real, size_t i)
{
	char **lower, why[1024] = "";
	int mfd, dfd, upfd = -1, wkfd = -1, r = 0;
	size_t j;

	if (op->ovl == OVL_TMP)
		r = open_tmp_layers(op, i, &upfd, &wkfd);
	else if (op->ovl == OVL_RW)
		r = open_rw_layers(op, real, &upfd, &wkfd);
	if (r < 0)
		return r;
	/* the kernel lists lowerdir top first: bwrap's order reversed */
	lower = xmalloc(op->n_lowers * sizeof *lower);
	for (j = 0; j < op->n_lowers; j++)
		lower[j] = xasprintf("/oldroot%s", real[op->n_lowers - 1 - j]);
	mfd = overlay_fd((const char *const *)lower, op->n_lowers, upfd, wkfd,
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			 (op->ovl == OVL_RO ? MOUNT_ATTR_RDONLY : 0), why, sizeof why);
	for (j = 0; j < op->n_lowers; j++)
		free(lower[j]);
	free(lower);
	r = mfd < 0 ? mfd : 0;
	if (mfd >= 0) {
		dfd = mkdir_in_root_mode(rootfd, op->dest, pmode);
		r = dfd < 0 ? dfd : attach(mfd, dfd);
		close(mfd);
		if (dfd >= 0)
			close(dfd);
	}
	if (upfd >= 0)
		close(upfd);
	if (wkfd >= 0)
		close(wkfd);
	if (r < 0)
		return sb_err(-r, "%s %s: %s", op->opt, op->dest, *why ? why : strerror(-r));
	return 0;
}
