/* options.c - the option table: for every option its name, arguments,
 * personality, handler and --help text, in --help's order; and the
 * handlers, by area.
 *
 * A handler turns one option into the plan (struct sandbox_spec): it
 * parses and checks its own arguments only.  Checks between options are
 * spec.c's (spec_finish), reading argv and --help are cli.c's.  Must not
 * do anything but fill the plan: no mounts, no namespaces, no processes;
 * the fds it reads (--file, --bind-data, --args, --seccomp) it reads to
 * the end and closes, as bwrap does.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include "cli.h"

static bool bwrap(const struct sandbox_spec *spec)
{
	return spec->personality == PERSONALITY_BWRAP;
}

/* Handlers that only set one field of the plan (SET), or read an fd
 * number into one (SET_FD). */
#define SET(fn, field, value)						\
	static int fn(struct cli *c, const struct opt *o, char **v)	\
	{								\
		c->spec->field = (value);				\
		return 0;						\
	}
#define SET_FD(fn, field)						\
	static int fn(struct cli *c, const struct opt *o, char **v)	\
	{								\
		return cli_parse_fd(o->name, v[0], &c->spec->field);	\
	}

/* ---- root filesystem ---- */

static int opt_rootfs(struct cli *c, const struct opt *o, char **v)
{
	if (!*v[0])
		return sb_err(EINVAL, "--rootfs: the directory name is empty");
	c->spec->rootfs = v[0];
	return 0;
}

SET(opt_read_only, rootfs_ro_asked, true)
SET(opt_rootfs_rw, rootfs_rw_asked, true)

/* the native --overlay, without arguments (bubblewrap's is a mount) */
SET(opt_overlay_flag, overlay_asked, true)

static int opt_overlay_dir(struct cli *c, const struct opt *o, char **v)
{
	if (!*v[0])
		return sb_err(EINVAL, "--overlay-dir: the directory name is empty");
	c->spec->overlay_dir = v[0];
	return 0;
}

static int opt_overlay_driver(struct cli *c, const struct opt *o, char **v)
{
	struct sandbox_spec *spec = c->spec;

	if (strcmp(v[0], "auto") == 0)
		spec->overlay_driver = OVERLAY_AUTO;
	else if (strcmp(v[0], "kernel") == 0)
		spec->overlay_driver = OVERLAY_KERNEL;
	else if (strcmp(v[0], "fuse") == 0)
		spec->overlay_driver = OVERLAY_FUSE;
	else
		return sb_err(EINVAL, "--overlay-driver: unknown driver '%s' "
			      "(auto, kernel or fuse)", v[0]);
	spec->overlay_driver_set = true;
	return 0;
}

/* ---- mount operations, in the order given ---- */

static struct mount_op *add_op(struct sandbox_spec *spec, enum mount_op_kind kind,
			       const char *opt, const char *src, const char *dest, bool try_)
{
	struct mount_op *op = spec_add_op(spec, kind, opt, src, dest);

	op->try_ = try_;
	return op;
}

/* Handlers that add an operation with nothing more to check. */
#define MOUNT(fn, kind, src, dest, try_)				\
	static int fn(struct cli *c, const struct opt *o, char **v)	\
	{								\
		add_op(c->spec, kind, o->name, src, dest, try_);	\
		return 0;						\
	}

MOUNT(opt_bind, MOP_BIND, v[0], v[1], false)
MOUNT(opt_bind_try, MOP_BIND, v[0], v[1], true)
MOUNT(opt_ro_bind, MOP_RO_BIND, v[0], v[1], false)
MOUNT(opt_ro_bind_try, MOP_RO_BIND, v[0], v[1], true)
MOUNT(opt_dev_bind, MOP_DEV_BIND, v[0], v[1], false)
MOUNT(opt_dev_bind_try, MOP_DEV_BIND, v[0], v[1], true)
MOUNT(opt_rw, MOP_BIND, v[0], v[0], false)
MOUNT(opt_ro, MOP_RO_BIND, v[0], v[0], false)

/* --bind-fd, --ro-bind-fd: the fd itself is bound; its path only names
 * it in messages */
static int bind_fd(struct cli *c, const struct opt *o, char **v, enum mount_op_kind kind)
{
	char link[64], target[PATH_MAX];
	struct mount_op *op;
	ssize_t n;
	int fd, r;

	if ((r = cli_parse_fd(o->name, v[0], &fd)) < 0)
		return r;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof target - 1);
	if (n <= 0 || target[0] != '/')
		return sb_err(EBADF, "%s %s: the descriptor does not refer to a path "
			      "in this mount namespace", o->name, v[0]);
	target[n] = '\0';
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return sb_err(errno, "%s %s: %s", o->name, v[0], strerror(errno));
	op = add_op(c->spec, kind, o->name, xstrdup(target), v[1], false);
	op->by_fd = true;
	op->fd = fd;
	return 0;
}

static int opt_bind_fd(struct cli *c, const struct opt *o, char **v)
{
	return bind_fd(c, o, v, MOP_BIND);
}

static int opt_ro_bind_fd(struct cli *c, const struct opt *o, char **v)
{
	return bind_fd(c, o, v, MOP_RO_BIND);
}

static int opt_tmpfs(struct cli *c, const struct opt *o, char **v)
{
	c->op = add_op(c->spec, MOP_TMPFS, o->name, NULL, v[0], false);
	return 0;
}

MOUNT(opt_proc, MOP_PROC, NULL, v[0], false)
MOUNT(opt_dev, MOP_DEV, NULL, v[0], false)
MOUNT(opt_mqueue, MOP_MQUEUE, NULL, v[0], false)

static int opt_dir(struct cli *c, const struct opt *o, char **v)
{
	c->op = add_op(c->spec, MOP_DIR, o->name, NULL, v[0], false);
	return 0;
}

MOUNT(opt_symlink, MOP_SYMLINK, v[0], v[1], false)
MOUNT(opt_remount_ro, MOP_REMOUNT_RO, NULL, v[0], false)

/* --file, --bind-data, --ro-bind-data FD DEST: FD read to its end now */
static int data_op(struct cli *c, const struct opt *o, char **v,
		   enum mount_op_kind kind, bool ro)
{
	struct mount_op *op;
	int fd, r;

	if ((r = cli_parse_fd(o->name, v[0], &fd)) < 0 && (r != -EBADF || !bwrap(c->spec)))
		return r;
	op = c->op = add_op(c->spec, kind, o->name, NULL, v[1], false);
	op->ro = ro;
	/* bwrap: bubblewrap's words when it copies the data */
	if (r == 0 && (r = read_fd_all(fd, &op->data, &op->data_len, 1u << 30)) < 0 &&
	    !bwrap(c->spec))
		return sb_err(-r, "%s %s: cannot read: %s", o->name, v[0], strerror(-r));
	if (r < 0)
		return sb_err(-r, "Can't write data to file %s: %s", v[1], strerror(-r));
	return 0;
}

static int opt_file(struct cli *c, const struct opt *o, char **v)
{
	return data_op(c, o, v, MOP_FILE, false);
}

static int opt_bind_data(struct cli *c, const struct opt *o, char **v)
{
	return data_op(c, o, v, MOP_BIND_DATA, false);
}

static int opt_ro_bind_data(struct cli *c, const struct opt *o, char **v)
{
	return data_op(c, o, v, MOP_BIND_DATA, true);
}

static int opt_chmod(struct cli *c, const struct opt *o, char **v)
{
	struct mount_op *op = c->op = add_op(c->spec, MOP_CHMOD, o->name, NULL, v[1], false);

	if (parse_octal(v[0], &op->perms) < 0 && bwrap(c->spec))
		return sb_err(EINVAL, "--chmod takes an octal argument <= 07777");
	if (parse_octal(v[0], &op->perms) < 0)
		return sb_err(EINVAL, "--chmod: invalid mode '%s' (octal, e.g. 0755)", v[0]);
	op->perms_set = true;
	return 0;
}

static int opt_perms(struct cli *c, const struct opt *o, char **v)
{
	struct pending *pd = &c->pd;

	if (pd->perms_set)
		return sb_err(EINVAL, "--perms given twice for the same action");
	if (parse_octal(v[0], &pd->perms) < 0 && bwrap(c->spec))
		return sb_err(EINVAL, "--perms takes an octal argument <= 07777");
	if (parse_octal(v[0], &pd->perms) < 0)
		return sb_err(EINVAL, "--perms: invalid mode '%s' (octal, e.g. 0700)", v[0]);
	pd->perms_set = true;
	return 0;
}

/* bwrap's --size: bubblewrap's strtoull(, 0) (decimal, 0x hex, 0 octal;
 * no k, M, G) and its words */
static int bwrap_size(const char *val, uint64_t *out)
{
	char *end = NULL;
	unsigned long long n;

	errno = 0;
	n = strtoull(val, &end, 0);
	if (errno || !isdigit((unsigned char)val[0]) || *end || n == 0)
		return sb_err(EINVAL, "--size takes a non-zero number of bytes");
	if (n > SIZE_MAX >> 1)
		return sb_err(ERANGE, "--size (for tmpfs) is limited to %zu", (size_t)(SIZE_MAX >> 1));
	*out = n;
	return 0;
}

static int opt_size(struct cli *c, const struct opt *o, char **v)
{
	struct pending *pd = &c->pd;

	if (pd->size)
		return sb_err(EINVAL, "--size given twice for the same action");
	if (bwrap(c->spec))
		return bwrap_size(v[0], &pd->size);
	if (parse_size(v[0], &pd->size) < 0 || pd->size == 0)
		return sb_err(EINVAL, "--size: invalid size '%s' (bytes, or with k, M, G)", v[0]);
	/* the kernel's tmpfs takes at most SSIZE_MAX (bwrap's limit) */
	if (pd->size > SIZE_MAX >> 1)
		return sb_err(ERANGE, "--size %s: at most %zu bytes", v[0], (size_t)(SIZE_MAX >> 1));
	return 0;
}

static int opt_overlay_src(struct cli *c, const struct opt *o, char **v)
{
	struct pending *pd = &c->pd;

	pd->lowers = xrealloc(pd->lowers, (pd->n_lowers + 1) * sizeof(char *));
	pd->lowers[pd->n_lowers++] = v[0];
	return 0;
}

/* bubblewrap's --overlay RWSRC WORKDIR DEST */
static int opt_overlay_mount(struct cli *c, const struct opt *o, char **v)
{
	if (c->pd.n_lowers == 0)
		return sb_err(EINVAL, "--overlay requires at least one --overlay-src");
	c->op = add_op(c->spec, MOP_OVERLAY, o->name, v[0], v[2], false);
	c->op->work = v[1];
	c->op->ovl = OVL_RW;
	return 0;
}

static int opt_tmp_overlay(struct cli *c, const struct opt *o, char **v)
{
	if (c->pd.n_lowers < 1)
		return sb_err(EINVAL, "%s requires at least %s --overlay-src", o->name, "one");
	c->op = add_op(c->spec, MOP_OVERLAY, o->name, NULL, v[0], false);
	c->op->ovl = OVL_TMP;
	return 0;
}

static int opt_ro_overlay(struct cli *c, const struct opt *o, char **v)
{
	if (c->pd.n_lowers < 2)
		return sb_err(EINVAL, "%s requires at least %s --overlay-src", o->name, "two");
	c->op = add_op(c->spec, MOP_OVERLAY, o->name, NULL, v[0], false);
	c->op->ovl = OVL_RO;
	return 0;
}

static int opt_hide(struct cli *c, const struct opt *o, char **v)
{
	if (!*v[0])
		return sb_err(EINVAL, "--hide: the path is empty");
	add_op(c->spec, MOP_HIDE, o->name, NULL, v[0], false);
	return 0;
}

/* ---- home directory and the built-in hide list ---- */

SET(opt_no_default_hide, no_default_hide, true)

static int opt_print_hides(struct cli *c, const struct opt *o, char **v)
{
	if (print_default_hides(stdout) < 0)
		return sb_err(EIO, "--print-hides: cannot write the list");
	return 1;
}

/* --home ro|tmpfs|persist[:DIR]|none (bare persist: --app-id's, spec.c) */
static int opt_home(struct cli *c, const struct opt *o, char **v)
{
	struct sandbox_spec *spec = c->spec;

	spec->home_dir = NULL;
	if (strcmp(v[0], "ro") == 0)
		spec->home = HOME_RO;
	else if (strcmp(v[0], "tmpfs") == 0)
		spec->home = HOME_TMPFS;
	else if (strcmp(v[0], "none") == 0)
		spec->home = HOME_NONE;
	else if (strcmp(v[0], "persist") == 0)
		spec->home = HOME_PERSIST;
	else if (str_has_prefix(v[0], "persist:") && v[0][8]) {
		spec->home = HOME_PERSIST;
		spec->home_dir = v[0] + 8;
	} else
		return sb_err(EINVAL, "--home: '%s' is not ro, tmpfs, persist[:DIR] or none", v[0]);
	return 0;
}

/* ---- identity ---- */

static int parse_id(const char *opt, const char *val, uint32_t *out)
{
	if (parse_u32(val, out) < 0 || *out == UINT32_MAX)
		return sb_err(EINVAL, "%s: invalid id '%s': expected a number from 0 to %u",
			      opt, val, UINT32_MAX - 1);
	return 0;
}

/* bubblewrap's words for a bad --uid or --gid */
static int bwrap_id(struct cli *c, const char *opt, const char *val, uint32_t *out)
{
	int r = parse_id(opt, val, out);

	if (r < 0 && bwrap(c->spec))
		return sb_err(EINVAL, "Invalid %s: %s", opt + 2, val);
	return r;
}

static int opt_uid(struct cli *c, const struct opt *o, char **v)
{
	int r = bwrap_id(c, o->name, v[0], &c->spec->uid);

	if (r == 0)
		c->spec->uid_set = true;
	return r;
}

static int opt_gid(struct cli *c, const struct opt *o, char **v)
{
	int r = bwrap_id(c, o->name, v[0], &c->spec->gid);

	if (r == 0)
		c->spec->gid_set = true;
	return r;
}

SET(opt_subids, subids, SUBIDS_FORCE)
SET(opt_no_subids, subids, SUBIDS_NEVER)

static int add_map(struct id_map *map, const char *opt, const char *val)
{
	struct id_range r;

	if (parse_id_map_entry(val, &r) < 0)
		return sb_err(EINVAL, "%s: invalid map entry '%s': expected IN:OUT:COUNT "
			      "(three decimal numbers, COUNT at least 1)", opt, val);
	if (map->n >= MAX_ID_RANGES)
		return sb_err(E2BIG, "%s: too many map entries (the kernel allows %d)",
			      opt, MAX_ID_RANGES);
	map->r[map->n++] = r;
	return 0;
}

static int opt_uid_map(struct cli *c, const struct opt *o, char **v)
{
	return add_map(&c->spec->uid_map_opt, o->name, v[0]);
}

static int opt_gid_map(struct cli *c, const struct opt *o, char **v)
{
	return add_map(&c->spec->gid_map_opt, o->name, v[0]);
}

/* ---- namespaces ---- */

static int opt_share_net(struct cli *c, const struct opt *o, char **v)
{
	c->spec->share_net = true;
	c->spec->net_mode = NET_HOST;
	return 0;
}

SET(opt_share_ipc, share_ipc, true)
SET(opt_share_pid, share_pid, true)
SET(opt_share_uts, share_uts, true)
SET(opt_share_cgroup, share_cgroup, true)
SET(opt_unshare_time, unshare_time, true)

static int opt_hostname(struct cli *c, const struct opt *o, char **v)
{
	if (!*v[0] || strlen(v[0]) > 64)
		return sb_err(EINVAL, "--hostname: '%s' is not a valid host name "
			      "(1 to 64 characters)", v[0]);
	c->spec->hostname = v[0];
	c->spec->hostname_set = true;
	return 0;
}

static int opt_unshare_all(struct cli *c, const struct opt *o, char **v)
{
	struct sandbox_spec *spec = c->spec;

	spec->unshare_user = spec->unshare_user_try = true;
	spec->share_ipc = spec->share_pid = spec->share_net = false;
	spec->share_uts = spec->share_cgroup = false;
	if (spec->net_mode == NET_HOST)
		spec->net_mode = NET_NONE;
	return 0;
}

/* also --unshare-user-try */
static int opt_unshare_user(struct cli *c, const struct opt *o, char **v)
{
	c->spec->unshare_user = true;
	if (strcmp(o->name, "--unshare-user") == 0)
		c->spec->unshare_user_exact = true;
	else
		c->spec->unshare_user_try = true;
	return 0;
}
SET(opt_unshare_ipc, share_ipc, false)
SET(opt_unshare_pid, share_pid, false)

static int opt_unshare_net(struct cli *c, const struct opt *o, char **v)
{
	c->spec->share_net = false;
	if (c->spec->net_mode == NET_HOST)
		c->spec->net_mode = NET_NONE;
	return 0;
}

SET(opt_unshare_uts, share_uts, false)

/* also --unshare-cgroup-try */
SET(opt_unshare_cgroup, share_cgroup, false)

SET_FD(opt_userns, userns_fd)
SET_FD(opt_userns2, userns2_fd)
SET_FD(opt_pidns, pidns_fd)

SET(opt_allow_userns, allow_userns, true)
SET(opt_disable_userns, disable_userns, true)
SET(opt_assert_userns_disabled, assert_userns_disabled, true)
SET(opt_not_a_security_boundary, not_a_security_boundary, true)

/* ---- network ---- */

static int opt_net(struct cli *c, const struct opt *o, char **v)
{
	static const enum net_mode modes[] = { NET_NONE, NET_HOST, NET_PASTA,
					       NET_SLIRP4NETNS, NET_AUTO };
	size_t k;

	for (k = 0; k < sizeof modes / sizeof modes[0]; k++)
		if (strcmp(v[0], net_mode_name(modes[k])) == 0)
			break;
	if (k == sizeof modes / sizeof modes[0])
		return sb_err(EINVAL, "--net: unknown mode '%s' (none, host, pasta, "
			      "slirp4netns or auto)", v[0]);
	c->spec->net_mode = modes[k];
	c->spec->share_net = modes[k] == NET_HOST;
	return 0;
}

/* the first option that needs a network helper, named if there is none */
static void net_opt_seen(struct sandbox_spec *spec, const char *name)
{
	if (!spec->net_opt)
		spec->net_opt = name;
}

static int opt_publish(struct cli *c, const struct opt *o, char **v)
{
	struct sandbox_spec *spec = c->spec;
	int r;

	spec->publish = xrealloc(spec->publish, (spec->n_publish + 1) * sizeof *spec->publish);
	if ((r = net_parse_publish(v[0], &spec->publish[spec->n_publish])) < 0)
		return r;
	spec->n_publish++;
	net_opt_seen(spec, "--publish");
	return 0;
}

static int opt_allow_host_loopback(struct cli *c, const struct opt *o, char **v)
{
	c->spec->allow_host_loopback = true;
	net_opt_seen(c->spec, o->name);
	return 0;
}

static int opt_net_allow(struct cli *c, const struct opt *o, char **v)
{
	struct sandbox_spec *spec = c->spec;
	int r;

	spec->allow = xrealloc(spec->allow, (spec->n_allow + 1) * sizeof *spec->allow);
	if ((r = net_parse_allow(v[0], &spec->allow[spec->n_allow])) < 0)
		return r;
	spec->n_allow++;
	net_opt_seen(spec, o->name);
	return 0;
}

static int opt_dns(struct cli *c, const struct opt *o, char **v)
{
	struct in_addr ip;

	if (inet_pton(AF_INET, v[0], &ip) != 1)
		return sb_err(EINVAL, "--dns %s: not an IPv4 address (the sandbox's "
			      "network is IPv4 only)", v[0]);
	c->spec->dns = v[0];
	net_opt_seen(c->spec, o->name);
	return 0;
}

/* ---- the process: environment, directory, session ---- */

static int opt_chdir(struct cli *c, const struct opt *o, char **v)
{
	if (c->spec->chdir && bwrap(c->spec))
		sb_warn("Only the last --chdir option will take effect");
	else if (c->spec->chdir)
		sb_warn("--chdir given more than once: %s is used", v[0]);
	c->spec->chdir = v[0];
	return 0;
}

static void add_env(struct sandbox_spec *spec, enum env_op_kind kind,
		    const char *name, const char *value)
{
	struct env_op *e;

	spec->env_ops = xrealloc(spec->env_ops, (spec->n_env_ops + 1) * sizeof *e);
	e = &spec->env_ops[spec->n_env_ops++];
	e->kind = kind;
	e->name = name;
	e->value = value;
}

static int opt_setenv(struct cli *c, const struct opt *o, char **v)
{
	if (!*v[0] || strchr(v[0], '='))
		return sb_err(EINVAL, "--setenv: invalid variable name '%s'", v[0]);
	add_env(c->spec, ENV_SET, v[0], v[1]);
	return 0;
}

static int opt_unsetenv(struct cli *c, const struct opt *o, char **v)
{
	if (!*v[0] || strchr(v[0], '='))
		return sb_err(EINVAL, "--unsetenv: invalid variable name '%s'", v[0]);
	add_env(c->spec, ENV_UNSET, v[0], NULL);
	return 0;
}

static int opt_clearenv(struct cli *c, const struct opt *o, char **v)
{
	c->spec->clearenv = true;
	c->spec->n_env_ops = 0; /* earlier --setenv are cleared too */
	return 0;
}

static int opt_argv0(struct cli *c, const struct opt *o, char **v)
{
	if (c->spec->argv0 && bwrap(c->spec))
		return sb_err(EINVAL, "--argv0 used multiple times");
	c->spec->argv0 = v[0];
	return 0;
}

static int opt_keep_fd(struct cli *c, const struct opt *o, char **v)
{
	struct sandbox_spec *spec = c->spec;
	int fd, r;

	if ((r = cli_parse_fd(o->name, v[0], &fd)) < 0)
		return r;
	spec->keep_fds = xrealloc(spec->keep_fds, (spec->n_keep_fds + 1) * sizeof(int));
	spec->keep_fds[spec->n_keep_fds++] = fd;
	return 0;
}

SET(opt_as_pid_1, as_pid_1, true)
SET(opt_new_session, new_session, true)
SET(opt_die_with_parent, die_with_parent, true)

/* ---- privileges ---- */

static int opt_cap_add(struct cli *c, const struct opt *o, char **v)
{
	uint64_t mask;
	int r;

	if ((r = caps_parse(v[0], &mask)) < 0 && bwrap(c->spec))
		return sb_err(EINVAL, "unknown cap: %s", v[0]);
	if (r < 0)
		return sb_errctx(r, "%s", o->name);
	c->spec->caps_add |= mask;
	c->spec->caps_drop &= ~mask;
	return 0;
}

static int opt_cap_drop(struct cli *c, const struct opt *o, char **v)
{
	uint64_t mask;
	int r;

	if ((r = caps_parse(v[0], &mask)) < 0 && bwrap(c->spec))
		return sb_err(EINVAL, "unknown cap: %s", v[0]);
	if (r < 0)
		return sb_errctx(r, "%s", o->name);
	c->spec->caps_drop |= mask;
	c->spec->caps_add &= ~mask;
	return 0;
}

/* ---- integration: bubblewrap's fd protocols ---- */

/* --args FD: the words read from FD take its place, then are read as
 * options themselves */
static int opt_args(struct cli *c, const struct opt *o, char **v)
{
	int fd, r;

	if ((r = cli_parse_fd(o->name, v[0], &fd)) < 0)
		return r;
	if (++c->depth > 1000)
		return sb_err(ELOOP, "--args: too deeply nested");
	if ((r = cli_splice_args(c, fd)) < 0)
		return r;
	c->next = c->i - 1; /* re-read from the first spliced word */
	return 0;
}

SET_FD(opt_info_fd, info_fd)
SET_FD(opt_json_status_fd, json_status_fd)
SET_FD(opt_sync_fd, sync_fd)
SET_FD(opt_block_fd, block_fd)
SET_FD(opt_userns_block_fd, userns_block_fd)

static int opt_lock_file(struct cli *c, const struct opt *o, char **v)
{
	struct sandbox_spec *spec = c->spec;

	spec->lock_files = xrealloc(spec->lock_files, (spec->n_lock_files + 1) * sizeof(char *));
	spec->lock_files[spec->n_lock_files++] = v[0];
	return 0;
}

/* --seccomp, --add-seccomp-fd: the programs are read once every option is
 * known (cli.c), so that a conflict between the two is said first */
static int seccomp_fd(struct cli *c, const struct opt *o, char **v, bool replace)
{
	struct pending *pd = &c->pd;
	int fd, r;

	if ((r = cli_parse_fd(o->name, v[0], &fd)) < 0)
		return r;
	if (replace && pd->sc_add)
		return sb_err(EINVAL, "--seccomp cannot be combined with --add-seccomp-fd");
	if (!replace && pd->sc_replace)
		return sb_err(EINVAL, "--add-seccomp-fd cannot be combined with --seccomp");
	if (replace)
		c->spec->seccomp_legacy = pd->sc_replace = true;
	else
		pd->sc_add = true;
	pd->sc = xrealloc(pd->sc, (pd->n_sc + 1) * sizeof *pd->sc);
	pd->sc[pd->n_sc++] = (struct pending_sc){ fd, replace, o->name };
	return 0;
}

static int opt_seccomp(struct cli *c, const struct opt *o, char **v)
{
	return seccomp_fd(c, o, v, true);
}

static int opt_add_seccomp_fd(struct cli *c, const struct opt *o, char **v)
{
	return seccomp_fd(c, o, v, false);
}

SET(opt_exec_label, exec_label, v[0])
SET(opt_file_label, file_label, v[0])

static int opt_level_prefix(struct cli *c, const struct opt *o, char **v)
{
	c->spec->level_prefix = sb_level_prefix = true;
	return 0;
}

/* ---- security ---- */

static int opt_seccomp_policy(struct cli *c, const struct opt *o, char **v)
{
	if (!*v[0])
		return sb_err(EINVAL, "--seccomp-policy: expected default, none or a "
			      "policy file");
	c->spec->seccomp_policy = v[0];
	return 0;
}

static int opt_landlock(struct cli *c, const struct opt *o, char **v)
{
	if (c->spec->landlock < 1)
		c->spec->landlock = 1;
	return 0;
}

SET(opt_landlock_require, landlock, 2)

/* ---- resource limits: rlimit.c and cgroup.c parse them ---- */

static int opt_limit(struct cli *c, const struct opt *o, char **v)
{
	return limits_option(c->spec, o->name, o->nargs ? v[0] : NULL);
}

/* ---- the desktop pass-through: desktop.c parses it ---- */

static int opt_desktop(struct cli *c, const struct opt *o, char **v)
{
	const char *eq = strchr(o->name, '=');
	char name[16];

	snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - o->name) : (int)sizeof name - 1,
		 o->name);
	return desktop_option(c->spec, name, eq ? eq + 1 : NULL);
}

/* ---- profiles: profile.c reads them, cli.c applies them ---- */

/* --profile NAME|PATH: its options, read at this place */
static int opt_profile(struct cli *c, const struct opt *o, char **v)
{
	struct profile *p = xcalloc(1, sizeof *p); /* the plan points into it */
	int r;

	if ((r = profile_load(v[0], p)) < 0)
		return r;
	if (++c->depth > 1000)
		return sb_err(ELOOP, "--profile: too deeply nested");
	return cli_run_profile(c, p);
}

static int opt_profile_show(struct cli *c, const struct opt *o, char **v)
{
	struct profile p;
	int r;

	if ((r = profile_load(v[0], &p)) < 0)
		return r;
	profile_print(&p, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		return sb_err(EIO, "--profile-show: cannot write the options");
	return 1;
}

static int opt_list_profiles(struct cli *c, const struct opt *o, char **v)
{
	if (profile_list(stdout) < 0 || fflush(stdout) != 0)
		return sb_err(EIO, "--list-profiles: cannot write the list");
	return 1;
}

static int opt_share(struct cli *c, const struct opt *o, char **v)
{
	return share_option(c->spec, v[0]);
}

SET(opt_allow_dangerous, allow_dangerous, true)
SET(opt_desktop_look, desktop_look, true)

/* ---- D-Bus: dbus.c parses it ---- */

static int opt_dbus(struct cli *c, const struct opt *o, char **v)
{
	const char *eq = strchr(o->name, '=');
	char name[24];

	snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - o->name) : (int)sizeof name - 1,
		 o->name);
	return dbus_option(c->spec, name, eq ? eq + 1 : o->nargs ? v[0] : NULL);
}

/* ---- named sandboxes: state.c, enter.c ---- */

static int opt_name(struct cli *c, const struct opt *o, char **v)
{
	if (!state_name_ok(v[0]))
		return sb_err(EINVAL, "--name %s: expected 1 to 64 letters, digits, '_', '.' or "
			      "'-', not starting with '.' or '-'", v[0]);
	c->spec->name = v[0];
	return 0;
}

static int opt_list(struct cli *c, const struct opt *o, char **v)
{
	c->spec->mode = CMD_LIST;
	return 0;
}

SET(opt_json, json, true)

static int opt_stop(struct cli *c, const struct opt *o, char **v)
{
	if (!state_name_ok(v[0]))
		return sb_err(EINVAL, "--stop %s: not a sandbox name", v[0]);
	c->spec->mode = CMD_STOP;
	c->spec->stop_name = v[0];
	return 0;
}

static int opt_enter(struct cli *c, const struct opt *o, char **v)
{
	if (!state_name_ok(v[0]))
		return sb_err(EINVAL, "--enter %s: not a sandbox name", v[0]);
	c->spec->mode = CMD_ENTER;
	c->spec->stop_name = v[0];
	return 0;
}

static int opt_tty(struct cli *c, const struct opt *o, char **v)
{
	if (strcmp(v[0], "auto") == 0)
		c->spec->tty_mode = TTY_AUTO;
	else if (strcmp(v[0], "always") == 0)
		c->spec->tty_mode = TTY_ALWAYS;
	else if (strcmp(v[0], "never") == 0)
		c->spec->tty_mode = TTY_NEVER;
	else
		return sb_err(EINVAL, "--tty %s: expected auto, always or never", v[0]);
	return 0;
}

static int opt_grace(struct cli *c, const struct opt *o, char **v)
{
	if (parse_duration(v[0], &c->spec->grace_ns) < 0 ||
	    c->spec->grace_ns > 3600ULL * 1000000000ULL)
		return sb_err(EINVAL, "--grace %s: expected a duration up to 1h (10, 1.5s, 500ms)",
			      v[0]);
	c->spec->grace_set = true;
	return 0;
}

/* ---- other ---- */

static int opt_verbose(struct cli *c, const struct opt *o, char **v)
{
	c->spec->verbose++;
	return 0;
}

static int opt_help(struct cli *c, const struct opt *o, char **v)
{
	cli_print_usage(c->spec, c->argv[0], stdout);
	return 1;
}

static int opt_version(struct cli *c, const struct opt *o, char **v)
{
	if (bwrap(c->spec))
		printf("bubblewrap %s\n", BWRAP_COMPAT_VERSION);
	else
		printf("sandbox %s\n", SANDBOX_VERSION);
	return 1;
}

/* ---- the table ---- */

#define TEXT(s) { NULL, NULL, NULL, 0, P_BOTH, 0, NULL, s }

/* In --help's order; the TEXT rows are printed as they are.  An option's
 * line is its name and arguments, then its help text in column 30 (or two
 * blanks after a longer name, or from the next line if the text starts
 * with '\n'). */
const struct opt cli_opts[] = {
	TEXT("Usage: sandbox [OPTION...] [--] COMMAND [ARG...]\n"
	     "Run COMMAND confined: new user, mount, pid, network, ipc, uts and cgroup\n"
	     "namespaces, no capabilities, a fresh /proc, /dev, /tmp and /run.\n"),
	TEXT("\nRoot filesystem:\n"),
	{ "--rootfs", NULL, "DIR", 1, P_NATIVE, 0, opt_rootfs,
	  "use DIR as / (default: the host's / read-only);\n"
	  "writes go to a throwaway overlay, DIR is unchanged" },
	{ "--overlay", NULL, NULL, 0, P_NATIVE, 0, opt_overlay_flag,
	  "the throwaway overlay over DIR (the default)" },
	{ "--overlay-dir", NULL, "DIR2", 1, P_NATIVE, 0, opt_overlay_dir,
	  "keep the overlay's writes in DIR2 (reusable)" },
	{ "--overlay-driver", NULL, "auto|kernel|fuse", 1, P_NATIVE, 0, opt_overlay_driver,
	  "\n"
	  "kernel overlayfs or fuse-overlayfs (default: auto,\n"
	  "the kernel's where it allows it)" },
	{ "--read-only", NULL, NULL, 0, P_NATIVE, 0, opt_read_only,
	  "bind DIR read-only, no overlay" },
	{ "--rootfs-rw", NULL, NULL, 0, P_NATIVE, 0, opt_rootfs_rw,
	  "bind DIR writable, no overlay: writes change DIR" },
	TEXT("\nMount operations, applied in the order given:\n"),
	{ "--bind", NULL, "SRC DEST", 2, P_BOTH, 0, opt_bind,
	  "bind host path SRC on DEST, writable" },
	{ "--bind-try", NULL, "SRC DEST", 2, P_BOTH, 0, opt_bind_try,
	  "like --bind; nothing happens if SRC is missing" },
	{ "--ro-bind", NULL, "SRC DEST", 2, P_BOTH, 0, opt_ro_bind,
	  "bind SRC on DEST read-only" },
	{ "--ro-bind-try", NULL, "SRC DEST", 2, P_BOTH, 0, opt_ro_bind_try,
	  "like --ro-bind; nothing if SRC is missing" },
	{ "--dev-bind", NULL, "SRC DEST", 2, P_BOTH, 0, opt_dev_bind,
	  "bind SRC on DEST, device nodes usable" },
	{ "--dev-bind-try", NULL, "SRC DEST", 2, P_BOTH, 0, opt_dev_bind_try,
	  "like --dev-bind; nothing if SRC is missing" },
	{ "--bind-fd", NULL, "FD DEST", 2, P_BOTH, 0, opt_bind_fd,
	  "bind the directory open at FD on DEST" },
	{ "--ro-bind-fd", NULL, "FD DEST", 2, P_BOTH, 0, opt_ro_bind_fd,
	  "like --bind-fd, read-only" },
	{ "--rw", NULL, "PATH", 1, P_NATIVE, 0, opt_rw,
	  "same as --bind PATH PATH" },
	{ "--ro", NULL, "PATH", 1, P_NATIVE, 0, opt_ro,
	  "same as --ro-bind PATH PATH" },
	{ "--tmpfs", NULL, "DEST", 1, P_BOTH, F_PERMS, opt_tmpfs,
	  "mount a new tmpfs on DEST" },
	{ "--proc", NULL, "DEST", 1, P_BOTH, 0, opt_proc,
	  "mount a new procfs on DEST" },
	{ "--dev", NULL, "DEST", 1, P_BOTH, 0, opt_dev,
	  "mount a new minimal /dev on DEST" },
	{ "--mqueue", NULL, "DEST", 1, P_BOTH, 0, opt_mqueue,
	  "mount a new mqueue filesystem on DEST" },
	{ "--dir", NULL, "DEST", 1, P_BOTH, F_PERMS, opt_dir,
	  "create directory DEST" },
	{ "--file", NULL, "FD DEST", 2, P_BOTH, F_PERMS, opt_file,
	  "create file DEST with the content read from FD" },
	{ "--bind-data", NULL, "FD DEST", 2, P_BOTH, F_PERMS, opt_bind_data,
	  "bind a file with the content read from FD on DEST" },
	{ "--ro-bind-data", NULL, "FD DEST", 2, P_BOTH, F_PERMS, opt_ro_bind_data,
	  "like --bind-data, read-only" },
	{ "--symlink", NULL, "TARGET DEST", 2, P_BOTH, 0, opt_symlink,
	  "create symbolic link DEST pointing to TARGET" },
	{ "--chmod", NULL, "OCTAL PATH", 2, P_BOTH, 0, opt_chmod,
	  "set the mode of PATH" },
	{ "--remount-ro", NULL, "DEST", 1, P_BOTH, 0, opt_remount_ro,
	  "make the mount at DEST read-only" },
	{ "--perms", NULL, "OCTAL", 1, P_BOTH, F_PERMS, opt_perms,
	  "mode of the next --tmpfs, --dir, --file, --bind-data" },
	{ "--size", NULL, "BYTES", 1, P_BOTH, F_PERMS, opt_size,
	  "size of the next --tmpfs (k, M, G suffixes)" },
	{ "--overlay-src", NULL, "SRC", 1, P_BOTH, F_LOWERS, opt_overlay_src,
	  "a lower layer for the next overlay operation" },
	{ "--overlay", NULL, "RWSRC WORKDIR DEST", 3, P_BOTH, F_LOWERS, opt_overlay_mount,
	  "(after --overlay-src) overlay on DEST with\n"
	  "RWSRC as the writable layer" },
	{ "--tmp-overlay", NULL, "DEST", 1, P_BOTH, F_LOWERS, opt_tmp_overlay,
	  "overlay on DEST whose writes are thrown away" },
	{ "--ro-overlay", NULL, "DEST", 1, P_BOTH, F_LOWERS, opt_ro_overlay,
	  "read-only overlay of two or more --overlay-src" },
	{ "--hide", NULL, "PATH", 1, P_NATIVE, 0, opt_hide,
	  "an empty node of mode 000 over PATH (nothing if\n"
	  "PATH is missing)" },
	TEXT("\nHome directory and the built-in hide list:\n"),
	{ "--no-default-hide", NULL, NULL, 0, P_NATIVE, 0, opt_no_default_hide,
	  "show the built-in hide list: keys, agents'\n"
	  "sockets, browser profiles, other users' homes" },
	{ "--print-hides", NULL, NULL, 0, P_NATIVE, F_CMDLINE, opt_print_hides,
	  "print that list for this user and exit" },
	{ "--home", NULL, "ro|tmpfs|persist|persist:DIR|none", 1, P_NATIVE, 0, opt_home,
	  "\n"
	  "your home directory: read-only (the default),\n"
	  "an empty tmpfs, DIR bound writable (default\n"
	  "with --app-id ID: ~/.local/share/sandbox/ID),\n"
	  "or hidden" },
	TEXT("\nIdentity:\n"),
	{ "--uid", NULL, "N", 1, P_BOTH, F_ENTER, opt_uid,
	  "uid inside the sandbox (default: yours)" },
	{ "--gid", NULL, "N", 1, P_BOTH, 0, opt_gid,
	  "gid inside (default: yours, 0 with --uid 0)" },
	{ "--subids", NULL, NULL, 0, P_NATIVE, 0, opt_subids,
	  "map your /etc/subuid and /etc/subgid ranges" },
	{ "--no-subids", NULL, NULL, 0, P_NATIVE, 0, opt_no_subids,
	  "map only your own uid and gid" },
	{ "--uid-map", NULL, "IN:OUT:COUNT", 1, P_NATIVE, 0, opt_uid_map,
	  "explicit uid map entry (repeatable)" },
	{ "--gid-map", NULL, "IN:OUT:COUNT", 1, P_NATIVE, 0, opt_gid_map,
	  "explicit gid map entry (repeatable)" },
	TEXT("\nNamespaces:\n"),
	{ "--share-net", NULL, NULL, 0, P_BOTH, 0, opt_share_net,
	  "keep the host's network namespace" },
	{ "--share-ipc", NULL, NULL, 0, P_NATIVE, 0, opt_share_ipc,
	  "keep the host's ipc namespace" },
	{ "--share-pid", NULL, NULL, 0, P_NATIVE, 0, opt_share_pid,
	  "keep the host's pid namespace" },
	{ "--share-uts", NULL, NULL, 0, P_NATIVE, 0, opt_share_uts,
	  "keep the host's uts namespace" },
	{ "--share-cgroup", NULL, NULL, 0, P_NATIVE, 0, opt_share_cgroup,
	  "keep the host's cgroup namespace" },
	{ "--unshare-time", NULL, NULL, 0, P_NATIVE, 0, opt_unshare_time,
	  "add a new time namespace" },
	{ "--hostname", NULL, "NAME", 1, P_BOTH, 0, opt_hostname,
	  "hostname inside (default: sandbox)" },
	{ "--unshare-all", NULL, NULL, 0, P_BOTH, 0, opt_unshare_all,
	  "bwrap's switches: here every namespace is new" },
	{ "--unshare-user", NULL, NULL, 0, P_BOTH, 0, opt_unshare_user,
	  "already, unless a --share option says so, and" },
	{ "--unshare-user-try", NULL, NULL, 0, P_BOTH, 0, opt_unshare_user,
	  "these undo an earlier --share option" },
	{ "--unshare-ipc", NULL, NULL, 0, P_BOTH, 0, opt_unshare_ipc,
	  "" },
	{ "--unshare-pid", NULL, NULL, 0, P_BOTH, 0, opt_unshare_pid,
	  "" },
	{ "--unshare-net", NULL, NULL, 0, P_BOTH, 0, opt_unshare_net,
	  "" },
	{ "--unshare-uts", NULL, NULL, 0, P_BOTH, 0, opt_unshare_uts,
	  "" },
	{ "--unshare-cgroup", NULL, NULL, 0, P_BOTH, 0, opt_unshare_cgroup,
	  "" },
	{ "--unshare-cgroup-try", NULL, NULL, 0, P_BOTH, 0, opt_unshare_cgroup,
	  "" },
	{ "--userns", NULL, "FD", 1, P_BOTH, 0, opt_userns,
	  "use the user namespace open at FD" },
	{ "--userns2", NULL, "FD", 1, P_BOTH, 0, opt_userns2,
	  "switch to the user namespace at FD after setup" },
	{ "--pidns", NULL, "FD", 1, P_BOTH, 0, opt_pidns,
	  "use (or, with a new one, nest in) the pid\n"
	  "namespace at FD" },
	{ "--allow-userns", NULL, NULL, 0, P_NATIVE, 0, opt_allow_userns,
	  "let the command create user namespaces (refused\n"
	  "by default: nested sandboxes, browsers need it)" },
	{ "--disable-userns", NULL, NULL, 0, P_BOTH, 0, opt_disable_userns,
	  "the sandbox may not create user namespaces" },
	{ "--assert-userns-disabled", NULL, NULL, 0, P_BOTH, 0, opt_assert_userns_disabled,
	  "fail unless that is already so" },
	{ "--not-a-security-boundary", NULL, NULL, 0, P_BOTH, 0, opt_not_a_security_boundary,
	  "a submount that cannot be made read-only\n"
	  "(--ro-bind) only gives a warning" },
	TEXT("\nNetwork:\n"),
	{ "--net", NULL, "none|host|pasta|slirp4netns|auto", 1, P_NATIVE, 0, opt_net,
	  "\n"
	  "none: loopback only (the default); host: the\n"
	  "host's network; pasta, slirp4netns: a userspace\n"
	  "network, 10.0.2.100/24 (auto: pasta where\n"
	  "installed, else slirp4netns)" },
	{ "--publish", "-p", "[HOSTIP:]HOSTPORT:PORT[/tcp|/udp]", 1, P_NATIVE, 0, opt_publish,
	  "\n"
	  "forward HOSTIP:HOSTPORT (default HOSTIP:\n"
	  "127.0.0.1) to PORT inside (repeatable)" },
	{ "--allow-host-loopback", NULL, NULL, 0, P_NATIVE, 0, opt_allow_host_loopback,
	  "let the sandbox reach the host's 127.0.0.1\n"
	  "services at 10.0.2.2, host.sandbox.internal" },
	{ "--net-allow", NULL, "HOST|ADDR[/PREFIX][:PORT]", 1, P_NATIVE, 0, opt_net_allow,
	  "\n"
	  "allow egress only to these destinations\n"
	  "(repeatable; the rest is refused at once)" },
	{ "--dns", NULL, "ADDR", 1, P_NATIVE, 0, opt_dns,
	  "nameserver of /etc/resolv.conf (default: the\n"
	  "helper's DNS forwarder, 10.0.2.3)" },
	TEXT("\nProcess:\n"),
	{ "--chdir", NULL, "DIR", 1, P_BOTH, F_ENTER, opt_chdir,
	  "working directory inside (default: the\n"
	  "current one where it exists, else /)" },
	{ "--setenv", NULL, "VAR VALUE", 2, P_BOTH, F_ENTER, opt_setenv,
	  "set an environment variable" },
	{ "--unsetenv", NULL, "VAR", 1, P_BOTH, F_ENTER, opt_unsetenv,
	  "unset an environment variable" },
	{ "--clearenv", NULL, NULL, 0, P_BOTH, 0, opt_clearenv,
	  "start from an empty environment" },
	{ "--argv0", NULL, "VALUE", 1, P_BOTH, 0, opt_argv0,
	  "argv[0] for COMMAND" },
	{ "--keep-fd", NULL, "FD", 1, P_NATIVE, 0, opt_keep_fd,
	  "pass inherited fd FD to COMMAND (repeatable)" },
	{ "--as-pid-1", NULL, NULL, 0, P_BOTH, 0, opt_as_pid_1,
	  "run COMMAND as pid 1 (no reaper in between)" },
	{ "--new-session", NULL, NULL, 0, P_BOTH, 0, opt_new_session,
	  "run COMMAND in a new session (setsid)" },
	{ "--die-with-parent", NULL, NULL, 0, P_BOTH, 0, opt_die_with_parent,
	  "kill the sandbox when sandbox's parent dies" },
	TEXT("\nPrivileges:\n"),
	{ "--cap-add", NULL, "CAP", 1, P_BOTH, 0, opt_cap_add,
	  "keep capability CAP inside (ALL for all)" },
	{ "--cap-drop", NULL, "CAP", 1, P_BOTH, 0, opt_cap_drop,
	  "drop CAP (ALL for all)\n"
	  "(uid 0 inside starts with CHOWN DAC_OVERRIDE FOWNER\n"
	  "FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP\n"
	  "SETUID SYS_CHROOT, over the sandbox only; others none)" },
	TEXT("\nIntegration (bubblewrap's protocols):\n"),
	{ "--args", NULL, "FD", 1, P_BOTH, 0, opt_args,
	  "read NUL-separated arguments from FD (nests)" },
	{ "--info-fd", NULL, "FD", 1, P_BOTH, 0, opt_info_fd,
	  "write pid and namespace ids to FD as JSON" },
	{ "--json-status-fd", NULL, "FD", 1, P_BOTH, 0, opt_json_status_fd,
	  "JSON lines: start (pid, namespaces), exit code" },
	{ "--sync-fd", NULL, "FD", 1, P_BOTH, 0, opt_sync_fd,
	  "keep FD open while the sandbox runs" },
	{ "--block-fd", NULL, "FD", 1, P_BOTH, 0, opt_block_fd,
	  "wait for data on FD before running COMMAND" },
	{ "--userns-block-fd", NULL, "FD", 1, P_BOTH, 0, opt_userns_block_fd,
	  "wait on FD while another program maps the ids" },
	{ "--lock-file", NULL, "DEST", 1, P_BOTH, 0, opt_lock_file,
	  "hold a lock on DEST while the sandbox runs" },
	{ "--seccomp", NULL, "FD", 1, P_BOTH, 0, opt_seccomp,
	  "load a compiled seccomp program from FD" },
	{ "--add-seccomp-fd", NULL, "FD", 1, P_BOTH, 0, opt_add_seccomp_fd,
	  "add a compiled seccomp program (repeatable)" },
	{ "--exec-label", NULL, "LABEL", 1, P_BOTH, 0, opt_exec_label,
	  "SELinux label (not supported on SELinux hosts)" },
	{ "--file-label", NULL, "LABEL", 1, P_BOTH, 0, opt_file_label,
	  "SELinux file label (same)" },
	{ "--level-prefix", NULL, NULL, 0, P_BOTH, 0, opt_level_prefix,
	  "prefix messages with a syslog level (<3>, <4>)" },
	TEXT("Security:\n"),
	{ "--seccomp-policy", NULL, "POLICY", 1, P_NATIVE, 0, opt_seccomp_policy,
	  "default: the built-in system call policy; none: no\n"
	  "policy; else a policy file (see sandbox(1))" },
	{ "--landlock", NULL, NULL, 0, P_NATIVE, 0, opt_landlock,
	  "limit file access to the mount plan and scope\n"
	  "abstract sockets and signals (Landlock);\n"
	  "=require: fail where the kernel cannot" },
	{ "--landlock=require", NULL, NULL, 0, P_NATIVE, 0, opt_landlock_require, NULL },
	TEXT("\nDesktop (by default none of these):\n"),
	{ "--x11", NULL, NULL, 0, P_NATIVE, 0, opt_desktop,
	  "the host's X display (=host), with a cookie for\n"
	  "it alone; =nested: a display of its own in an\n"
	  "Xephyr window; =none: no display (the default)" },
	{ "--x11=host", NULL, NULL, 0, P_NATIVE, 0, opt_desktop, NULL },
	{ "--x11=none", NULL, NULL, 0, P_NATIVE, 0, opt_desktop, NULL },
	{ "--x11=nested", NULL, NULL, 0, P_NATIVE, 0, opt_desktop, NULL },
	{ "--wayland", NULL, NULL, 0, P_NATIVE, 0, opt_desktop,
	  "the Wayland compositor, as wayland-0" },
	{ "--fallback-x11", NULL, NULL, 0, P_NATIVE, 0, opt_desktop,
	  "the X display where there is no Wayland socket" },
	{ "--pulseaudio", NULL, NULL, 0, P_NATIVE, 0, opt_desktop,
	  "the PulseAudio server (no cookie, no shm)" },
	{ "--pipewire", NULL, NULL, 0, P_NATIVE, 0, opt_desktop,
	  "the PipeWire server: all audio, cameras and\n"
	  "screen capture" },
	{ "--gpu", NULL, NULL, 0, P_NATIVE, 0, opt_desktop,
	  "the GPU nodes: /dev/dri, NVIDIA's, /dev/kfd" },
	{ "--dev-input", NULL, NULL, 0, P_NATIVE, 0, opt_desktop,
	  "/dev/input and /dev/uinput" },
	{ "--dev-video", NULL, NULL, 0, P_NATIVE, 0, opt_desktop,
	  "/dev/video*, /dev/media*" },
	{ "--dev-snd", NULL, NULL, 0, P_NATIVE, 0, opt_desktop,
	  "/dev/snd" },
	{ "--desktop", NULL, NULL, 0, P_NATIVE, 0, opt_desktop_look,
	  "the host's fonts, icons, themes and GTK/Qt\n"
	  "settings, read-only; locale and scaling variables" },
	TEXT("\nProfiles and sharing:\n"),
	{ "--profile", NULL, "NAME|PATH", 1, P_NATIVE, F_CMDLINE, opt_profile,
	  "read options from a profile file, here: NAME from\n"
	  "~/.config/sandbox/profiles, /etc/sandbox/profiles,\n"
	  "then the shipped ones (format: sandbox(1))" },
	{ "--profile-show", NULL, "NAME|PATH", 1, P_NATIVE, F_CMDLINE, opt_profile_show,
	  "print the options a profile gives and exit" },
	{ "--list-profiles", NULL, NULL, 0, P_NATIVE, F_CMDLINE, opt_list_profiles,
	  "list the profiles found, and where, and exit" },
	{ "--share", NULL, "PATH[:ro|:rw|:create]", 1, P_NATIVE, 0, opt_share,
	  "\n"
	  "share a host file or directory at its own path:\n"
	  "absolute, ~/PATH, or xdg-download, xdg-documents,\n"
	  "xdg-pictures, xdg-music, xdg-videos, xdg-desktop,\n"
	  "xdg-templates, xdg-public-share; read-only unless\n"
	  ":rw; :create makes the directory (writable)" },
	{ "--allow-dangerous", NULL, NULL, 0, P_NATIVE, 0, opt_allow_dangerous,
	  "let --share make writable what controls your\n"
	  "sessions (~/.ssh, shell start-up files, ...)" },
	TEXT("\nD-Bus (by default no bus):\n"),
	{ "--dbus-user", NULL, NULL, 0, P_NATIVE, 0, opt_dbus,
	  "the session bus through xdg-dbus-proxy's filter\n"
	  "(=filter; any rule below implies it); =host: the\n"
	  "bus itself, an escape; =none: none (the default)" },
	{ "--dbus-user=filter", NULL, NULL, 0, P_NATIVE, 0, opt_dbus, NULL },
	{ "--dbus-user=host", NULL, NULL, 0, P_NATIVE, 0, opt_dbus, NULL },
	{ "--dbus-user=none", NULL, NULL, 0, P_NATIVE, 0, opt_dbus, NULL },
	{ "--dbus-see", NULL, "NAME", 1, P_NATIVE, 0, opt_dbus,
	  "NAME is visible (NAME.* also names those below)" },
	{ "--dbus-talk", NULL, "NAME", 1, P_NATIVE, 0, opt_dbus,
	  "the command may call NAME and hear its signals" },
	{ "--dbus-own", NULL, "NAME", 1, P_NATIVE, 0, opt_dbus,
	  "the command may own NAME (and talk to it)" },
	{ "--dbus-call", NULL, "NAME=RULE", 1, P_NATIVE, 0, opt_dbus,
	  "it may call the methods of NAME that RULE,\n"
	  "[METHOD][@PATH], names (repeatable)" },
	{ "--dbus-broadcast", NULL, "NAME=RULE", 1, P_NATIVE, 0, opt_dbus,
	  "it hears NAME's signals that RULE names" },
	{ "--dbus-system", NULL, NULL, 0, P_NATIVE, 0, opt_dbus,
	  "the system bus, as --dbus-user the session bus" },
	{ "--dbus-system=filter", NULL, NULL, 0, P_NATIVE, 0, opt_dbus, NULL },
	{ "--dbus-system=host", NULL, NULL, 0, P_NATIVE, 0, opt_dbus, NULL },
	{ "--dbus-system=none", NULL, NULL, 0, P_NATIVE, 0, opt_dbus, NULL },
	{ "--dbus-system-see", NULL, "NAME", 1, P_NATIVE, 0, opt_dbus,
	  "the rules above, for the system bus" },
	{ "--dbus-system-talk", NULL, "NAME", 1, P_NATIVE, 0, opt_dbus,
	  "" },
	{ "--dbus-system-own", NULL, "NAME", 1, P_NATIVE, 0, opt_dbus,
	  "" },
	{ "--dbus-system-call", NULL, "NAME=RULE", 1, P_NATIVE, 0, opt_dbus,
	  "" },
	{ "--dbus-system-broadcast", NULL, "NAME=RULE", 1, P_NATIVE, 0, opt_dbus,
	  "" },
	{ "--app-id", NULL, "ID", 1, P_NATIVE, 0, opt_dbus,
	  "the application's id, a D-Bus name: on a\n"
	  "filtered session bus it may own ID.* and\n"
	  "org.mpris.MediaPlayer2.ID.*" },
	TEXT("\nResource limits:\n"),
	{ "--rlimit", NULL, "NAME=SOFT[:HARD]", 1, P_NATIVE, 0, opt_limit,
	  "\n"
	  "set a resource limit of COMMAND (repeatable);\n"
	  "NAME as prlimit(1): as core cpu data fsize locks\n"
	  "memlock msgqueue nice nofile nproc rss rtprio\n"
	  "rttime sigpending stack; unlimited, k/M/G sizes" },
	{ "--timeout", NULL, "DURATION", 1, P_NATIVE, 0, opt_limit,
	  "SIGTERM after DURATION (30, 1.5s, 500ms, 2m, 1h),\n"
	  "exit status 124" },
	{ "--kill-after", NULL, "DURATION", 1, P_NATIVE, 0, opt_limit,
	  "then SIGKILL after DURATION more (default 10s)" },
	{ "--stats", NULL, NULL, 0, P_NATIVE, 0, opt_limit,
	  "print wall, CPU time and peak memory at exit" },
	{ "--memory", NULL, "SIZE", 1, P_NATIVE, 0, opt_limit,
	  "cgroup v2 memory.max (k, M, G suffixes)" },
	{ "--memory-swap", NULL, "SIZE", 1, P_NATIVE, 0, opt_limit,
	  "cgroup v2 memory.swap.max (0: no swap)" },
	{ "--pids", NULL, "N", 1, P_NATIVE, 0, opt_limit,
	  "cgroup v2 pids.max" },
	{ "--cpus", NULL, "N.N", 1, P_NATIVE, 0, opt_limit,
	  "cgroup v2 cpu.max: this many CPUs' time" },
	{ "--cpu-weight", NULL, "N", 1, P_NATIVE, 0, opt_limit,
	  "cgroup v2 cpu.weight, 1-10000 (default 100)" },
	{ "--cpuset", NULL, "CPUS", 1, P_NATIVE, 0, opt_limit,
	  "cgroup v2 cpuset.cpus (e.g. 0-3,6)" },
	{ "--io-weight", NULL, "N", 1, P_NATIVE, 0, opt_limit,
	  "cgroup v2 io.weight, 1-10000 (default 100)\n"
	  "(the cgroup v2 limits need a cgroup delegated\n"
	  "to you, holding nothing else: see sandbox(1))" },
	TEXT("\nNamed sandboxes:\n"),
	{ "--name", NULL, "NAME", 1, P_NATIVE, 0, opt_name,
	  "name this sandbox (default: COMMAND-PID); at\n"
	  "most one running sandbox has a given name" },
	{ "--list", NULL, NULL, 0, P_NATIVE, F_CMDLINE, opt_list,
	  "list your running sandboxes and exit" },
	{ "--json", NULL, NULL, 0, P_NATIVE, F_CMDLINE, opt_json,
	  "with --list: as a JSON array" },
	{ "--stop", NULL, "NAME", 1, P_NATIVE, F_CMDLINE, opt_stop,
	  "stop the sandbox NAME: SIGTERM, then SIGKILL\n"
	  "after the grace period; return once it is gone" },
	{ "--grace", NULL, "DURATION", 1, P_NATIVE, F_CMDLINE, opt_grace,
	  "with --stop: the grace period (default 10s)" },
	{ "--enter", NULL, "NAME", 1, P_NATIVE, F_ENTER | F_CMDLINE, opt_enter,
	  "run COMMAND in the running sandbox NAME, as\n"
	  "its command runs; with only --chdir, --uid,\n"
	  "(un)setenv, --tty or -v added (see sandbox(1))" },
	{ "--tty", NULL, "auto|always|never", 1, P_NATIVE, F_ENTER, opt_tty,
	  "give COMMAND a terminal of the sandbox's own,\n"
	  "relayed to yours (auto: when stdin, stdout and\n"
	  "stderr all are terminals)" },
	TEXT("\nOther:\n"),
	{ "--verbose", "-v", NULL, 0, P_NATIVE, F_ENTER, opt_verbose,
	  "print each setup step and its duration" },
	{ "--help", "-h", NULL, 0, P_BOTH, F_CMDLINE, opt_help,
	  "print this help and exit" },
	{ "--version", NULL, NULL, 0, P_BOTH, F_CMDLINE, opt_version,
	  "print the version and exit" },
	TEXT("\n"
	     "Exit status: COMMAND's; 128+N if it was killed by signal N; 125 if the\n"
	     "sandbox could not be set up; 126 if COMMAND cannot run; 127 if not found;\n"
	     "124 if --timeout expired.\n"),
};

const size_t cli_n_opts = sizeof cli_opts / sizeof cli_opts[0];
