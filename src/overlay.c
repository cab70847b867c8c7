/* overlay.c - the copy-on-write root: kernel overlayfs in the user
 * namespace, or fuse-overlayfs where the kernel refuses.
 *
 * The lower layer is --rootfs DIR, never written.  The upper layer is a
 * tmpfs that disappears with the sandbox, or --overlay-dir DIR2/upper.
 * fuse-overlayfs is served over a /dev/fuse fd that we mount ourselves
 * (libfuse's "/dev/fd/N" mountpoint), so the mount exists the moment the
 * server is started and no polling is needed; the first access through it
 * waits for the server's INIT reply, or fails at once if it died.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "sandbox.h"

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif
#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
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

static int mkdir_owned(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int overlay_preflight(const struct sandbox_spec *spec, struct mount_plan *mp)
{
	struct statfs sfs;
	char *bin;
	char *real;
	int r;

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

	real = realpath(spec->overlay_dir, NULL);
	if (!real && errno == ENOENT) {
		/* the checks below, on the path it would have, before creating
		 * anything: a refused DIR2 must leave DIR untouched */
		char *copy = xstrdup(spec->overlay_dir), *slash, *parent, *want = NULL;
		size_t n = strlen(copy);

		while (n > 1 && copy[n - 1] == '/')
			copy[--n] = '\0';
		slash = strrchr(copy, '/');
		if (slash)
			*slash = '\0';
		parent = realpath(!slash ? "." : slash == copy ? "/" : copy, NULL);
		if (parent)
			want = xasprintf("%s/%s", strcmp(parent, "/") ? parent : "",
					 slash ? slash + 1 : copy);
		r = 0;
		if (want && mp->rootfs_real && path_within(want, mp->rootfs_real))
			r = sb_err(EINVAL, "--overlay-dir %s is inside --rootfs %s: the upper layer "
				   "cannot live in the tree it covers", spec->overlay_dir, spec->rootfs);
		else if (parent && statfs(parent, &sfs) == 0 && sfs.f_type == OVERLAYFS_SUPER_MAGIC)
			r = sb_err(EINVAL, "--overlay-dir %s is on an overlayfs, which cannot hold an "
				   "upper layer: choose a directory on a regular filesystem",
				   spec->overlay_dir);
		free(want);
		free(parent);
		free(copy);
		if (r < 0)
			return r;
		if (mkdir(spec->overlay_dir, 0700) < 0)
			return sb_err(errno, "--overlay-dir %s: cannot create it: %s",
				      spec->overlay_dir, strerror(errno));
		mp->overlay_dir_created = true;
		real = realpath(spec->overlay_dir, NULL);
	}
	if (!real)
		return sb_err(errno, "--overlay-dir %s: %s", spec->overlay_dir, strerror(errno));
	mp->overlay_dir_real = real;
	if (path_within(real, mp->rootfs_real))
		return sb_err(EINVAL, "--overlay-dir %s is inside --rootfs %s: the upper layer "
			      "cannot live in the tree it covers", spec->overlay_dir, spec->rootfs);
	if (path_within(mp->rootfs_real, real))
		return sb_err(EINVAL, "--rootfs %s is inside --overlay-dir %s: the tree cannot "
			      "live in its own upper layer", spec->rootfs, spec->overlay_dir);
	if (statfs(real, &sfs) == 0 && sfs.f_type == OVERLAYFS_SUPER_MAGIC)
		return sb_err(EINVAL, "--overlay-dir %s is on an overlayfs, which cannot hold an "
			      "upper layer: choose a directory on a regular filesystem",
			      spec->overlay_dir);
	{
		char *up = xasprintf("%s/upper", real), *wk = xasprintf("%s/work", real);
		r = mkdir_owned(up);
		if (r == 0)
			r = mkdir_owned(wk);
		free(up);
		free(wk);
		if (r < 0)
			return sb_err(-r, "--overlay-dir %s: cannot create upper/ and work/ in it: %s",
				      spec->overlay_dir, strerror(-r));
	}
	return 0;
}

/* After a run over --overlay-dir: the kernel leaves DIR2/work/work mode
 * 000 with whiteouts in it, which its owner could not even rm -rf.  Empty
 * it; the kernel makes it again next time. */
void overlay_tidy_workdir(const struct mount_plan *mp)
{
	char *ww;
	DIR *d;
	struct dirent *e;

	if (!mp->overlay_dir_real)
		return;
	ww = xasprintf("%s/work/work", mp->overlay_dir_real);
	if (chmod(ww, 0700) == 0 && (d = opendir(ww))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				(void)unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
		rmdir(ww);
	}
	free(ww);
}

/* Undo what overlay_preflight created when the sandbox could not start. */
void overlay_preflight_undo(const struct mount_plan *mp)
{
	char *p;

	if (!mp->overlay_dir_created || !mp->overlay_dir_real)
		return;
	p = xasprintf("%s/work/work", mp->overlay_dir_real);
	rmdir(p);
	free(p);
	p = xasprintf("%s/work", mp->overlay_dir_real);
	rmdir(p);
	free(p);
	p = xasprintf("%s/upper", mp->overlay_dir_real);
	rmdir(p);
	free(p);
	rmdir(mp->overlay_dir_real);
}

/* The upper layer: DIR2/upper, or a fresh tmpfs at /ovl in the staging root.
 * A fresh upper root takes the lower root's owner and mode, so / looks the
 * same as DIR's. */
static int prepare_upper(const struct sandbox_spec *spec, const struct mount_plan *mp,
			 char **upper, char **work)
{
	static const char *const opts[] = { "mode", "0755", NULL };
	struct stat st;
	char *lower;
	int dfd, r;

	if (mp->overlay_dir_real) {
		*upper = xasprintf("/oldroot%s/upper", mp->overlay_dir_real);
		*work = xasprintf("/oldroot%s/work", mp->overlay_dir_real);
		return 0;
	}
	if (mkdir("/ovl", 0755) < 0 || (dfd = open("/ovl", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sb_err(errno, "cannot create the upper layer's mount point: %s", strerror(errno));
	r = mount_new_fs(dfd, "tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	close(dfd);
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
	*upper = xstrdup("/ovl/upper");
	*work = xstrdup("/ovl/work");
	(void)spec;
	return 0;
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

char *escape_lower(const char *path)
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
	char *list = xstrdup(""), *one, *nl;
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

static int set_layers(int fsfd, const char *const *lower, size_t n, const char *upper,
		      const char *work, int legacy, int *held)
{
	const char *const dirs[2] = { upper, work }, *const keys[2] = { "upperdir", "workdir" };
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
	/* upperdir and workdir are unescaped by the kernel ('\\' dropped) */
	for (i = 0; i < 2 && r == 0 && upper; i++) {
		if (legacy)
			r = legacy_layer(dirs[i], &held[n + i], &v);
		else
			v = escape_lower(dirs[i]);
		if (r < 0)
			break;
		r = fsconfig(fsfd, FSCONFIG_SET_STRING, keys[i], v, 0) < 0 ? -errno : 0;
		free(v);
	}
	if (r == 0 && fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		r = -errno;
	return r;
}

int overlay_context(const char *const *lower, size_t n, const char *upper, const char *work,
		    char *why, size_t whylen)
{
	int legacy = overlay_context_legacy(), fsfd, r;
	int *held = xmalloc((n + 2) * sizeof *held);
	char log[768];
	size_t i;

	why[0] = '\0';
	for (i = 0; i < n + 2; i++)
		held[i] = -1;
	fsfd = legacy < 0 ? legacy : fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		r = legacy < 0 ? legacy : -errno;
		snprintf(why, whylen, "overlayfs is not available: %s", strerror(-r));
		free(held);
		return r;
	}
	r = set_layers(fsfd, lower, n, upper, work, legacy, held);
	if (r == 0 && fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		r = -errno;
	for (i = 0; i < n + 2; i++)
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

static int kernel_overlay(const char *lower, const char *upper, const char *work,
			  char *why, size_t whylen)
{
	int fsfd, mfd, r, e;

	fsfd = overlay_context(&lower, 1, upper, work, why, whylen);
	if (fsfd < 0)
		return fsfd;
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	e = errno;
	close(fsfd);
	if (mfd < 0) {
		snprintf(why, whylen, "fsmount: %s", strerror(e));
		return -e;
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

static int fuse_overlay(const char *bin, const char *lower, const char *upper, const char *work,
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
	if (strpbrk(lower, ",:\\") || strpbrk(upper, ",:\\") || strpbrk(work, ",:\\")) {
		close(fd);
		return sb_err(EINVAL, "fuse-overlayfs cannot take a layer path with ',', ':' or "
			      "'\\' in it: %s", strpbrk(lower, ",:\\") ? lower
			      : strpbrk(upper, ",:\\") ? upper : work);
	}
	link_host_dirs();
	pid = fork();
	if (pid < 0) {
		r = errno;
		close(fd);
		return sb_err(r, "fork: %s", strerror(r));
	}
	if (pid == 0) {
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
		snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
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
	close(fd);
	ov->fuse_pid = pid;
	/* The first access waits for the server's INIT; ENOTCONN if it died. */
	if (stat("/newroot/.", &st) < 0) {
		int st2 = 0;
		r = errno;
		kill(pid, SIGKILL);
		waitpid(pid, &st2, 0);
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
static bool takes_user_xattrs(const char *work)
{
	if (setxattr(work, "user.sandbox-probe", "1", 1, 0) == 0) {
		removexattr(work, "user.sandbox-probe");
		return true;
	}
	return errno != EOPNOTSUPP;
}

/* Whether to try the kernel's overlayfs: 1 yes, 0 fuse-overlayfs, or an
 * error for --overlay-driver kernel on an upper layer it cannot serve. */
static int want_kernel(const struct sandbox_spec *spec, const struct mount_plan *mp,
		       const char *work)
{
	const char *what = mp->overlay_dir_real ? "the filesystem of --overlay-dir"
						: "the upper layer's tmpfs";

	if (spec->overlay_driver == OVERLAY_FUSE)
		return 0;
	if (takes_user_xattrs(work))
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
	char *lower = xasprintf("/oldroot%s", mp->rootfs_real), *upper = NULL, *work = NULL;
	char why[1024];
	const char *nofuse = mp->fuse_why;
	char *bin = mp->fuse_bin ? xstrdup(mp->fuse_bin) : NULL; /* found through the links to the host */
	int r;

	ov->fuse_pid = -1;
	if ((r = prepare_upper(spec, mp, &upper, &work)) < 0 ||
	    (r = want_kernel(spec, mp, work)) < 0)
		goto out;
	if (r == 1) {
		r = kernel_overlay(lower, upper, work, why, sizeof why);
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
		if (mp->overlay_dir_real) {
			/* a failed kernel mount may have left work/work */
			char *ww = xasprintf("%s/work", work);
			rmdir(ww);
			free(ww);
		}
	} else if (nofuse && spec->overlay_driver == OVERLAY_FUSE) {
		r = sb_err(ENOENT, "--overlay-driver fuse: %s", nofuse);
		goto out;
	}
	r = fuse_overlay(bin, lower, upper, work, ov);
	if (r == 0) {
		ov->driver = "fuse";
		sb_step("root filesystem: fuse-overlayfs over %s (pid %d)", mp->rootfs_real,
			(int)ov->fuse_pid);
	}
out:
	free(bin);
	free(lower);
	free(upper);
	free(work);
	return r;
}
