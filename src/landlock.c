/* landlock.c - --landlock: the payload's file access limited to the mount
 * plan, as defence in depth behind the mounts themselves.
 *
 * After pivot_root the payload builds one ruleset from the plan: the root
 * and read-only paths may be read and executed, writable paths may also
 * be written, /dev and --dev-bind paths may also take device ioctls;
 * nothing may create a device node.  Landlock rights add up along a path,
 * so a read-only bind under a writable root stays read-only by its mount
 * flags, not by Landlock.  With ABI 6, abstract unix sockets and signals
 * are scoped to the sandbox: with --share-net the host's abstract sockets
 * are out of reach.  A restricted process can no longer change mounts.
 * Without --landlock, --x11=nested with --net host still scopes abstract
 * sockets (and nothing else), so that the host's displays stay out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "sandbox.h"

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* the kernel's struct landlock_ruleset_attr as of ABI 6 */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define LL_READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | \
		 LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_WRITE (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |     \
		  LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |        \
		  LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |          \
		  LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM |          \
		  LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)
#define LL_DEV LANDLOCK_ACCESS_FS_IOCTL_DEV
/* what a rule on a file (not a directory) may carry */
#define LL_FILE_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | \
			LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |  \
			LANDLOCK_ACCESS_FS_IOCTL_DEV)

enum ll_kind { LL_NONE, LL_RO, LL_RW, LL_DEVICES };

int landlock_abi(void)
{
	static int abi = -2;

	if (abi == -2) {
		long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
				 LANDLOCK_CREATE_RULESET_VERSION);
		abi = v < 0 ? 0 : (int)v;
	}
	return abi;
}

/* The rights every ruleset handles on this ABI. */
static uint64_t handled_fs(int abi)
{
	uint64_t h = LL_READ | LL_WRITE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
		     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LL_DEV;

	if (abi < 2)
		h &= ~LANDLOCK_ACCESS_FS_REFER;
	if (abi < 3)
		h &= ~LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi < 5)
		h &= ~LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

/* --x11 with the host's network (--net host).  The host's X servers also
 * listen on abstract sockets (@/tmp/.X11-unix/XN), which the network
 * namespace no longer keeps out.  Landlock's scope (ABI 6) closes them,
 * but a refused abstract connect (EPERM) is not one libxcb falls back
 * from to the socket file (it does so on ENOENT and ECONNREFUSED only):
 *   =nested: Xephyr listens on no abstract socket (-nolisten local), so
 *     its clients find none (ECONNREFUSED) and use the bound file; the
 *     host's displays are scoped out, with --landlock or without (then by
 *     a ruleset that scopes abstract sockets and nothing else);
 *   =host: scoping would cut the display's own clients off, so it is not
 *     done (not even by --landlock) and a warning says what stays open. */
static bool x11_nested_shared(const struct sandbox_spec *spec)
{
	return spec->personality != PERSONALITY_BWRAP && spec->desktop.x11 == X11_NESTED &&
	       spec->share_net;
}

static bool x11_host_shared(const struct sandbox_spec *spec)
{
	return spec->personality != PERSONALITY_BWRAP && spec->desktop.x11 == X11_HOST &&
	       spec->share_net;
}

static bool x11_scope_wanted(const struct sandbox_spec *spec)
{
	return x11_nested_shared(spec) && !spec->landlock;
}

/* In the setup process: tell what this kernel cannot do, before anything
 * starts; with --landlock=require, refuse. */
int landlock_preflight(const struct sandbox_spec *spec)
{
	int abi = landlock_abi();
	bool require = spec->landlock == 2;

	if (x11_nested_shared(spec) && abi < 6)
		sb_warn("--x11=nested with the host's network: this kernel's Landlock (ABI %d) "
			"cannot scope abstract unix sockets (ABI 6, Linux 6.12): the host's "
			"displays stay reachable through their abstract sockets", abi < 0 ? 0 : abi);
	if (x11_host_shared(spec))
		sb_warn("--x11 with the host's network: the host's abstract unix sockets stay "
			"reachable, and through them its other displays (scoping them out would "
			"cut off this display's clients too); --x11=nested keeps them out");
	if (!spec->landlock)
		return 0;
	if (abi < 1) {
		if (require)
			return sb_err(ENOTSUP, "--landlock=require: this kernel has no Landlock "
				      "(Linux 5.13 or later with the landlock LSM enabled, e.g. "
				      "lsm=landlock,... on the kernel command line)");
		sb_warn("--landlock: this kernel has no Landlock (Linux 5.13 or later with the "
			"landlock LSM enabled): the sandbox runs without it");
		return 0;
	}
	/* rights this ABI cannot restrict: said with -v, as the mounts still do */
	if (abi < 3)
		sb_step("--landlock: the kernel's Landlock ABI is %d: truncating files in "
			"writable paths is not restricted (ABI 3, Linux 6.2)", abi);
	if (abi < 5)
		sb_step("--landlock: the kernel's Landlock ABI is %d: device ioctls are not "
			"restricted to /dev and --dev-bind paths (ABI 5, Linux 6.10)", abi);
	if (spec->share_net && abi < 6) {
		if (require)
			return sb_err(ENOTSUP, "--landlock=require: the kernel's Landlock ABI is %d; "
				      "scoping abstract unix sockets with --share-net needs ABI 6 "
				      "(Linux 6.12)", abi);
		sb_warn("--landlock: the kernel's Landlock ABI is %d, older than 6 (Linux 6.12): "
			"the host's abstract unix sockets stay reachable with --share-net", abi);
	}
	if (spec->share_pid && abi < 6) {
		if (require)
			return sb_err(ENOTSUP, "--landlock=require: the kernel's Landlock ABI is %d; "
				      "scoping signals with --share-pid needs ABI 6 (Linux 6.12)",
				      abi);
		sb_warn("--landlock: the kernel's Landlock ABI is %d, older than 6 (Linux 6.12): "
			"the host's processes of your uid can be signalled with --share-pid", abi);
	}
	return 0;
}

static int add_path(int ruleset, const char *path, enum ll_kind kind, int abi)
{
	struct landlock_path_beneath_attr pb;
	uint64_t allowed;
	struct stat st;
	int fd, r = 0;

	if (kind == LL_NONE || !path)
		return 0;
	allowed = LL_READ;
	if (kind == LL_RW || kind == LL_DEVICES)
		allowed |= LL_WRITE;
	if (kind == LL_DEVICES)
		allowed |= LL_DEV;
	allowed &= handled_fs(abi);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == EACCES || errno == ENOTDIR))
		return 0; /* a -try source that was missing, or a path we cannot reach */
	if (fd < 0)
		return sb_err(errno, "--landlock: %s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		allowed &= LL_FILE_RIGHTS;
	pb.allowed_access = allowed;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		r = sb_err(errno, "--landlock: cannot add a rule for %s: %s", path, strerror(errno));
	close(fd);
	return r;
}

static enum ll_kind op_kind(const struct mount_op *op)
{
	switch (op->kind) {
	case MOP_BIND:
	case MOP_TMPFS:
	case MOP_PROC:
	case MOP_MQUEUE:
		return LL_RW;
	case MOP_RO_BIND:
		return LL_RO;
	case MOP_DEV_BIND:
	case MOP_DEV:
		return LL_DEVICES;
	case MOP_BIND_DATA:
		return op->ro ? LL_RO : LL_RW;
	case MOP_OVERLAY:
		return op->ovl == OVL_RO ? LL_RO : LL_RW;
	case MOP_DIR:
	case MOP_SYMLINK:
	case MOP_REMOUNT_RO:
	case MOP_FILE:
	case MOP_CHMOD:
	case MOP_HIDE:
		break;
	}
	return LL_NONE;
}

/* A ruleset that scopes abstract unix sockets alone (ABI 6) */
static int scope_abstract_sockets(void)
{
	struct ll_ruleset_attr attr;
	int rs, r = 0;

	memset(&attr, 0, sizeof attr);
	attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (rs < 0)
		return sb_err(errno, "--x11: cannot create a Landlock ruleset to keep the host's "
			      "abstract X socket out: %s", strerror(errno));
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		r = sb_err(errno, "--x11: cannot scope abstract sockets with Landlock: %s",
			   strerror(errno));
	close(rs);
	return r;
}

/* In the payload, after pivot_root and no_new_privs, before seccomp. */
int landlock_apply(const struct sandbox_spec *spec)
{
	struct ll_ruleset_attr attr;
	int abi = landlock_abi(), rs, r = 0;
	size_t i;

	if (x11_scope_wanted(spec) && abi >= 6)
		return scope_abstract_sockets();
	if (!spec->landlock || abi < 1)
		return 0; /* preflight warned */
	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = handled_fs(abi);
	if (abi >= 6)
		attr.scoped = LANDLOCK_SCOPE_SIGNAL |
			      (x11_host_shared(spec) ? 0 : LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr,
			  abi >= 6 ? sizeof attr : sizeof attr.handled_access_fs, 0);
	if (rs < 0)
		return sb_err(errno, "--landlock: cannot create a ruleset: %s", strerror(errno));

	/* the root: writable when it is a tmpfs, an overlay or --rootfs-rw */
	r = add_path(rs, "/", spec->rootfs_mode == ROOTFS_HOST || spec->rootfs_mode == ROOTFS_RO
				      ? LL_RO : LL_RW, abi);
	if (r == 0 && spec->personality != PERSONALITY_BWRAP) {
		static const struct { const char *path; enum ll_kind kind; } std[] = {
			{ "/proc", LL_RW }, { "/dev", LL_DEVICES }, { "/tmp", LL_RW },
			{ "/run", LL_RW }, { "/sys", LL_RO },
		};
		for (i = 0; i < sizeof std / sizeof std[0] && r == 0; i++)
			r = add_path(rs, std[i].path, std[i].kind, abi);
	}
	for (i = 0; i < spec->n_ops && r == 0; i++) {
		const char *d = spec->ops[i].dest;
		char *abs = d && d[0] != '/' ? xasprintf("/%s", d) : NULL;
		r = add_path(rs, abs ? abs : d, op_kind(&spec->ops[i]), abi);
		free(abs);
	}
	if (r == 0 && syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		r = sb_err(errno, "--landlock: cannot restrict the sandbox: %s", strerror(errno));
	close(rs);
	return r;
}
