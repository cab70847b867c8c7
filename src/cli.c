/* cli.c - argv -> struct sandbox_spec, table-driven.
 *
 * Options are read until "--" or the first word that is not an option;
 * everything after is the command.  Mount operations keep their order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "sandbox.h"
#include "usage.h"

enum opt_id {
	O_ROOTFS, O_READ_ONLY, O_ROOTFS_RW, O_OVERLAY, O_OVERLAY_DIR, O_OVERLAY_DRIVER,
	O_BIND, O_BIND_TRY, O_RO_BIND, O_RO_BIND_TRY, O_DEV_BIND, O_DEV_BIND_TRY,
	O_RW, O_RO, O_TMPFS, O_PROC, O_DEV, O_DIR, O_SYMLINK, O_REMOUNT_RO,
	O_UID, O_GID, O_SUBIDS, O_NO_SUBIDS, O_UID_MAP, O_GID_MAP,
	O_SHARE_NET, O_SHARE_IPC, O_SHARE_PID, O_SHARE_UTS, O_SHARE_CGROUP,
	O_UNSHARE_TIME, O_HOSTNAME,
	O_CHDIR, O_SETENV, O_UNSETENV, O_CLEARENV, O_ARGV0, O_KEEP_FD,
	O_AS_PID_1, O_NEW_SESSION, O_DIE_WITH_PARENT,
	O_CAP_ADD, O_CAP_DROP,
	O_VERBOSE, O_HELP, O_VERSION,
};

struct opt {
	const char *name;
	const char *alias;
	int nargs;
	enum opt_id id;
};

static const struct opt opts[] = {
	{ "--rootfs", NULL, 1, O_ROOTFS },
	{ "--read-only", NULL, 0, O_READ_ONLY },
	{ "--rootfs-rw", NULL, 0, O_ROOTFS_RW },
	{ "--overlay", NULL, 0, O_OVERLAY },
	{ "--overlay-dir", NULL, 1, O_OVERLAY_DIR },
	{ "--overlay-driver", NULL, 1, O_OVERLAY_DRIVER },
	{ "--bind", NULL, 2, O_BIND },
	{ "--bind-try", NULL, 2, O_BIND_TRY },
	{ "--ro-bind", NULL, 2, O_RO_BIND },
	{ "--ro-bind-try", NULL, 2, O_RO_BIND_TRY },
	{ "--dev-bind", NULL, 2, O_DEV_BIND },
	{ "--dev-bind-try", NULL, 2, O_DEV_BIND_TRY },
	{ "--rw", NULL, 1, O_RW },
	{ "--ro", NULL, 1, O_RO },
	{ "--tmpfs", NULL, 1, O_TMPFS },
	{ "--proc", NULL, 1, O_PROC },
	{ "--dev", NULL, 1, O_DEV },
	{ "--dir", NULL, 1, O_DIR },
	{ "--symlink", NULL, 2, O_SYMLINK },
	{ "--remount-ro", NULL, 1, O_REMOUNT_RO },
	{ "--uid", NULL, 1, O_UID },
	{ "--gid", NULL, 1, O_GID },
	{ "--subids", NULL, 0, O_SUBIDS },
	{ "--no-subids", NULL, 0, O_NO_SUBIDS },
	{ "--uid-map", NULL, 1, O_UID_MAP },
	{ "--gid-map", NULL, 1, O_GID_MAP },
	{ "--share-net", NULL, 0, O_SHARE_NET },
	{ "--share-ipc", NULL, 0, O_SHARE_IPC },
	{ "--share-pid", NULL, 0, O_SHARE_PID },
	{ "--share-uts", NULL, 0, O_SHARE_UTS },
	{ "--share-cgroup", NULL, 0, O_SHARE_CGROUP },
	{ "--unshare-time", NULL, 0, O_UNSHARE_TIME },
	{ "--hostname", NULL, 1, O_HOSTNAME },
	{ "--chdir", NULL, 1, O_CHDIR },
	{ "--setenv", NULL, 2, O_SETENV },
	{ "--unsetenv", NULL, 1, O_UNSETENV },
	{ "--clearenv", NULL, 0, O_CLEARENV },
	{ "--argv0", NULL, 1, O_ARGV0 },
	{ "--keep-fd", NULL, 1, O_KEEP_FD },
	{ "--as-pid-1", NULL, 0, O_AS_PID_1 },
	{ "--new-session", NULL, 0, O_NEW_SESSION },
	{ "--die-with-parent", NULL, 0, O_DIE_WITH_PARENT },
	{ "--cap-add", NULL, 1, O_CAP_ADD },
	{ "--cap-drop", NULL, 1, O_CAP_DROP },
	{ "--verbose", "-v", 0, O_VERBOSE },
	{ "--help", "-h", 0, O_HELP },
	{ "--version", NULL, 0, O_VERSION },
};

static const struct opt *find_opt(const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (strcmp(arg, opts[i].name) == 0 ||
		    (opts[i].alias && strcmp(arg, opts[i].alias) == 0))
			return &opts[i];
	return NULL;
}

static void add_op(struct sandbox_spec *spec, enum mount_op_kind kind,
		   const char *opt, const char *src, const char *dest, bool try_)
{
	struct mount_op *op;

	spec->ops = xrealloc(spec->ops, (spec->n_ops + 1) * sizeof *spec->ops);
	op = &spec->ops[spec->n_ops++];
	op->kind = kind;
	op->opt = opt;
	op->src = src;
	op->dest = dest;
	op->try_ = try_;
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

/* "IN:OUT:COUNT", each a 32-bit decimal, COUNT > 0, no wrap-around. */
int parse_id_map_entry(const char *s, struct id_range *out)
{
	char buf[64], *a, *b, *c;

	if (strlen(s) >= sizeof buf)
		return -EINVAL;
	strcpy(buf, s);
	a = buf;
	b = strchr(a, ':');
	if (!b)
		return -EINVAL;
	*b++ = '\0';
	c = strchr(b, ':');
	if (!c)
		return -EINVAL;
	*c++ = '\0';
	if (parse_u32(a, &out->inside) < 0 || parse_u32(b, &out->outside) < 0 ||
	    parse_u32(c, &out->count) < 0 || out->count == 0)
		return -EINVAL;
	if ((uint64_t)out->inside + out->count > (uint64_t)UINT32_MAX + 1 ||
	    (uint64_t)out->outside + out->count > (uint64_t)UINT32_MAX + 1)
		return -ERANGE;
	return 0;
}

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

static int parse_id(const char *opt, const char *val, uint32_t *out)
{
	if (parse_u32(val, out) < 0 || *out == UINT32_MAX)
		return sb_err(EINVAL, "%s: invalid id '%s': expected a number from 0 to %u",
			      opt, val, UINT32_MAX - 1);
	return 0;
}

int cli_parse(int argc, char **argv, struct sandbox_spec *spec)
{
	int i, r;

	spec->hostname = "sandbox";
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct opt *o;
		char **v;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-')
			break;
		o = find_opt(arg);
		if (!o)
			return sb_err(EINVAL, "unknown option '%s' (see '%s --help')", arg, sb_prog);
		if (i + o->nargs >= argc)
			return sb_err(EINVAL, "%s needs %d argument%s%s", o->name, o->nargs,
				      o->nargs > 1 ? "s" : "",
				      o->nargs == 2 ? " (see --help)" : "");
		v = &argv[i + 1];
		i += o->nargs;

		switch (o->id) {
		case O_ROOTFS:
			if (!*v[0])
				return sb_err(EINVAL, "--rootfs: the directory name is empty");
			spec->rootfs = v[0];
			break;
		case O_READ_ONLY: spec->rootfs_ro_asked = true; break;
		case O_ROOTFS_RW: spec->rootfs_rw_asked = true; break;
		case O_OVERLAY: spec->overlay_asked = true; break;
		case O_OVERLAY_DIR:
			if (!*v[0])
				return sb_err(EINVAL, "--overlay-dir: the directory name is empty");
			spec->overlay_dir = v[0];
			break;
		case O_OVERLAY_DRIVER:
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
			break;
		case O_BIND: add_op(spec, MOP_BIND, o->name, v[0], v[1], false); break;
		case O_BIND_TRY: add_op(spec, MOP_BIND, o->name, v[0], v[1], true); break;
		case O_RO_BIND: add_op(spec, MOP_RO_BIND, o->name, v[0], v[1], false); break;
		case O_RO_BIND_TRY: add_op(spec, MOP_RO_BIND, o->name, v[0], v[1], true); break;
		case O_DEV_BIND: add_op(spec, MOP_DEV_BIND, o->name, v[0], v[1], false); break;
		case O_DEV_BIND_TRY: add_op(spec, MOP_DEV_BIND, o->name, v[0], v[1], true); break;
		case O_RW: add_op(spec, MOP_BIND, o->name, v[0], v[0], false); break;
		case O_RO: add_op(spec, MOP_RO_BIND, o->name, v[0], v[0], false); break;
		case O_TMPFS: add_op(spec, MOP_TMPFS, o->name, NULL, v[0], false); break;
		case O_PROC: add_op(spec, MOP_PROC, o->name, NULL, v[0], false); break;
		case O_DEV: add_op(spec, MOP_DEV, o->name, NULL, v[0], false); break;
		case O_DIR: add_op(spec, MOP_DIR, o->name, NULL, v[0], false); break;
		case O_SYMLINK: add_op(spec, MOP_SYMLINK, o->name, v[0], v[1], false); break;
		case O_REMOUNT_RO: add_op(spec, MOP_REMOUNT_RO, o->name, NULL, v[0], false); break;
		case O_UID:
			if ((r = parse_id(o->name, v[0], &spec->uid)) < 0)
				return r;
			spec->uid_set = true;
			break;
		case O_GID:
			if ((r = parse_id(o->name, v[0], &spec->gid)) < 0)
				return r;
			spec->gid_set = true;
			break;
		case O_SUBIDS: spec->subids = SUBIDS_FORCE; break;
		case O_NO_SUBIDS: spec->subids = SUBIDS_NEVER; break;
		case O_UID_MAP:
			if ((r = add_map(&spec->uid_map_opt, o->name, v[0])) < 0)
				return r;
			break;
		case O_GID_MAP:
			if ((r = add_map(&spec->gid_map_opt, o->name, v[0])) < 0)
				return r;
			break;
		case O_SHARE_NET: spec->share_net = true; break;
		case O_SHARE_IPC: spec->share_ipc = true; break;
		case O_SHARE_PID: spec->share_pid = true; break;
		case O_SHARE_UTS: spec->share_uts = true; break;
		case O_SHARE_CGROUP: spec->share_cgroup = true; break;
		case O_UNSHARE_TIME: spec->unshare_time = true; break;
		case O_HOSTNAME:
			if (!*v[0] || strlen(v[0]) > 64)
				return sb_err(EINVAL, "--hostname: '%s' is not a valid host name "
					      "(1 to 64 characters)", v[0]);
			spec->hostname = v[0];
			spec->hostname_set = true;
			break;
		case O_CHDIR: spec->chdir = v[0]; break;
		case O_SETENV:
			if (!*v[0] || strchr(v[0], '='))
				return sb_err(EINVAL, "--setenv: invalid variable name '%s'", v[0]);
			add_env(spec, ENV_SET, v[0], v[1]);
			break;
		case O_UNSETENV:
			if (!*v[0] || strchr(v[0], '='))
				return sb_err(EINVAL, "--unsetenv: invalid variable name '%s'", v[0]);
			add_env(spec, ENV_UNSET, v[0], NULL);
			break;
		case O_CLEARENV:
			spec->clearenv = true;
			spec->n_env_ops = 0; /* earlier --setenv are cleared too */
			break;
		case O_ARGV0: spec->argv0 = v[0]; break;
		case O_KEEP_FD: {
			uint32_t fd;
			if (parse_u32(v[0], &fd) < 0 || fd > INT32_MAX)
				return sb_err(EINVAL, "--keep-fd: invalid fd '%s'", v[0]);
			if (fcntl((int)fd, F_GETFD) < 0)
				return sb_err(EBADF, "--keep-fd %s: fd %s is not open", v[0], v[0]);
			spec->keep_fds = xrealloc(spec->keep_fds,
						  (spec->n_keep_fds + 1) * sizeof(int));
			spec->keep_fds[spec->n_keep_fds++] = (int)fd;
			break;
		}
		case O_AS_PID_1: spec->as_pid_1 = true; break;
		case O_NEW_SESSION: spec->new_session = true; break;
		case O_DIE_WITH_PARENT: spec->die_with_parent = true; break;
		case O_CAP_ADD:
		case O_CAP_DROP: {
			uint64_t mask;
			if ((r = caps_parse(v[0], &mask)) < 0)
				return sb_errctx(r, "%s", o->name);
			if (o->id == O_CAP_ADD) {
				spec->caps_add |= mask;
				spec->caps_drop &= ~mask;
			} else {
				spec->caps_drop |= mask;
				spec->caps_add &= ~mask;
			}
			break;
		}
		case O_VERBOSE: spec->verbose++; break;
		case O_HELP:
			fputs(SANDBOX_USAGE, stdout);
			return 1;
		case O_VERSION:
			printf("sandbox %s\n", SANDBOX_VERSION);
			return 1;
		}
	}

	if (i >= argc)
		return sb_err(EINVAL, "no command given (usage: sandbox [OPTION...] [--] COMMAND [ARG...])");
	spec->argv = &argv[i];
	spec->argc = argc - i;

	{
		/* at most one way to use the rootfs */
		const char *modes[4];
		int n = 0;
		if (spec->rootfs_ro_asked)
			modes[n++] = "--read-only";
		if (spec->rootfs_rw_asked)
			modes[n++] = "--rootfs-rw";
		if (spec->overlay_asked)
			modes[n++] = "--overlay";
		if (n > 1)
			return sb_err(EINVAL, "%s and %s contradict each other", modes[0], modes[1]);
		if (spec->overlay_dir && (spec->rootfs_ro_asked || spec->rootfs_rw_asked))
			return sb_err(EINVAL, "--overlay-dir keeps the writes of an overlay: it "
				      "contradicts %s", modes[0]);
		if ((n || spec->overlay_dir || spec->overlay_driver_set) && !spec->rootfs)
			return sb_err(EINVAL, "%s needs --rootfs DIR",
				      n ? modes[0] : spec->overlay_dir ? "--overlay-dir"
								 : "--overlay-driver");
		if (spec->overlay_driver_set && (spec->rootfs_ro_asked || spec->rootfs_rw_asked))
			return sb_err(EINVAL, "--overlay-driver needs an overlay: it contradicts %s",
				      modes[0]);
	}
	if (!spec->rootfs)
		spec->rootfs_mode = ROOTFS_HOST;
	else if (spec->rootfs_rw_asked)
		spec->rootfs_mode = ROOTFS_RW;
	else if (spec->rootfs_ro_asked)
		spec->rootfs_mode = ROOTFS_RO;
	else
		spec->rootfs_mode = ROOTFS_OVERLAY;
	if (spec->subids == SUBIDS_NEVER && (spec->uid_map_opt.n || spec->gid_map_opt.n))
		return sb_err(EINVAL, "--no-subids cannot be combined with --uid-map/--gid-map");
	if (spec->share_uts && spec->hostname_set)
		return sb_err(EINVAL, "--hostname needs a private uts namespace (drop --share-uts)");
	return 0;
}
