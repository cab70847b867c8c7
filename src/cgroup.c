/* cgroup.c - the cgroup v2 limits: --memory, --memory-swap, --pids,
 * --cpus, --cpu-weight, --cpuset, --io-weight.
 *
 * Owns their parsing and validation, and obtaining the cgroup: cgroup v2
 * as the only hierarchy at /sys/fs/cgroup (on a legacy or hybrid host a
 * limit is an error naming what is missing and what fixes it), then the
 * cgroup we are in when it is ours (writable, holding nothing else), or
 * else a transient scope with Delegate=yes from the user's systemd
 * (scope.c moves us into it); then the leaf layout inside it, the limits,
 * the usage and the teardown.  Nothing is created before those checks,
 * so a refusal leaves nothing behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "sandbox.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CPU_PERIOD_US 100000u
#define MAX_CPUS 8192u          /* the kernel's largest NR_CPUS */
#define MAX_PIDS 4194304u       /* PID_MAX_LIMIT on 64-bit kernels */

/* N.N CPUs as cpu.max's quota per 100 ms period: at least 0.01 (the
 * kernel's smallest quota is 1 ms), 5 decimals at most. */
int parse_cpus(const char *s, uint32_t *quota_us)
{
	uint64_t whole = 0, frac = 0, div = 1, q;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > MAX_CPUS)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		const char *f = ++p;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (p - f >= 5)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*p - '0');
			div *= 10;
		}
		if (p == f)
			return -EINVAL;
	}
	if (*p || p == s || *s == '.')
		return -EINVAL;
	if (whole > MAX_CPUS)
		return -ERANGE;
	q = whole * CPU_PERIOD_US + frac * CPU_PERIOD_US / div;
	if (q < 1000 || q > (uint64_t)MAX_CPUS * CPU_PERIOD_US)
		return -ERANGE;
	*quota_us = (uint32_t)q;
	return 0;
}

/* cpuset.cpus syntax: N or N-M (N <= M), comma-separated, below MAX_CPUS */
int parse_cpuset(const char *s)
{
	const char *p = s;

	do {
		uint32_t a = 0, b;
		const char *start = p;
		for (; *p >= '0' && *p <= '9' && a < MAX_CPUS; p++)
			a = a * 10 + (uint32_t)(*p - '0');
		if (p == start || a >= MAX_CPUS)
			return -EINVAL;
		b = a;
		if (*p == '-') {
			start = ++p;
			for (b = 0; *p >= '0' && *p <= '9' && b < MAX_CPUS; p++)
				b = b * 10 + (uint32_t)(*p - '0');
			if (p == start || b >= MAX_CPUS || b < a)
				return -EINVAL;
		}
	} while (*p == ',' && (p++, true));
	return *p ? -EINVAL : 0;
}

static int number_option(const char *opt, const char *v, uint32_t min, uint32_t max,
			 uint32_t *out)
{
	if (parse_u32(v, out) < 0 || *out < min || *out > max)
		return sb_err(EINVAL, "%s %s: expected a whole number from %u to %u", opt, v, min, max);
	return 0;
}

static int size_option(const char *opt, const char *v, uint64_t min, uint64_t *out)
{
	if (parse_size(v, out) < 0 || *out < min)
		return sb_err(EINVAL, "%s %s: expected a size in bytes, or with k, M or G "
			      "(at least %llu)", opt, v, (unsigned long long)min);
	return 0;
}

int cgroup_option(struct sandbox_spec *spec, const char *opt, const char *v)
{
	struct cgroup_limits *cg = &spec->cg;
	int r = 0;

	if (strcmp(opt, "--memory") == 0) {
		r = size_option(opt, v, 4096, &cg->memory);
		cg->memory_set = true;
	} else if (strcmp(opt, "--memory-swap") == 0) {
		r = size_option(opt, v, 0, &cg->memory_swap);
		cg->memory_swap_set = true;
	} else if (strcmp(opt, "--pids") == 0) {
		r = number_option(opt, v, 1, MAX_PIDS, &cg->pids);
	} else if (strcmp(opt, "--cpus") == 0) {
		if (parse_cpus(v, &cg->cpu_quota_us) < 0)
			r = sb_err(EINVAL, "%s %s: expected a number of CPUs from 0.01 to %u "
				   "(e.g. 0.5, 2)", opt, v, MAX_CPUS);
	} else if (strcmp(opt, "--cpu-weight") == 0) {
		r = number_option(opt, v, 1, 10000, &cg->cpu_weight);
	} else if (strcmp(opt, "--io-weight") == 0) {
		r = number_option(opt, v, 1, 10000, &cg->io_weight);
	} else if (strcmp(opt, "--cpuset") == 0) {
		if (parse_cpuset(v) < 0)
			r = sb_err(EINVAL, "%s %s: expected CPU numbers and ranges, e.g. 0-3,6", opt, v);
		cg->cpuset = v;
	} else {
		return sb_err(EINVAL, "%s: not a resource option", opt);
	}
	if (r == 0 && !cg->first_opt)
		cg->first_opt = opt;
	return r;
}

/* cgroup v2 alone at /sys/fs/cgroup, v2 beside v1 (systemd's hybrid
 * layout: v1 controllers, an empty v2 at unified/), or v1 alone. */
enum cgroup_layout cgroup_layout(void)
{
	struct statfs st;

	if (statfs(CGROUP_ROOT, &st) < 0)
		return CGROUP_NONE;
	if (st.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_UNIFIED;
	if (statfs(CGROUP_ROOT "/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_HYBRID;
	return CGROUP_LEGACY;
}

#define CGROUP_FIX "boot with systemd.unified_cgroup_hierarchy=1 or cgroup_no_v1=all on " \
	"the kernel command line; --rlimit, --timeout and --stats work without it"

/* ---- the delegated cgroup ---- */

/* The controller each limit needs, in cgroup.subtree_control's words */
static void wanted_controllers(const struct cgroup_limits *cg, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (cg->cpu_quota_us || cg->cpu_weight)
		(void)buf_printf(buf, len, &off, "%scpu", off ? " " : "");
	if (cg->cpuset)
		(void)buf_printf(buf, len, &off, "%scpuset", off ? " " : "");
	if (cg->io_weight)
		(void)buf_printf(buf, len, &off, "%sio", off ? " " : "");
	if (cg->memory_set || cg->memory_swap_set)
		(void)buf_printf(buf, len, &off, "%smemory", off ? " " : "");
	if (cg->pids)
		(void)buf_printf(buf, len, &off, "%spids", off ? " " : "");
}

/* Is WORD one of the space-separated words of LIST? */
static bool has_word(const char *list, const char *word, size_t wlen)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, " \n");
		if (n == wlen && strncmp(p, word, n) == 0)
			return true;
		p += n;
		p += strspn(p, " \n");
	}
	return false;
}

/* The option that asked for CONTROLLER, for messages */
static const char *option_for(const struct cgroup_limits *cg, const char *ctl)
{
	if (strcmp(ctl, "memory") == 0)
		return cg->memory_set ? "--memory" : "--memory-swap";
	if (strcmp(ctl, "pids") == 0)
		return "--pids";
	if (strcmp(ctl, "cpu") == 0)
		return cg->cpu_quota_us ? "--cpus" : "--cpu-weight";
	if (strcmp(ctl, "cpuset") == 0)
		return "--cpuset";
	return "--io-weight";
}

static int read_at(int dirfd, const char *file, char *buf, size_t len)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, len - 1)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Our cgroup v2 path, from /proc/self/cgroup's "0::PATH" line */
static int own_cgroup(char *path, size_t len)
{
	char buf[4096], *line;
	int r = read_small_file("/proc/self/cgroup", buf, sizeof buf);

	if (r < 0)
		return sb_err(-r, "/proc/self/cgroup: %s", strerror(-r));
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, "0::/", 4) == 0) {
			size_t n = strcspn(line + 3, "\n");
			if (n >= len)
				break;
			memcpy(path, line + 3, n);
			path[n] = '\0';
			return 0;
		}
	}
	return sb_err(ENOENT, "/proc/self/cgroup names no cgroup v2 path");
}

#define NOT_OURS_FIX "run sandbox in a cgroup delegated to you and holding nothing else, " \
	"e.g. systemd-run --user --scope -p Delegate=yes sandbox ..."
#define NO_MANAGER_FIX "your systemd user manager (user@%u.service) runs while you are " \
	"logged in through PAM (a console, ssh or desktop login), or from boot after " \
	"loginctl enable-linger %s; or " NOT_OURS_FIX

/* Is the cgroup at BASE ours (podman's test: the directory and its
 * cgroup.procs and cgroup.subtree_control writable), and do we alone live
 * in it?  Controllers can be enabled below it only when nothing else does. */
static int check_owned(const struct cgroup_run *cr, const char *opt)
{
	static const char *const files[] = { ".", "cgroup.procs", "cgroup.subtree_control" };
	char procs[4096], *p;
	size_t i, others = 0;
	int r;

	for (i = 0; i < 3; i++)
		if (faccessat(cr->base_fd, files[i], W_OK, AT_EACCESS) < 0)
			return sb_err(EACCES, "%s: your cgroup %s%s is not delegated to you (%s is "
				      "not writable)", opt, CGROUP_ROOT, cr->path,
				      files[i][0] == '.' ? "the directory" : files[i]);
	if ((r = read_at(cr->base_fd, "cgroup.procs", procs, sizeof procs)) < 0)
		return sb_err(-r, "%s%s/cgroup.procs: %s", CGROUP_ROOT, cr->path, strerror(-r));
	for (p = procs; *p; p += strcspn(p, "\n"), p += *p == '\n')
		others += strtol(p, NULL, 10) != (long)getpid();
	if (others)
		return sb_err(EBUSY, "%s: your cgroup %s%s holds %zu other process%s (a shell?), so "
			      "no controller can be enabled below it", opt, CGROUP_ROOT,
			      cr->path, others, others == 1 ? "" : "es");
	return 0;
}

/* Every controller the limits need is available in BASE */
static int check_controllers(const struct sandbox_spec *spec, const struct cgroup_run *cr)
{
	char have[512], want[64], *w;
	int r;

	if ((r = read_at(cr->base_fd, "cgroup.controllers", have, sizeof have)) < 0)
		return sb_err(-r, "%s%s/cgroup.controllers: %s", CGROUP_ROOT, cr->path, strerror(-r));
	wanted_controllers(&spec->cg, want, sizeof want);
	for (w = strtok(want, " "); w; w = strtok(NULL, " "))
		if (!has_word(have, w, strlen(w)))
			return sb_err(EOPNOTSUPP, "%s needs the %s controller, which is not delegated "
				      "to your cgroup %s%s (it has: %s); an administrator adds it "
				      "with a drop-in for user@.service: [Service] Delegate=cpu "
				      "cpuset io memory pids (see CGROUP DELEGATION in sandbox(1))",
				      option_for(&spec->cg, w), w, CGROUP_ROOT, cr->path,
				      have[0] && have[0] != '\n' ? strtok(have, "\n") : "none");
	return 0;
}

/* BASE: the cgroup this process is in now */
static int open_base(struct cgroup_run *cr, const char *opt)
{
	char full[sizeof cr->path + sizeof CGROUP_ROOT];
	int r;

	if ((r = own_cgroup(cr->path, sizeof cr->path)) < 0)
		return r;
	snprintf(full, sizeof full, "%s%s", CGROUP_ROOT, cr->path);
	cr->base_fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cr->base_fd < 0)
		return sb_err(errno, "%s: cannot open your cgroup %s: %s", opt, full,
			      strerror(errno));
	return 0;
}

/* Our cgroup is not ours to divide (why: the last error): ask the user's
 * systemd for a delegated transient scope (scope.c) and take that one */
static int take_scope(struct cgroup_run *cr, const char *opt)
{
	char why[2048], unit[64], user[64];
	int r;

	snprintf(why, sizeof why, "%s", sb_errmsg());
	close(cr->base_fd);
	cr->base_fd = -1;
	if ((r = scope_enter(unit, sizeof unit)) < 0) {
		const char *u = getenv("USER");
		snprintf(user, sizeof user, "%s", u && *u ? u : "USER");
		if (r == -ELIBACC)
			return sb_errctx(r, "%s, and no delegated scope could be had from your "
					 "systemd instead", why);
		sb_errctx(r, "%s, and no delegated scope could be had from your systemd "
			  "instead", why);
		snprintf(why, sizeof why, "%s", sb_errmsg());
		return sb_err(-r, "%s; " NO_MANAGER_FIX, why, (unsigned)getuid(), user);
	}
	if ((r = open_base(cr, opt)) < 0)
		return r;
	if ((r = check_owned(cr, opt)) < 0)
		return sb_errctx(r, "in the scope %s that your systemd made", unit);
	return 0;
}

void cgroup_init(struct cgroup_run *cr)
{
	memset(cr, 0, sizeof *cr);
	cr->base_fd = cr->top_fd = cr->payload_fd = cr->inner_fd = -1;
}

/* Setup process, before anything is created: may the limits be had?
 * Nothing of ours is created here (a transient scope at most, which
 * systemd removes once we have ended); CR holds the cgroup's fd on
 * success. */
int cgroup_preflight(const struct sandbox_spec *spec, struct cgroup_run *cr)
{
	const char *opt = spec->cg.first_opt;
	int r;

	if (!opt)
		return 0;
	switch (cgroup_layout()) {
	case CGROUP_HYBRID:
		return sb_err(EOPNOTSUPP, "%s needs cgroup v2 as the only hierarchy at %s; this host "
			      "has the hybrid layout (cgroup v1 controllers, cgroup v2 without "
			      "controllers at %s/unified), whose controllers cannot be delegated "
			      "to you: %s", opt, CGROUP_ROOT, CGROUP_ROOT, CGROUP_FIX);
	case CGROUP_LEGACY:
		return sb_err(EOPNOTSUPP, "%s needs cgroup v2 at %s; this host has only cgroup v1, "
			      "whose controllers cannot be delegated to you: %s", opt,
			      CGROUP_ROOT, CGROUP_FIX);
	case CGROUP_NONE:
		return sb_err(EOPNOTSUPP, "%s needs cgroup v2 mounted at %s, where nothing is "
			      "mounted (in a container: mount cgroup2 there)", opt, CGROUP_ROOT);
	case CGROUP_UNIFIED:
		break;
	}
	if ((r = open_base(cr, opt)) < 0)
		return r;
	r = check_owned(cr, opt);
	if (r == -EACCES || r == -EBUSY)
		r = take_scope(cr, opt);
	if (r == 0)
		r = check_controllers(spec, cr);
	if (r < 0 && cr->base_fd >= 0) {
		close(cr->base_fd);
		cr->base_fd = -1;
	}
	return r;
}

static int make_dir(int dirfd, const char *name, int *out)
{
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	*out = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return *out < 0 ? -errno : 0;
}

/* "+a +b" (or "-a -b") for the words of LIST */
static void control_text(const char *list, char sign, char *buf, size_t len)
{
	size_t off = 0;
	const char *p = list;

	buf[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, " ");
		(void)buf_printf(buf, len, &off, "%s%c%.*s", off ? " " : "", sign, (int)n, p);
		p += n;
		p += strspn(p, " ");
	}
}

struct limit_file {
	const char *file, *opt;
	char value[64];
};

/* The limit files to write in payload/, in this order */
static size_t limit_files(const struct cgroup_limits *cg, struct limit_file *f)
{
	size_t n = 0;

#define ADD(F, O, ...) do { f[n].file = F; f[n].opt = O; \
	snprintf(f[n].value, sizeof f[n].value, __VA_ARGS__); n++; } while (0)
	if (cg->memory_set)
		ADD("memory.max", "--memory", "%" PRIu64, cg->memory);
	if (cg->memory_swap_set)
		ADD("memory.swap.max", "--memory-swap", "%" PRIu64, cg->memory_swap);
	if (cg->pids)
		ADD("pids.max", "--pids", "%u", cg->pids);
	if (cg->cpu_quota_us)
		ADD("cpu.max", "--cpus", "%u %u", cg->cpu_quota_us, CPU_PERIOD_US);
	if (cg->cpu_weight)
		ADD("cpu.weight", "--cpu-weight", "%u", cg->cpu_weight);
	if (cg->cpuset)
		ADD("cpuset.cpus", "--cpuset", "%s", cg->cpuset);
	if (cg->io_weight)
		ADD("io.weight", "--io-weight", "%u", cg->io_weight);
#undef ADD
	return n;
}

static int write_limits(const struct sandbox_spec *spec, const struct cgroup_run *cr)
{
	struct limit_file f[8];
	size_t i, n = limit_files(&spec->cg, f);
	int r;

	for (i = 0; i < n; i++) {
		if ((r = write_file_at(cr->payload_fd, f[i].file, f[i].value)) == 0)
			continue;
		if (r == -ENOENT)
			return sb_err(EOPNOTSUPP, "%s: this kernel has no %s (%s)", f[i].opt, f[i].file,
				      strcmp(f[i].file, "io.weight") == 0 ?
				      "the io controller's weights need the iocost controller" :
				      "a controller option it was built without");
		return sb_err(-r, "%s: writing %s to %s%s/%s/payload/%s: %s", f[i].opt, f[i].value,
			      CGROUP_ROOT, cr->path, cr->name, f[i].file, strerror(-r));
	}
	return 0;
}

/* The parent of PID, from /proc/PID/stat, or 0 */
static pid_t parent_of(pid_t pid)
{
	char path[32], buf[512], *p;
	int ppid = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_small_file(path, buf, sizeof buf) < 0 || !(p = strrchr(buf, ')')) ||
	    sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* The helpers started since the preflight (Xephyr, the D-Bus proxy and
 * its keeper: our children and grandchildren) follow us into SUP, or
 * BASE would hold processes and refuse to enable controllers. */
static void move_helpers(const struct cgroup_run *cr, int sup)
{
	char procs[4096], *line, *save = NULL;

	if (read_at(cr->base_fd, "cgroup.procs", procs, sizeof procs) < 0)
		return;
	for (line = strtok_r(procs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		pid_t pid = (pid_t)atoi(line), up = pid;
		int depth;

		for (depth = 0; depth < 3 && up > 1 && up != getpid(); depth++)
			up = parent_of(up);
		if (pid > 0 && pid != getpid() && up == getpid())
			(void)write_file_at(sup, "cgroup.procs", line);
	}
}

/* Setup process, after the preflight and before the sandbox's child is
 * cloned: the leaf layout below our cgroup BASE,
 *   BASE/sandbox-PID/supervisor    this process (and its helpers)
 *   BASE/sandbox-PID/payload       the limits
 *   BASE/sandbox-PID/payload/inner the child, cloned straight into it;
 *                                  its cgroup namespace's root
 * The limits sit one level above the payload's cgroup namespace, so no
 * process inside can reach their files, with or without nsdelegate.  We
 * leave BASE first: a cgroup with processes in it cannot enable
 * controllers for its children, and enabling some anyway can turn it
 * into a threaded root that refuses every later move. */
int cgroup_setup(const struct sandbox_spec *spec, struct cgroup_run *cr)
{
	char want[64], add[128], have[256];
	int sup = -1, r;

	if (cr->base_fd < 0)
		return 0;
	snprintf(cr->name, sizeof cr->name, "sandbox-%d", (int)getpid());
	wanted_controllers(&spec->cg, want, sizeof want);
	control_text(want, '+', add, sizeof add);
	if ((r = make_dir(cr->base_fd, cr->name, &cr->top_fd)) < 0 ||
	    (r = make_dir(cr->top_fd, "supervisor", &sup)) < 0 ||
	    (r = make_dir(cr->top_fd, "payload", &cr->payload_fd)) < 0) {
		r = sb_err(-r, "%s: cannot create %s%s/%s: %s", spec->cg.first_opt, CGROUP_ROOT,
			   cr->path, cr->name, strerror(-r));
		goto out;
	}
	if ((r = write_file_at(sup, "cgroup.procs", "0")) < 0) {
		r = sb_err(-r, "%s: cannot move into %s%s/%s/supervisor: %s", spec->cg.first_opt,
			   CGROUP_ROOT, cr->path, cr->name, strerror(-r));
		goto out;
	}
	cr->moved = true;
	move_helpers(cr, sup);
	/* enable in BASE only what it does not enable yet, and remember it */
	if (read_at(cr->base_fd, "cgroup.subtree_control", have, sizeof have) < 0)
		have[0] = '\0';
	{
		char *w, tmp[64], added[64] = "";
		size_t off = 0;
		snprintf(tmp, sizeof tmp, "%s", want);
		for (w = strtok(tmp, " "); w; w = strtok(NULL, " "))
			if (!has_word(have, w, strlen(w)))
				(void)buf_printf(added, sizeof added, &off, "%s%s", off ? " " : "", w);
		snprintf(cr->enabled_base, sizeof cr->enabled_base, "%s", added);
	}
	if (cr->enabled_base[0]) {
		char text[128];
		control_text(cr->enabled_base, '+', text, sizeof text);
		if ((r = write_file_at(cr->base_fd, "cgroup.subtree_control", text)) < 0) {
			cr->enabled_base[0] = '\0';
			r = sb_err(-r, "%s: cannot enable %s in %s%s/cgroup.subtree_control: %s",
				   spec->cg.first_opt, want, CGROUP_ROOT, cr->path, strerror(-r));
			goto out;
		}
	}
	if ((r = write_file_at(cr->top_fd, "cgroup.subtree_control", add)) < 0 ||
	    (r = write_file_at(cr->payload_fd, "cgroup.subtree_control", add)) < 0) {
		r = sb_err(-r, "%s: cannot enable %s below %s%s/%s: %s", spec->cg.first_opt, want,
			   CGROUP_ROOT, cr->path, cr->name, strerror(-r));
		goto out;
	}
	if ((r = write_limits(spec, cr)) < 0)
		goto out;
	if ((r = make_dir(cr->payload_fd, "inner", &cr->inner_fd)) < 0)
		r = sb_err(-r, "%s: cannot create %s%s/%s/payload/inner: %s", spec->cg.first_opt,
			   CGROUP_ROOT, cr->path, cr->name, strerror(-r));
out:
	if (sup >= 0)
		close(sup);
	if (r < 0)
		cgroup_teardown(cr);
	else
		sb_step("cgroup %s%s/%s set up", CGROUP_ROOT, cr->path, cr->name);
	return r;
}

/* The fd to clone the child into (CLONE_INTO_CGROUP), or -1 */
int cgroup_clone_fd(const struct cgroup_run *cr)
{
	return cr->inner_fd;
}

/* The child, cloned without CLONE_INTO_CGROUP (clone3 refused by an outer
 * seccomp policy): moved in by pid, before it is let go past its id maps */
int cgroup_adopt(const struct cgroup_run *cr, pid_t pid)
{
	char text[24];
	int r;

	if (cr->inner_fd < 0)
		return 0;
	snprintf(text, sizeof text, "%d", (int)pid);
	if ((r = write_file_at(cr->inner_fd, "cgroup.procs", text)) < 0)
		return sb_err(-r, "cannot move the sandbox into %s%s/%s/payload/inner: %s",
			      CGROUP_ROOT, cr->path, cr->name, strerror(-r));
	return 0;
}

static uint64_t key_value(const char *text, const char *key)
{
	size_t k = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, k) == 0 && p[k] == ' ')
			return strtoull(p + k + 1, NULL, 10);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

static bool read_u64(int dirfd, const char *file, uint64_t *out)
{
	char buf[64];

	if (read_at(dirfd, file, buf, sizeof buf) < 0)
		return false;
	if (strncmp(buf, "max", 3) == 0)
		*out = UINT64_MAX;
	else
		*out = strtoull(buf, NULL, 10);
	return true;
}

/* What payload/ used: its files outlive the processes, until rmdir */
void cgroup_usage(const struct cgroup_run *cr, struct cgroup_usage *u)
{
	char buf[1024];

	memset(u, 0, sizeof *u);
	if (cr->payload_fd < 0)
		return;
	u->have = true;
	u->have_memory_peak = read_u64(cr->payload_fd, "memory.peak", &u->memory_peak);
	if (!read_u64(cr->payload_fd, "memory.max", &u->memory_max))
		u->memory_max = UINT64_MAX;
	u->have_pids_peak = read_u64(cr->payload_fd, "pids.peak", &u->pids_peak);
	if (read_at(cr->payload_fd, "memory.events", buf, sizeof buf) == 0) {
		u->have_oom = true;
		u->oom_kills = key_value(buf, "oom_kill");
	}
	if (read_at(cr->payload_fd, "cpu.stat", buf, sizeof buf) == 0 &&
	    strstr(buf, "throttled_usec")) {
		u->have_throttled = true;
		u->throttled_us = key_value(buf, "throttled_usec");
		u->nr_throttled = key_value(buf, "nr_throttled");
	}
}

/* Until payload/ holds no process: poll cgroup.events for "populated 0"
 * (the kernel wakes POLLPRI on each change); at most ~10 s. */
static void wait_unpopulated(int dirfd)
{
	_cleanup_close_ int fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	char buf[256];
	int i;

	if (fd < 0)
		return;
	for (i = 0; i < 100; i++) {
		struct pollfd p = { .fd = fd, .events = POLLPRI };
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		if (n < 0)
			return;
		buf[n] = '\0';
		if (key_value(buf, "populated") == 0 && strstr(buf, "populated 0"))
			return;
		(void)poll(&p, 1, 100);
	}
}

/* Kill what is left in payload/ (cgroup.kill, 5.14+; else each pid of
 * inner/, a few rounds), then remove the layout, leaving BASE as it was. */
static void kill_payload(struct cgroup_run *cr)
{
	int round;

	if (write_file_at(cr->payload_fd, "cgroup.kill", "1") == 0) {
		wait_unpopulated(cr->payload_fd);
		return;
	}
	for (round = 0; round < 20; round++) {
		char procs[4096], *p;
		bool any = false;
		if (cr->inner_fd < 0 || read_at(cr->inner_fd, "cgroup.procs", procs, sizeof procs) < 0)
			break;
		for (p = procs; *p; p += strcspn(p, "\n"), p += *p == '\n') {
			long pid = strtol(p, NULL, 10);
			if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
				any = true;
		}
		if (!any)
			break;
		wait_unpopulated(cr->payload_fd);
	}
}

void cgroup_teardown(struct cgroup_run *cr)
{
	char text[128];
	bool timed = cr->top_fd >= 0;

	/* -v: the emptying of payload/ and the removal, timed apart */
	if (timed)
		sb_step("cgroup teardown started");
	if (cr->payload_fd >= 0) {
		kill_payload(cr);
		sb_step("cgroup payload/ empty");
	}
	if (cr->inner_fd >= 0)
		close(cr->inner_fd);
	if (cr->payload_fd >= 0) {
		close(cr->payload_fd);
		(void)unlinkat(cr->top_fd, "payload/inner", AT_REMOVEDIR);
		(void)unlinkat(cr->top_fd, "payload", AT_REMOVEDIR);
	}
	if (cr->top_fd >= 0) {
		/* the way back into BASE: nothing enabled below it but what was */
		if (read_at(cr->top_fd, "cgroup.subtree_control", text, sizeof text) == 0 &&
		    text[0] != '\n' && text[0]) {
			char off[160];
			text[strcspn(text, "\n")] = '\0';
			control_text(text, '-', off, sizeof off);
			(void)write_file_at(cr->top_fd, "cgroup.subtree_control", off);
		}
		if (cr->enabled_base[0]) {
			control_text(cr->enabled_base, '-', text, sizeof text);
			(void)write_file_at(cr->base_fd, "cgroup.subtree_control", text);
		}
		if (cr->moved && write_file_at(cr->base_fd, "cgroup.procs", "0") < 0)
			sb_warn("cannot move back into %s%s: %s; %s%s/%s is left behind", CGROUP_ROOT,
				cr->path, strerror(errno), CGROUP_ROOT, cr->path, cr->name);
		(void)unlinkat(cr->top_fd, "supervisor", AT_REMOVEDIR);
		close(cr->top_fd);
		(void)unlinkat(cr->base_fd, cr->name, AT_REMOVEDIR);
	}
	if (timed)
		sb_step("cgroup %s%s/%s removed", CGROUP_ROOT, cr->path, cr->name);
	if (cr->base_fd >= 0)
		close(cr->base_fd);
	cgroup_init(cr);
}
