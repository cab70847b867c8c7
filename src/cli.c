/* cli.c - argv -> struct sandbox_spec, table-driven, for both personalities.
 *
 * Options are read until "--" or the first word that is not an option;
 * everything after is the command.  Mount operations keep their order.
 * --args FD splices NUL-separated arguments read from FD in its place, so
 * it nests.  --perms and --size qualify the next operation only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>

#include "sandbox.h"
#include "usage.h"

enum opt_id {
	O_ROOTFS, O_READ_ONLY, O_ROOTFS_RW, O_OVERLAY, O_OVERLAY_DIR, O_OVERLAY_DRIVER,
	O_BIND, O_BIND_TRY, O_RO_BIND, O_RO_BIND_TRY, O_DEV_BIND, O_DEV_BIND_TRY,
	O_BIND_FD, O_RO_BIND_FD,
	O_RW, O_RO, O_TMPFS, O_PROC, O_DEV, O_MQUEUE, O_DIR, O_SYMLINK, O_REMOUNT_RO,
	O_FILE, O_BIND_DATA, O_RO_BIND_DATA, O_CHMOD, O_PERMS, O_SIZE,
	O_OVERLAY_SRC, O_TMP_OVERLAY, O_RO_OVERLAY,
	O_UID, O_GID, O_SUBIDS, O_NO_SUBIDS, O_UID_MAP, O_GID_MAP,
	O_SHARE_NET, O_SHARE_IPC, O_SHARE_PID, O_SHARE_UTS, O_SHARE_CGROUP,
	O_UNSHARE_USER, O_UNSHARE_USER_TRY, O_UNSHARE_IPC, O_UNSHARE_PID, O_UNSHARE_NET,
	O_UNSHARE_UTS, O_UNSHARE_CGROUP, O_UNSHARE_CGROUP_TRY, O_UNSHARE_ALL,
	O_UNSHARE_TIME, O_HOSTNAME,
	O_NET, O_PUBLISH, O_ALLOW_HOST_LOOPBACK, O_NET_ALLOW, O_DNS,
	O_USERNS, O_USERNS2, O_PIDNS, O_DISABLE_USERNS, O_ASSERT_USERNS_DISABLED,
	O_NOT_A_SECURITY_BOUNDARY,
	O_CHDIR, O_SETENV, O_UNSETENV, O_CLEARENV, O_ARGV0, O_KEEP_FD,
	O_AS_PID_1, O_NEW_SESSION, O_DIE_WITH_PARENT,
	O_CAP_ADD, O_CAP_DROP,
	O_SECCOMP, O_ADD_SECCOMP_FD, O_SECCOMP_POLICY, O_LANDLOCK, O_LANDLOCK_REQUIRE, O_EXEC_LABEL, O_FILE_LABEL,
	O_INFO_FD, O_JSON_STATUS_FD, O_SYNC_FD, O_BLOCK_FD, O_USERNS_BLOCK_FD, O_LOCK_FILE,
	O_ARGS, O_LEVEL_PREFIX,
	O_ALLOW_USERNS, O_HIDE, O_NO_DEFAULT_HIDE, O_HOME, O_PRINT_HIDES,
	O_VERBOSE, O_HELP, O_VERSION,
	O_LIMIT, /* resource limits and accounting: rlimit.c, cgroup.c */
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
	{ "--overlay", NULL, 0, O_OVERLAY }, /* 3 arguments after --overlay-src */
	{ "--overlay-dir", NULL, 1, O_OVERLAY_DIR },
	{ "--overlay-driver", NULL, 1, O_OVERLAY_DRIVER },
	{ "--bind", NULL, 2, O_BIND },
	{ "--bind-try", NULL, 2, O_BIND_TRY },
	{ "--ro-bind", NULL, 2, O_RO_BIND },
	{ "--ro-bind-try", NULL, 2, O_RO_BIND_TRY },
	{ "--dev-bind", NULL, 2, O_DEV_BIND },
	{ "--dev-bind-try", NULL, 2, O_DEV_BIND_TRY },
	{ "--bind-fd", NULL, 2, O_BIND_FD },
	{ "--ro-bind-fd", NULL, 2, O_RO_BIND_FD },
	{ "--rw", NULL, 1, O_RW },
	{ "--ro", NULL, 1, O_RO },
	{ "--tmpfs", NULL, 1, O_TMPFS },
	{ "--proc", NULL, 1, O_PROC },
	{ "--dev", NULL, 1, O_DEV },
	{ "--mqueue", NULL, 1, O_MQUEUE },
	{ "--dir", NULL, 1, O_DIR },
	{ "--symlink", NULL, 2, O_SYMLINK },
	{ "--remount-ro", NULL, 1, O_REMOUNT_RO },
	{ "--file", NULL, 2, O_FILE },
	{ "--bind-data", NULL, 2, O_BIND_DATA },
	{ "--ro-bind-data", NULL, 2, O_RO_BIND_DATA },
	{ "--chmod", NULL, 2, O_CHMOD },
	{ "--perms", NULL, 1, O_PERMS },
	{ "--size", NULL, 1, O_SIZE },
	{ "--overlay-src", NULL, 1, O_OVERLAY_SRC },
	{ "--tmp-overlay", NULL, 1, O_TMP_OVERLAY },
	{ "--ro-overlay", NULL, 1, O_RO_OVERLAY },
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
	{ "--unshare-user", NULL, 0, O_UNSHARE_USER },
	{ "--unshare-user-try", NULL, 0, O_UNSHARE_USER_TRY },
	{ "--unshare-ipc", NULL, 0, O_UNSHARE_IPC },
	{ "--unshare-pid", NULL, 0, O_UNSHARE_PID },
	{ "--unshare-net", NULL, 0, O_UNSHARE_NET },
	{ "--unshare-uts", NULL, 0, O_UNSHARE_UTS },
	{ "--unshare-cgroup", NULL, 0, O_UNSHARE_CGROUP },
	{ "--unshare-cgroup-try", NULL, 0, O_UNSHARE_CGROUP_TRY },
	{ "--unshare-all", NULL, 0, O_UNSHARE_ALL },
	{ "--unshare-time", NULL, 0, O_UNSHARE_TIME },
	{ "--hostname", NULL, 1, O_HOSTNAME },
	{ "--net", NULL, 1, O_NET },
	{ "--publish", "-p", 1, O_PUBLISH },
	{ "--allow-host-loopback", NULL, 0, O_ALLOW_HOST_LOOPBACK },
	{ "--net-allow", NULL, 1, O_NET_ALLOW },
	{ "--dns", NULL, 1, O_DNS },
	{ "--userns", NULL, 1, O_USERNS },
	{ "--userns2", NULL, 1, O_USERNS2 },
	{ "--pidns", NULL, 1, O_PIDNS },
	{ "--disable-userns", NULL, 0, O_DISABLE_USERNS },
	{ "--assert-userns-disabled", NULL, 0, O_ASSERT_USERNS_DISABLED },
	{ "--not-a-security-boundary", NULL, 0, O_NOT_A_SECURITY_BOUNDARY },
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
	{ "--seccomp", NULL, 1, O_SECCOMP },
	{ "--add-seccomp-fd", NULL, 1, O_ADD_SECCOMP_FD },
	{ "--seccomp-policy", NULL, 1, O_SECCOMP_POLICY },
	{ "--landlock", NULL, 0, O_LANDLOCK },
	{ "--landlock=require", NULL, 0, O_LANDLOCK_REQUIRE },
	{ "--exec-label", NULL, 1, O_EXEC_LABEL },
	{ "--file-label", NULL, 1, O_FILE_LABEL },
	{ "--info-fd", NULL, 1, O_INFO_FD },
	{ "--json-status-fd", NULL, 1, O_JSON_STATUS_FD },
	{ "--sync-fd", NULL, 1, O_SYNC_FD },
	{ "--block-fd", NULL, 1, O_BLOCK_FD },
	{ "--userns-block-fd", NULL, 1, O_USERNS_BLOCK_FD },
	{ "--lock-file", NULL, 1, O_LOCK_FILE },
	{ "--args", NULL, 1, O_ARGS },
	{ "--level-prefix", NULL, 0, O_LEVEL_PREFIX },
	{ "--allow-userns", NULL, 0, O_ALLOW_USERNS },
	{ "--hide", NULL, 1, O_HIDE },
	{ "--no-default-hide", NULL, 0, O_NO_DEFAULT_HIDE },
	{ "--home", NULL, 1, O_HOME },
	{ "--print-hides", NULL, 0, O_PRINT_HIDES },
	/* resource limits and accounting (rlimit.c, cgroup.c) */
	{ "--memory", NULL, 1, O_LIMIT },
	{ "--memory-swap", NULL, 1, O_LIMIT },
	{ "--pids", NULL, 1, O_LIMIT },
	{ "--cpus", NULL, 1, O_LIMIT },
	{ "--cpu-weight", NULL, 1, O_LIMIT },
	{ "--cpuset", NULL, 1, O_LIMIT },
	{ "--io-weight", NULL, 1, O_LIMIT },
	{ "--rlimit", NULL, 1, O_LIMIT },
	{ "--timeout", NULL, 1, O_LIMIT },
	{ "--kill-after", NULL, 1, O_LIMIT },
	{ "--stats", NULL, 0, O_LIMIT },
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

/* what lets the payload past the --net-allow rules in its namespace */
#define NET_ALLOW_BYPASS_CAPS ((1ULL << CAP_NET_ADMIN) | (1ULL << CAP_NET_RAW))

/* --perms/--size waiting for the operation they qualify */
struct pending {
	bool perms_set;
	mode_t perms;
	uint64_t size;
	const char **lowers;
	size_t n_lowers;
	/* --seccomp/--add-seccomp-fd, read once every option is known (a
	 * conflict between them is said first, as bwrap does) */
	struct pending_sc { int fd; bool replace; const char *opt; } *sc;
	size_t n_sc;
	bool sc_add, sc_replace;
};

static struct mount_op *add_op(struct sandbox_spec *spec, enum mount_op_kind kind,
			       const char *opt, const char *src, const char *dest, bool try_)
{
	struct mount_op *op;

	spec->ops = xrealloc(spec->ops, (spec->n_ops + 1) * sizeof *spec->ops);
	op = &spec->ops[spec->n_ops++];
	memset(op, 0, sizeof *op);
	op->kind = kind;
	op->opt = opt;
	op->src = src;
	op->dest = dest;
	op->try_ = try_;
	return op;
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

/* OCTAL: 1 to 4 octal digits, at most 07777. */
int parse_octal(const char *s, mode_t *out)
{
	unsigned v = 0;
	size_t n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '7' || n >= 5)
			return -EINVAL;
		v = v * 8 + (unsigned)(*s - '0');
	}
	if (v > 07777)
		return -ERANGE;
	*out = (mode_t)v;
	return 0;
}

/* BYTES: a decimal number, optionally with k, M or G (powers of 1024). */
int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	const char *p = s;

	if (!*p)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -EINVAL;
	if (*p) {
		if (p[1])
			return -EINVAL;
		switch (*p) {
		case 'k': case 'K': mul = 1ULL << 10; break;
		case 'm': case 'M': mul = 1ULL << 20; break;
		case 'g': case 'G': mul = 1ULL << 30; break;
		default: return -EINVAL;
		}
	}
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*out = v * mul;
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

static int parse_fd(const char *opt, const char *val, int *out)
{
	uint32_t fd;

	if ((parse_u32(val, &fd) < 0 || fd > INT_MAX) && sb_exit_setup == 1)
		return sb_err(EINVAL, "Invalid fd: %s", val); /* bwrap's words */
	if (parse_u32(val, &fd) < 0 || fd > INT_MAX)
		return sb_err(EINVAL, "%s: invalid file descriptor '%s'", opt, val);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* tests/fuzz/fuzz-cli.c: the fuzzer's own descriptors are below 100,
	 * the harness offers its pipes from 100 on */
	if (fd < 100)
		return sb_err(EBADF, "%s %s: not a descriptor of the harness", opt, val);
#endif
	if (fcntl((int)fd, F_GETFD) < 0)
		return sb_err(EBADF, "%s %s: file descriptor %s is not open", opt, val, val);
	*out = (int)fd;
	return 0;
}

/* Read FD to its end (the --file, --bind-data, --seccomp and --args
 * payloads), then close it as bwrap does. */
int read_fd_all(int fd, char **data, size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t k;
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return -e;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	*data = buf;
	*len = n;
	return 0;
}

#define MAX_ARGS_BYTES (64u << 20)

/* Replace argv[i] and argv[i+1] ("--args FD") by the NUL-separated words
 * read from FD. */
static int splice_args(int *argc, char ***argv, int i, int fd)
{
	char *data, **nv;
	size_t len, nwords = 0, k;
	int r, j, n;

	if ((r = read_fd_all(fd, &data, &len, MAX_ARGS_BYTES)) < 0)
		return sb_err(-r, "--args %d: cannot read the arguments: %s", fd, strerror(-r));
	for (k = 0; k < len; k++)
		if (data[k] == '\0')
			nwords++;
	if (len > 0 && data[len - 1] != '\0')
		nwords++; /* a last word without its NUL */
	data = xrealloc(data, len + 1);
	data[len] = '\0';
	nv = xcalloc((size_t)*argc - 2 + nwords + 1, sizeof(char *));
	for (j = 0; j < i; j++)
		nv[j] = (*argv)[j];
	n = i;
	for (k = 0; k < len; k += strlen(data + k) + 1)
		nv[n++] = data + k;
	for (j = i + 2; j < *argc; j++)
		nv[n++] = (*argv)[j];
	nv[n] = NULL;
	*argc = n;
	*argv = nv;
	return 0;
}

static int read_seccomp(struct sandbox_spec *spec, const char *opt, int fd, bool replace)
{
	char *data;
	size_t len;
	int r;

	if (spec->personality == PERSONALITY_BWRAP) {
		/* bwrap reads the fd once and closes it; an empty program is
		 * refused by the kernel when loaded */
		if ((r = read_fd_all(fd, &data, &len, 1 << 20)) < 0)
			return sb_err(-r, "Can't read seccomp data: %s", strerror(-r));
		close(fd);
		if (len % 8 != 0) {
			free(data);
			return sb_err(EINVAL, "Invalid seccomp data, must be multiple of 8");
		}
	} else if ((r = read_fd_all(fd, &data, &len, 1 << 20)) < 0) {
		return sb_err(-r, "%s %d: cannot read the seccomp program: %s", opt, fd, strerror(-r));
	}
	if ((len == 0 && spec->personality != PERSONALITY_BWRAP) || len % 8 != 0)
		return sb_err(EINVAL, "%s %d: %zu bytes is not a compiled BPF program "
			      "(a multiple of 8 bytes, as seccomp_export_bpf writes)", opt, fd, len);
	if (replace)
		spec->n_seccomp_progs = 0;
	spec->seccomp_progs = xrealloc(spec->seccomp_progs,
				       (spec->n_seccomp_progs + 1) * sizeof *spec->seccomp_progs);
	spec->seccomp_progs[spec->n_seccomp_progs].filter = data;
	spec->seccomp_progs[spec->n_seccomp_progs].len = len;
	spec->n_seccomp_progs++;
	return 0;
}

static bool bwrap(const struct sandbox_spec *spec)
{
	return spec->personality == PERSONALITY_BWRAP;
}

/* bwrap's usage line names the program as invoked (ARGV0). */
static void print_usage(const struct sandbox_spec *spec, const char *argv0, FILE *f)
{
	if (bwrap(spec))
		fprintf(f, "usage: %s" BWRAP_USAGE, argv0 ? argv0 : "bwrap");
	else
		fputs(SANDBOX_USAGE, f);
}

/* --home ro|tmpfs|persist:DIR|none */
static int parse_home(struct sandbox_spec *spec, const char *v)
{
	spec->home_dir = NULL;
	if (strcmp(v, "ro") == 0)
		spec->home = HOME_RO;
	else if (strcmp(v, "tmpfs") == 0)
		spec->home = HOME_TMPFS;
	else if (strcmp(v, "none") == 0)
		spec->home = HOME_NONE;
	else if (str_has_prefix(v, "persist:") && v[8]) {
		spec->home = HOME_PERSIST;
		spec->home_dir = v + 8;
	} else
		return sb_err(EINVAL, "--home: '%s' is not ro, tmpfs, persist:DIR or none", v);
	return 0;
}

/* Options that only qualify the next operation must be followed by one. */
static int take_pending(struct pending *pd, struct mount_op *op, const char *opt)
{
	bool perms_ok = op->kind == MOP_TMPFS || op->kind == MOP_DIR || op->kind == MOP_FILE ||
			op->kind == MOP_BIND_DATA;

	if (pd->perms_set && !perms_ok)
		return sb_err(EINVAL, "--perms must be followed by an option that creates a file "
			      "or directory (--tmpfs, --dir, --file, --bind-data, --ro-bind-data), "
			      "not %s", opt);
	if (pd->size && op->kind != MOP_TMPFS)
		return sb_err(EINVAL, "--size must be followed by --tmpfs, not %s", opt);
	if (pd->perms_set) {
		op->perms_set = true;
		op->perms = pd->perms;
	}
	if (pd->size)
		op->size = pd->size;
	pd->perms_set = false;
	pd->size = 0;
	return 0;
}

int cli_parse(int argc, char **argv, struct sandbox_spec *spec)
{
	struct pending pd = { 0 };
	int i, r, depth = 0;

	spec->hostname = "sandbox";
	spec->userns_fd = spec->userns2_fd = spec->pidns_fd = -1;
	spec->info_fd = spec->json_status_fd = spec->sync_fd = -1;
	spec->block_fd = spec->userns_block_fd = -1;
	if (bwrap(spec)) {
		/* bwrap: only what is asked is unshared; no subordinate ids */
		spec->share_net = spec->share_ipc = spec->share_pid = true;
		spec->share_uts = spec->share_cgroup = true;
		spec->subids = SUBIDS_NEVER;
		spec->hostname = NULL;
		if (argc < 2) {
			print_usage(spec, argv[0], stderr);
			return sb_err(EINVAL, "no command given");
		}
	}

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct opt *o;
		struct mount_op *op = NULL;
		char **v;
		int nargs;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-')
			break;
		o = find_opt(arg);
		if (!o)
			return sb_err(EINVAL, "Unknown option %s (see '%s --help')", arg, sb_prog);
		nargs = o->nargs;
		/* bwrap's --overlay RWSRC WORKDIR DEST; the native flag otherwise */
		if (o->id == O_OVERLAY && (bwrap(spec) || pd.n_lowers > 0))
			nargs = 3;
		if (i + nargs >= argc)
			return sb_err(EINVAL, "%s takes %d argument%s", o->name, nargs,
				      nargs > 1 ? "s" : "");
		v = &argv[i + 1];
		if (pd.n_lowers > 0 && o->id != O_OVERLAY_SRC && o->id != O_OVERLAY &&
		    o->id != O_TMP_OVERLAY && o->id != O_RO_OVERLAY)
			return sb_err(EINVAL, "--overlay-src must be followed by another "
				      "--overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay");
		if ((pd.perms_set || pd.size) && o->id != O_PERMS && o->id != O_SIZE &&
		    o->id != O_TMPFS && o->id != O_DIR && o->id != O_FILE &&
		    o->id != O_BIND_DATA && o->id != O_RO_BIND_DATA)
			return sb_err(EINVAL, "%s must be followed by an option that creates a file "
				      "or directory, not %s", pd.size ? "--size" : "--perms", o->name);
		if (o->id == O_ARGS) {
			int fd;
			if ((r = parse_fd(o->name, v[0], &fd)) < 0)
				return r;
			if (++depth > 1000)
				return sb_err(ELOOP, "--args: too deeply nested");
			if ((r = splice_args(&argc, &argv, i, fd)) < 0)
				return r;
			i--; /* re-read from the first spliced word */
			continue;
		}
		i += nargs;

		switch (o->id) {
		case O_ROOTFS:
			if (!*v[0])
				return sb_err(EINVAL, "--rootfs: the directory name is empty");
			spec->rootfs = v[0];
			break;
		case O_READ_ONLY: spec->rootfs_ro_asked = true; break;
		case O_ROOTFS_RW: spec->rootfs_rw_asked = true; break;
		case O_OVERLAY:
			if (nargs == 0) {
				spec->overlay_asked = true;
				break;
			}
			if (pd.n_lowers == 0)
				return sb_err(EINVAL, "--overlay requires at least one --overlay-src");
			op = add_op(spec, MOP_OVERLAY, o->name, v[0], v[2], false);
			op->work = v[1];
			op->ovl = OVL_RW;
			break;
		case O_OVERLAY_SRC:
			pd.lowers = xrealloc(pd.lowers, (pd.n_lowers + 1) * sizeof(char *));
			pd.lowers[pd.n_lowers++] = v[0];
			break;
		case O_TMP_OVERLAY:
		case O_RO_OVERLAY:
			if (pd.n_lowers < (o->id == O_RO_OVERLAY ? 2u : 1u))
				return sb_err(EINVAL, "%s requires at least %s --overlay-src", o->name,
					      o->id == O_RO_OVERLAY ? "two" : "one");
			op = add_op(spec, MOP_OVERLAY, o->name, NULL, v[0], false);
			op->ovl = o->id == O_RO_OVERLAY ? OVL_RO : OVL_TMP;
			break;
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
		case O_BIND_FD:
		case O_RO_BIND_FD: {
			char link[64], target[PATH_MAX];
			struct mount_op *bop;
			ssize_t n;
			int fd;
			if ((r = parse_fd(o->name, v[0], &fd)) < 0)
				return r;
			snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
			n = readlink(link, target, sizeof target - 1);
			if (n <= 0 || target[0] != '/')
				return sb_err(EBADF, "%s %s: the descriptor does not refer to a path "
					      "in this mount namespace", o->name, v[0]);
			target[n] = '\0';
			/* the fd itself is bound; the path only names it in messages */
			if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
				return sb_err(errno, "%s %s: %s", o->name, v[0], strerror(errno));
			bop = add_op(spec, o->id == O_BIND_FD ? MOP_BIND : MOP_RO_BIND, o->name,
				     xstrdup(target), v[1], false);
			bop->by_fd = true;
			bop->fd = fd;
			break;
		}
		case O_RW: add_op(spec, MOP_BIND, o->name, v[0], v[0], false); break;
		case O_RO: add_op(spec, MOP_RO_BIND, o->name, v[0], v[0], false); break;
		case O_TMPFS: op = add_op(spec, MOP_TMPFS, o->name, NULL, v[0], false); break;
		case O_PROC: add_op(spec, MOP_PROC, o->name, NULL, v[0], false); break;
		case O_DEV: add_op(spec, MOP_DEV, o->name, NULL, v[0], false); break;
		case O_MQUEUE: add_op(spec, MOP_MQUEUE, o->name, NULL, v[0], false); break;
		case O_DIR: op = add_op(spec, MOP_DIR, o->name, NULL, v[0], false); break;
		case O_SYMLINK: add_op(spec, MOP_SYMLINK, o->name, v[0], v[1], false); break;
		case O_REMOUNT_RO: add_op(spec, MOP_REMOUNT_RO, o->name, NULL, v[0], false); break;
		case O_FILE:
		case O_BIND_DATA:
		case O_RO_BIND_DATA: {
			int fd;
			if ((r = parse_fd(o->name, v[0], &fd)) < 0)
				return r;
			op = add_op(spec, o->id == O_FILE ? MOP_FILE : MOP_BIND_DATA, o->name,
				    NULL, v[1], false);
			op->ro = o->id == O_RO_BIND_DATA;
			if ((r = read_fd_all(fd, &op->data, &op->data_len, 1u << 30)) < 0)
				return sb_err(-r, "%s %s: cannot read: %s", o->name, v[0], strerror(-r));
			break;
		}
		case O_CHMOD:
			op = add_op(spec, MOP_CHMOD, o->name, NULL, v[1], false);
			if (parse_octal(v[0], &op->perms) < 0)
				return sb_err(EINVAL, "--chmod: invalid mode '%s' (octal, e.g. 0755)", v[0]);
			op->perms_set = true;
			break;
		case O_PERMS:
			if (pd.perms_set)
				return sb_err(EINVAL, "--perms given twice for the same action");
			if (parse_octal(v[0], &pd.perms) < 0)
				return sb_err(EINVAL, "--perms: invalid mode '%s' (octal, e.g. 0700)", v[0]);
			pd.perms_set = true;
			break;
		case O_SIZE:
			if (pd.size)
				return sb_err(EINVAL, "--size given twice for the same action");
			if (parse_size(v[0], &pd.size) < 0 || pd.size == 0)
				return sb_err(EINVAL, "--size: invalid size '%s' (bytes, or with k, M, G)",
					      v[0]);
			/* the kernel's tmpfs takes at most SSIZE_MAX (bwrap's limit) */
			if (pd.size > SIZE_MAX >> 1)
				return bwrap(spec) ? sb_err(ERANGE, "--size (for tmpfs) is limited to %zu",
							    (size_t)(SIZE_MAX >> 1))
						   : sb_err(ERANGE, "--size %s: at most %zu bytes", v[0],
							    (size_t)(SIZE_MAX >> 1));
			break;
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
		case O_SHARE_NET:
			spec->share_net = true;
			spec->net_mode = NET_HOST;
			break;
		case O_SHARE_IPC: spec->share_ipc = true; break;
		case O_SHARE_PID: spec->share_pid = true; break;
		case O_SHARE_UTS: spec->share_uts = true; break;
		case O_SHARE_CGROUP: spec->share_cgroup = true; break;
		case O_UNSHARE_USER:
		case O_UNSHARE_USER_TRY: spec->unshare_user = true; break;
		case O_UNSHARE_IPC: spec->share_ipc = false; break;
		case O_UNSHARE_PID: spec->share_pid = false; break;
		case O_UNSHARE_NET:
			spec->share_net = false;
			if (spec->net_mode == NET_HOST)
				spec->net_mode = NET_NONE;
			break;
		case O_UNSHARE_UTS: spec->share_uts = false; break;
		case O_UNSHARE_CGROUP:
		case O_UNSHARE_CGROUP_TRY: spec->share_cgroup = false; break;
		case O_UNSHARE_ALL:
			spec->unshare_user = true;
			spec->share_ipc = spec->share_pid = spec->share_net = false;
			spec->share_uts = spec->share_cgroup = false;
			if (spec->net_mode == NET_HOST)
				spec->net_mode = NET_NONE;
			break;
		case O_NET: {
			static const enum net_mode modes[] = { NET_NONE, NET_HOST, NET_PASTA,
							       NET_SLIRP4NETNS, NET_AUTO };
			size_t k;
			for (k = 0; k < sizeof modes / sizeof modes[0]; k++)
				if (strcmp(v[0], net_mode_name(modes[k])) == 0)
					break;
			if (k == sizeof modes / sizeof modes[0])
				return sb_err(EINVAL, "--net: unknown mode '%s' (none, host, pasta, "
					      "slirp4netns or auto)", v[0]);
			spec->net_mode = modes[k];
			spec->share_net = modes[k] == NET_HOST;
			break;
		}
		case O_PUBLISH:
			spec->publish = xrealloc(spec->publish,
						 (spec->n_publish + 1) * sizeof *spec->publish);
			if ((r = net_parse_publish(v[0], &spec->publish[spec->n_publish])) < 0)
				return r;
			spec->n_publish++;
			if (!spec->net_opt)
				spec->net_opt = "--publish";
			break;
		case O_ALLOW_HOST_LOOPBACK:
			spec->allow_host_loopback = true;
			if (!spec->net_opt)
				spec->net_opt = o->name;
			break;
		case O_NET_ALLOW:
			spec->allow = xrealloc(spec->allow, (spec->n_allow + 1) * sizeof *spec->allow);
			if ((r = net_parse_allow(v[0], &spec->allow[spec->n_allow])) < 0)
				return r;
			spec->n_allow++;
			if (!spec->net_opt)
				spec->net_opt = o->name;
			break;
		case O_DNS: {
			struct in_addr ip;
			if (inet_pton(AF_INET, v[0], &ip) != 1)
				return sb_err(EINVAL, "--dns %s: not an IPv4 address (the sandbox's "
					      "network is IPv4 only)", v[0]);
			spec->dns = v[0];
			if (!spec->net_opt)
				spec->net_opt = o->name;
			break;
		}
		case O_UNSHARE_TIME: spec->unshare_time = true; break;
		case O_HOSTNAME:
			if (!*v[0] || strlen(v[0]) > 64)
				return sb_err(EINVAL, "--hostname: '%s' is not a valid host name "
					      "(1 to 64 characters)", v[0]);
			spec->hostname = v[0];
			spec->hostname_set = true;
			break;
		case O_USERNS:
			if ((r = parse_fd(o->name, v[0], &spec->userns_fd)) < 0)
				return r;
			break;
		case O_USERNS2:
			if ((r = parse_fd(o->name, v[0], &spec->userns2_fd)) < 0)
				return r;
			break;
		case O_PIDNS:
			if ((r = parse_fd(o->name, v[0], &spec->pidns_fd)) < 0)
				return r;
			break;
		case O_DISABLE_USERNS: spec->disable_userns = true; break;
		case O_ASSERT_USERNS_DISABLED: spec->assert_userns_disabled = true; break;
		case O_NOT_A_SECURITY_BOUNDARY: spec->not_a_security_boundary = true; break;
		case O_CHDIR:
			if (spec->chdir && bwrap(spec))
				sb_warn("Only the last --chdir option will take effect");
			else if (spec->chdir)
				sb_warn("--chdir given more than once: %s is used", v[0]);
			spec->chdir = v[0];
			break;
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
			int fd;
			if ((r = parse_fd(o->name, v[0], &fd)) < 0)
				return r;
			spec->keep_fds = xrealloc(spec->keep_fds,
						  (spec->n_keep_fds + 1) * sizeof(int));
			spec->keep_fds[spec->n_keep_fds++] = fd;
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
		case O_SECCOMP:
		case O_ADD_SECCOMP_FD: {
			int fd;
			if ((r = parse_fd(o->name, v[0], &fd)) < 0)
				return r;
			if (o->id == O_SECCOMP && pd.sc_add)
				return sb_err(EINVAL, "--seccomp cannot be combined with --add-seccomp-fd");
			if (o->id == O_ADD_SECCOMP_FD && pd.sc_replace)
				return sb_err(EINVAL, "--add-seccomp-fd cannot be combined with --seccomp");
			if (o->id == O_SECCOMP)
				spec->seccomp_legacy = pd.sc_replace = true;
			else
				pd.sc_add = true;
			pd.sc = xrealloc(pd.sc, (pd.n_sc + 1) * sizeof *pd.sc);
			pd.sc[pd.n_sc++] = (struct pending_sc){ fd, o->id == O_SECCOMP, o->name };
			break;
		}
		case O_SECCOMP_POLICY:
			if (!*v[0])
				return sb_err(EINVAL, "--seccomp-policy: expected default, none or a "
					      "policy file");
			spec->seccomp_policy = v[0];
			break;
		case O_LANDLOCK:
			if (spec->landlock < 1)
				spec->landlock = 1;
			break;
		case O_LANDLOCK_REQUIRE: spec->landlock = 2; break;
		case O_EXEC_LABEL: spec->exec_label = v[0]; break;
		case O_FILE_LABEL: spec->file_label = v[0]; break;
		case O_INFO_FD:
			if ((r = parse_fd(o->name, v[0], &spec->info_fd)) < 0)
				return r;
			break;
		case O_JSON_STATUS_FD:
			if ((r = parse_fd(o->name, v[0], &spec->json_status_fd)) < 0)
				return r;
			break;
		case O_SYNC_FD:
			if ((r = parse_fd(o->name, v[0], &spec->sync_fd)) < 0)
				return r;
			break;
		case O_BLOCK_FD:
			if ((r = parse_fd(o->name, v[0], &spec->block_fd)) < 0)
				return r;
			break;
		case O_USERNS_BLOCK_FD:
			if ((r = parse_fd(o->name, v[0], &spec->userns_block_fd)) < 0)
				return r;
			break;
		case O_LOCK_FILE:
			spec->lock_files = xrealloc(spec->lock_files,
						    (spec->n_lock_files + 1) * sizeof(char *));
			spec->lock_files[spec->n_lock_files++] = v[0];
			break;
		case O_LEVEL_PREFIX: spec->level_prefix = sb_level_prefix = true; break;
		case O_ALLOW_USERNS: spec->allow_userns = true; break;
		case O_HIDE:
			if (!*v[0])
				return sb_err(EINVAL, "--hide: the path is empty");
			add_op(spec, MOP_HIDE, o->name, NULL, v[0], false);
			break;
		case O_NO_DEFAULT_HIDE: spec->no_default_hide = true; break;
		case O_HOME:
			if ((r = parse_home(spec, v[0])) < 0)
				return r;
			break;
		case O_PRINT_HIDES:
			if (print_default_hides(stdout) < 0)
				return sb_err(EIO, "--print-hides: cannot write the list");
			return 1;
		case O_VERBOSE: spec->verbose++; break;
		case O_HELP:
			print_usage(spec, argv[0], stdout);
			return 1;
		case O_VERSION:
			if (bwrap(spec))
				printf("bubblewrap %s\n", BWRAP_COMPAT_VERSION);
			else
				printf("sandbox %s\n", SANDBOX_VERSION);
			return 1;
		case O_LIMIT:
			if ((r = limits_option(spec, o->name, nargs ? v[0] : NULL)) < 0)
				return r;
			break;
		case O_ARGS:
			break;
		}
		if (op) {
			if ((r = take_pending(&pd, op, o->name)) < 0)
				return r;
			if (op->kind == MOP_OVERLAY) {
				op->lowers = pd.lowers;
				op->n_lowers = pd.n_lowers;
				pd.lowers = NULL;
				pd.n_lowers = 0;
			}
		}
	}

	if (pd.perms_set || pd.size)
		return sb_err(EINVAL, "%s must be followed by an operation",
			      pd.size ? "--size" : "--perms");
	if (pd.n_lowers)
		return sb_err(EINVAL, "--overlay-src must be followed by another --overlay-src or "
			      "one of --overlay, --tmp-overlay, or --ro-overlay");
	r = 0;
	for (size_t k = 0; k < pd.n_sc; k++)
		if ((r = read_seccomp(spec, pd.sc[k].opt, pd.sc[k].fd, pd.sc[k].replace)) < 0)
			break;
	free(pd.sc);
	if (r < 0)
		return r;
	if (i >= argc)
		return sb_err(EINVAL, "No command specified (usage: %s [OPTION...] [--] COMMAND [ARG...])",
			      sb_prog);
	spec->argv = &argv[i];
	spec->argc = argc - i;
	return cli_check(spec);
}

/* Combinations, once everything is known. */
int cli_check(struct sandbox_spec *spec)
{
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
			      n ? modes[0] : spec->overlay_dir ? "--overlay-dir" : "--overlay-driver");
	if (spec->overlay_driver_set && (spec->rootfs_ro_asked || spec->rootfs_rw_asked))
		return sb_err(EINVAL, "--overlay-driver needs an overlay: it contradicts %s", modes[0]);

	if (!spec->rootfs)
		spec->rootfs_mode = bwrap(spec) ? ROOTFS_EMPTY : ROOTFS_HOST;
	else if (spec->rootfs_rw_asked)
		spec->rootfs_mode = ROOTFS_RW;
	else if (spec->rootfs_ro_asked)
		spec->rootfs_mode = ROOTFS_RO;
	else
		spec->rootfs_mode = ROOTFS_OVERLAY;

	if (spec->subids == SUBIDS_NEVER && (spec->uid_map_opt.n || spec->gid_map_opt.n) &&
	    !bwrap(spec))
		return sb_err(EINVAL, "--no-subids cannot be combined with --uid-map/--gid-map");
	if (!net_uses_helper(spec))
		spec->net_mode = spec->share_net ? NET_HOST : NET_NONE;
	if (spec->net_opt && !net_uses_helper(spec))
		return sb_err(EINVAL, "%s needs a network helper: add --net pasta, --net slirp4netns "
			      "or --net auto (the sandbox has --net %s)", spec->net_opt,
			      net_mode_name(spec->net_mode));
	if (spec->hostname_set && spec->share_uts)
		return sb_err(EINVAL, bwrap(spec) ? "Specifying --hostname requires --unshare-uts"
				    : "--hostname needs a private uts namespace (drop --share-uts)");
	if (spec->disable_userns && spec->userns_fd >= 0)
		return sb_err(EINVAL, "--disable-userns is not compatible with --userns");
	if (spec->userns2_fd >= 0 && spec->userns_fd < 0)
		return sb_err(EINVAL, "--userns2 requires --userns");
	if (spec->userns_block_fd >= 0 && spec->userns_fd >= 0)
		return sb_err(EINVAL, "--userns-block-fd is not compatible with --userns");
	if (spec->userns_block_fd >= 0 && spec->info_fd < 0 && spec->json_status_fd < 0)
		return sb_err(EINVAL, "--userns-block-fd requires --info-fd or --json-status-fd");
	if (spec->seccomp_legacy && spec->n_seccomp_progs > 1)
		return sb_err(EINVAL, "--seccomp cannot be combined with --add-seccomp-fd");
	if (spec->exec_label || spec->file_label)
		return sb_err(ENOTSUP, "%s: labeling not supported on this system",
			      spec->exec_label ? "--exec-label" : "--file-label");
	if (spec->as_pid_1 && spec->share_pid)
		return sb_err(EINVAL, bwrap(spec) ? "Specifying --as-pid-1 requires --unshare-pid"
				    : "--as-pid-1 needs a pid namespace of its own (drop --share-pid)");
	if (bwrap(spec) && spec->disable_userns && !spec->unshare_user)
		return sb_err(EINVAL, "--disable-userns requires --unshare-user");
	if (spec->allow_userns && (spec->disable_userns || spec->assert_userns_disabled))
		return sb_err(EINVAL, "--allow-userns contradicts %s", spec->disable_userns ?
			      "--disable-userns" : "--assert-userns-disabled");
	if (spec->n_allow && (spec->caps_add & NET_ALLOW_BYPASS_CAPS))
		return sb_err(EINVAL, "--cap-add %s cannot be combined with --net-allow: with it "
			      "the command could %s and reach any destination (drop the "
			      "capability, or --net-allow)",
			      spec->caps_add & (1ULL << CAP_NET_ADMIN) ? "CAP_NET_ADMIN" : "CAP_NET_RAW",
			      spec->caps_add & (1ULL << CAP_NET_ADMIN) ?
			      "delete the --net-allow rules" : "send raw packets past them");
	return limits_check(spec);
}
