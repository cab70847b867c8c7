/* rlimit.c - the limits that need no cgroup, and the accounting.
 *
 * Owns --rlimit (parsed here, checked by the setup process against the
 * hard limits it has, applied with setrlimit in the payload's last steps
 * before the seccomp filter), --timeout and --kill-after (a timerfd in
 * the setup process's wait loop: SIGTERM, which every level forwards down
 * to the payload, then SIGKILL, whose death chain through PDEATHSIG and
 * pid 1 ends the whole sandbox; exit status 124), and --stats (wall time,
 * and getrusage(RUSAGE_CHILDREN) once the tree is reaped).  Also the
 * duration parser and limits_option(), through which cli.c hands over
 * every resource option (cgroup.c takes the cgroup ones).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>

#include "sandbox.h"

#define NS_PER_S 1000000000ULL
#define DEFAULT_KILL_AFTER_NS (10 * NS_PER_S)
#define MAX_DURATION_NS (100ULL * 366 * 86400 * NS_PER_S)

/* prlimit(1)'s names; BYTES: the value is a size (k, M, G suffixes) */
static const struct rlimit_name {
	const char *name;
	int resource;
	bool bytes;
} rlimit_names[] = {
	{ "as", RLIMIT_AS, true },             { "core", RLIMIT_CORE, true },
	{ "cpu", RLIMIT_CPU, false },          { "data", RLIMIT_DATA, true },
	{ "fsize", RLIMIT_FSIZE, true },       { "locks", RLIMIT_LOCKS, false },
	{ "memlock", RLIMIT_MEMLOCK, true },   { "msgqueue", RLIMIT_MSGQUEUE, true },
	{ "nice", RLIMIT_NICE, false },        { "nofile", RLIMIT_NOFILE, false },
	{ "nproc", RLIMIT_NPROC, false },      { "rss", RLIMIT_RSS, true },
	{ "rtprio", RLIMIT_RTPRIO, false },    { "rttime", RLIMIT_RTTIME, false },
	{ "sigpending", RLIMIT_SIGPENDING, false }, { "stack", RLIMIT_STACK, true },
};
#define N_RLIMIT_NAMES (sizeof rlimit_names / sizeof rlimit_names[0])

static const struct rlimit_name *rlimit_by_resource(int resource)
{
	size_t i;

	for (i = 0; i < N_RLIMIT_NAMES; i++)
		if (rlimit_names[i].resource == resource)
			return &rlimit_names[i];
	return NULL;
}

/* "unlimited", or a number (a size, with BYTES) below RLIM_INFINITY */
static int rlimit_value(const char *s, size_t len, bool bytes, uint64_t *out)
{
	char buf[32];
	size_t i;

	if (len == 0 || len >= sizeof buf)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcmp(buf, "unlimited") == 0 || strcmp(buf, "infinity") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	for (i = 0; !bytes && i < len; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
	if (parse_size(buf, out) < 0)
		return -EINVAL;
	return *out >= RLIM_INFINITY ? -ERANGE : 0;
}

/* NAME=SOFT[:HARD], NAME=SOFT:, NAME=:HARD */
int rlimit_parse(const char *s, struct rlimit_op *out)
{
	const char *eq = strchr(s, '='), *val, *colon;
	const struct rlimit_name *rn = NULL;
	size_t i;

	memset(out, 0, sizeof *out);
	out->spec = s;
	for (i = 0; eq && i < N_RLIMIT_NAMES; i++)
		if (strlen(rlimit_names[i].name) == (size_t)(eq - s) &&
		    strncmp(s, rlimit_names[i].name, (size_t)(eq - s)) == 0)
			rn = &rlimit_names[i];
	if (!rn)
		return sb_err(EINVAL, "--rlimit %s: expected NAME=SOFT[:HARD] with NAME one of as, "
			      "core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, "
			      "nproc, rss, rtprio, rttime, sigpending, stack", s);
	out->resource = rn->resource;
	val = eq + 1;
	colon = strchr(val, ':');
	out->soft_set = colon ? colon > val : *val != '\0';
	out->hard_set = colon && colon[1];
	if ((!out->soft_set && !out->hard_set) ||
	    (out->soft_set && rlimit_value(val, colon ? (size_t)(colon - val) : strlen(val),
					   rn->bytes, &out->soft) < 0) ||
	    (out->hard_set && rlimit_value(colon + 1, strlen(colon + 1), rn->bytes, &out->hard) < 0))
		return sb_err(EINVAL, "--rlimit %s: invalid value: expected SOFT[:HARD], each a %s "
			      "or 'unlimited'", s, rn->bytes ? "size (k, M, G suffixes)" : "number");
	if (out->soft_set && out->hard_set && out->soft > out->hard)
		return sb_err(EINVAL, "--rlimit %s: the soft limit is above the hard limit", s);
	return 0;
}

/* DURATION: a decimal number of seconds, fractions allowed, or with one
 * of ms, s, m, h, d; more than 0 and at most 100 years. */
int parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *suffix; uint64_t unit; } units[] = {
		{ "", NS_PER_S }, { "s", NS_PER_S }, { "ms", NS_PER_S / 1000 },
		{ "m", 60 * NS_PER_S }, { "h", 3600 * NS_PER_S }, { "d", 86400 * NS_PER_S },
	};
	uint64_t whole = 0, frac = 0, frac_div = 1, unit = 0;
	const char *p = s;
	size_t i;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > MAX_DURATION_NS / 1000000) /* in ms, the smallest unit */
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		const char *f = ++p;
		for (; *p >= '0' && *p <= '9'; p++)
			if (p - f < 9) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				frac_div *= 10;
			}
		if (p == f)
			return -EINVAL;
	}
	if (p == s || *s == '.')
		return -EINVAL;
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(p, units[i].suffix) == 0)
			unit = units[i].unit;
	if (!unit)
		return -EINVAL;
	if (whole > MAX_DURATION_NS / unit)
		return -ERANGE;
	*ns = whole * unit + (uint64_t)((unsigned __int128)frac * unit / frac_div);
	return *ns == 0 ? -ERANGE : 0;
}

static int duration_option(const char *opt, const char *v, uint64_t *ns)
{
	int r = parse_duration(v, ns);

	if (r < 0)
		return sb_err(-r, "%s %s: %s", opt, v, r == -ERANGE
			      ? "the duration must be more than 0 and at most 100 years"
			      : "expected a duration: seconds (30, 1.5) or with ms, s, m, h or d "
				"(500ms, 2m, 1h)");
	return 0;
}

/* Every resource option of cli.c's table comes here; V is NULL for --stats. */
int limits_option(struct sandbox_spec *spec, const char *opt, const char *v)
{
	struct rlimit_op op;
	int r;

	if (strcmp(opt, "--stats") == 0) {
		spec->stats = true;
	} else if (strcmp(opt, "--timeout") == 0) {
		return duration_option(opt, v, &spec->timeout_ns);
	} else if (strcmp(opt, "--kill-after") == 0) {
		return duration_option(opt, v, &spec->kill_after_ns);
	} else if (strcmp(opt, "--rlimit") == 0) {
		if ((r = rlimit_parse(v, &op)) < 0)
			return r;
		spec->rlimits = xrealloc(spec->rlimits, (spec->n_rlimits + 1) * sizeof op);
		spec->rlimits[spec->n_rlimits++] = op;
	} else {
		return cgroup_option(spec, opt, v);
	}
	return 0;
}

int limits_check(const struct sandbox_spec *spec)
{
	if (spec->kill_after_ns && !spec->timeout_ns)
		return sb_err(EINVAL, "--kill-after needs --timeout");
	return 0;
}

/* Raising a hard limit takes CAP_SYS_RESOURCE in the initial user
 * namespace: the setup process's, not the sandbox's. */
static bool may_raise_hard_limits(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_SYS_RESOURCE / 32].effective & (1U << (CAP_SYS_RESOURCE % 32));
}

static void rlimit_text(uint64_t v, char *buf, size_t len)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

/* Inside its user namespace the payload cannot raise a hard limit (that
 * takes CAP_SYS_RESOURCE over the initial one): the setup process, which
 * may, raises its own, and the sandbox inherits it. */
static int raise_hard_limit(const struct rlimit_op *op)
{
	struct rlimit rl;

	if (getrlimit(op->resource, &rl) < 0)
		return sb_err(errno, "getrlimit: %s", strerror(errno));
	if (rl.rlim_max >= op->hard)
		return 0;
	rl.rlim_max = op->hard;
	if (setrlimit(op->resource, &rl) < 0)
		return sb_err(errno, "--rlimit %s: cannot raise the hard limit: %s%s", op->spec,
			      strerror(errno), op->resource == RLIMIT_NOFILE && errno == EPERM
			      ? " (above fs.nr_open)" : "");
	return 0;
}

/* Setup process: make each --rlimit whole (a SOFT alone keeps the hard
 * limit; a HARD alone lowers the soft one to it where needed), as the
 * earlier ones leave the limits, and refuse what setrlimit would. */
int rlimits_preflight(struct sandbox_spec *spec)
{
	struct rlimit cur[RLIM_NLIMITS];
	bool raise = may_raise_hard_limits();
	size_t i;
	int r;

	for (i = 0; i < RLIM_NLIMITS; i++)
		if (getrlimit((int)i, &cur[i]) < 0)
			return sb_err(errno, "getrlimit: %s", strerror(errno));
	for (i = 0; i < spec->n_rlimits; i++) {
		struct rlimit_op *op = &spec->rlimits[i];
		struct rlimit *c = &cur[op->resource];
		char have[32];

		if (!op->hard_set)
			op->hard = c->rlim_max;
		if (!op->soft_set)
			op->soft = c->rlim_cur < op->hard ? c->rlim_cur : op->hard;
		op->soft_set = op->hard_set = true;
		rlimit_text(c->rlim_max, have, sizeof have);
		if (op->soft > op->hard)
			return sb_err(EINVAL, "--rlimit %s: the soft limit is above the hard limit "
				      "%s you have (give a hard limit too, or a lower value)",
				      op->spec, have);
		if (op->hard > c->rlim_max && !raise)
			return sb_err(EPERM, "--rlimit %s: above the hard limit %s you have; only "
				      "a process with CAP_SYS_RESOURCE (root) may raise it",
				      op->spec, have);
		if (op->hard > c->rlim_max && (r = raise_hard_limit(op)) < 0)
			return r;
		c->rlim_cur = op->soft;
		c->rlim_max = op->hard;
	}
	return 0;
}

/* The payload, last steps before the seccomp filter. */
int rlimits_apply(const struct sandbox_spec *spec)
{
	size_t i;

	for (i = 0; i < spec->n_rlimits; i++) {
		const struct rlimit_op *op = &spec->rlimits[i];
		struct rlimit rl = { .rlim_cur = op->soft, .rlim_max = op->hard };
		if (setrlimit(op->resource, &rl) < 0)
			return sb_err(errno, "--rlimit %s (RLIMIT of %s): %s", op->spec,
				      rlimit_by_resource(op->resource)->name, strerror(errno));
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

void limits_begin(const struct sandbox_spec *spec, struct limits_run *lr)
{
	memset(lr, 0, sizeof *lr);
	cgroup_init(&lr->cg);
	lr->spec = spec;
	lr->start_ns = now_ns();
	lr->tfd = -1;
	lr->child = -1;
}

static int timer_set(int fd, uint64_t ns)
{
	struct itimerspec it = { .it_value = { .tv_sec = (time_t)(ns / NS_PER_S),
					       .tv_nsec = (long)(ns % NS_PER_S) } };

	return timerfd_settime(fd, 0, &it, NULL) < 0 ? -errno : 0;
}

/* The timer went off: SIGTERM down the chain first, SIGKILL after the
 * grace period. */
static void timeout_fired(void *arg)
{
	struct limits_run *lr = arg;
	uint64_t n;

	if (read(lr->tfd, &n, sizeof n) != sizeof n)
		return;
	if (lr->stage == 0) {
		lr->stage = 1;
		kill(lr->child, SIGTERM);
		timer_set(lr->tfd, lr->spec->kill_after_ns ? lr->spec->kill_after_ns
							    : DEFAULT_KILL_AFTER_NS);
	} else if (lr->stage == 1) {
		lr->stage = 2;
		kill(lr->child, SIGKILL);
	}
}

/* Setup process, as the payload starts: the timer of --timeout for CHILD,
 * watched by the setup process's wait loop; NULL without one. */
const struct wait_timer *limits_arm(struct limits_run *lr, pid_t child)
{
	int r;

	if (!lr->spec->timeout_ns)
		return NULL;
	lr->child = child;
	if (lr->tfd < 0) {
		lr->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (lr->tfd < 0 || (r = timer_set(lr->tfd, lr->spec->timeout_ns)) < 0) {
			/* without it the sandbox would run unbounded: end it */
			sb_warn("--timeout: cannot create the timer (%s); the sandbox is stopped",
				strerror(errno));
			kill(child, SIGKILL);
			lr->stage = 2;
			return NULL;
		}
	}
	lr->timer = (struct wait_timer){ .fd = lr->tfd, .fired = timeout_fired, .arg = lr };
	return &lr->timer;
}

struct usage {
	uint64_t wall_us, user_us, sys_us, maxrss_bytes;
	struct cgroup_usage cg;
};

static uint64_t tv_us(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
}

/* What cgroup v2 alone could say: not measured without a cgroup of ours. */
#define NO_CGROUP_FIGURES "peak pids, OOM kills, time throttled"
#define NO_CGROUP_WHY "the sandbox has no cgroup of its own"

/* "64 MiB", "1.5 GiB", "512 KiB" */
static void size_text(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	uint64_t scale = 1024;
	size_t u = 0;

	while (u + 1 < 4 && b >= scale * 1024) {
		scale *= 1024;
		u++;
	}
	if (b % scale == 0 || b >= scale * 100)
		snprintf(buf, len, "%" PRIu64 " %s", b / scale, unit[u]);
	else
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " %s", b / scale, b % scale * 10 / scale,
			 unit[u]);
}

static void print_cgroup_stats(const struct cgroup_usage *c)
{
	char peak[32], max[32];

	if (c->have_memory_peak) {
		size_text(c->memory_peak, peak, sizeof peak);
		if (c->memory_max != UINT64_MAX)
			size_text(c->memory_max, max, sizeof max);
		fprintf(stderr, "%s: stats: peak memory %s (memory.peak%s%s)\n", sb_prog, peak,
			c->memory_max != UINT64_MAX ? ", limit " : "",
			c->memory_max != UINT64_MAX ? max : "");
	}
	if (c->have_pids_peak)
		fprintf(stderr, "%s: stats: peak pids %" PRIu64 "\n", sb_prog, c->pids_peak);
	if (c->have_oom)
		fprintf(stderr, "%s: stats: OOM kills %" PRIu64 "\n", sb_prog, c->oom_kills);
	if (c->have_throttled)
		fprintf(stderr, "%s: stats: time throttled %" PRIu64 ".%03" PRIu64 " s (%" PRIu64
			" periods)\n", sb_prog, c->throttled_us / 1000000,
			c->throttled_us / 1000 % 1000, c->nr_throttled);
}

static void print_stats(const struct usage *u)
{
	fprintf(stderr, "%s: stats: wall time %" PRIu64 ".%03" PRIu64 " s\n", sb_prog,
		u->wall_us / 1000000, u->wall_us / 1000 % 1000);
	fprintf(stderr, "%s: stats: cpu time %" PRIu64 ".%03" PRIu64 " s user, %" PRIu64
		".%03" PRIu64 " s system\n", sb_prog, u->user_us / 1000000, u->user_us / 1000 % 1000,
		u->sys_us / 1000000, u->sys_us / 1000 % 1000);
	if (u->cg.have) {
		print_cgroup_stats(&u->cg);
		return;
	}
	fprintf(stderr, "%s: stats: peak memory %" PRIu64 ".%01" PRIu64 " MiB (the largest single "
		"process, from getrusage: memory.peak needs a cgroup of the sandbox's own)\n",
		sb_prog, u->maxrss_bytes >> 20, (u->maxrss_bytes & ((1 << 20) - 1)) * 10 >> 20);
	fprintf(stderr, "%s: stats: unavailable: %s: %s\n", sb_prog, NO_CGROUP_FIGURES,
		NO_CGROUP_WHY);
}

/* the cgroup's figures in JSON, after the common ones */
static void cgroup_json(const struct cgroup_usage *c, char *buf, size_t len, size_t *off)
{
	char miss[96] = "";
	size_t m = 0;

	(void)buf_printf(buf, len, off, ", \"peak-memory-bytes\": %" PRIu64 ", "
			 "\"peak-memory-source\": \"%s\"", c->have_memory_peak ? c->memory_peak : 0,
			 c->have_memory_peak ? "memory.peak" : "none");
	if (c->have_pids_peak)
		(void)buf_printf(buf, len, off, ", \"peak-pids\": %" PRIu64, c->pids_peak);
	else
		(void)buf_printf(miss, sizeof miss, &m, "%s\"peak-pids\"", m ? ", " : "");
	if (c->have_oom)
		(void)buf_printf(buf, len, off, ", \"oom-kills\": %" PRIu64, c->oom_kills);
	else
		(void)buf_printf(miss, sizeof miss, &m, "%s\"oom-kills\"", m ? ", " : "");
	if (c->have_throttled)
		(void)buf_printf(buf, len, off, ", \"throttled-time-us\": %" PRIu64, c->throttled_us);
	else
		(void)buf_printf(miss, sizeof miss, &m, "%s\"throttled-time\"", m ? ", " : "");
	if (m)
		(void)buf_printf(buf, len, off, ", \"unavailable\": [ %s ], \"unavailable-reason\": "
				 "\"not given a controller\"", miss);
}

static void write_usage_json(int fd, const struct usage *u)
{
	char buf[768];
	size_t off = 0;

	(void)buf_printf(buf, sizeof buf, &off, "{ \"usage\": { \"wall-time-us\": %" PRIu64
			 ", \"cpu-user-us\": %" PRIu64 ", \"cpu-system-us\": %" PRIu64, u->wall_us,
			 u->user_us, u->sys_us);
	if (u->cg.have)
		cgroup_json(&u->cg, buf, sizeof buf, &off);
	else
		(void)buf_printf(buf, sizeof buf, &off, ", \"peak-memory-bytes\": %" PRIu64
				 ", \"peak-memory-source\": \"getrusage\", \"unavailable\": "
				 "[ \"peak-pids\", \"oom-kills\", \"throttled-time\" ], "
				 "\"unavailable-reason\": \"no cgroup\"", u->maxrss_bytes);
	if (buf_printf(buf, sizeof buf, &off, " } }\n") == 0)
		(void)write_all(fd, buf, off); /* the reader may be gone */
}

/* The kernel's OOM killer in the sandbox: 137 with the reason when it took
 * the command itself, else a warning. */
static void report_oom(const struct cgroup_usage *c, int code, bool ran)
{
	char max[32] = "none", peak[32] = "unknown";

	if (!c->have_oom || c->oom_kills == 0)
		return;
	if (c->memory_max != UINT64_MAX)
		size_text(c->memory_max, max, sizeof max);
	if (c->have_memory_peak)
		size_text(c->memory_peak, peak, sizeof peak);
	if (ran && code == 128 + SIGKILL)
		fprintf(stderr, "%s: the command was killed: out of memory (limit %s, peak %s)\n",
			sb_prog, max, peak);
	else
		fprintf(stderr, "%s: out of memory: the kernel killed %" PRIu64 " process%s in the "
			"sandbox (limit %s, peak %s)\n", sb_prog, c->oom_kills,
			c->oom_kills == 1 ? "" : "es", max, peak);
}

/* Setup process, on a failure after cgroup_setup: nothing left behind */
void limits_abort(struct limits_run *lr)
{
	cgroup_teardown(&lr->cg);
}

/* Setup process, once everything is reaped: the --timeout status (124
 * when it expired, whatever the command did then), the OOM report,
 * --stats, and the "usage" line of --json-status-fd (native personality,
 * when JSON_OK: the command ran), then the cgroup goes.  RAN: CODE is the
 * command's status, not the setup's. */
int limits_finish(struct limits_run *lr, int code, bool ran, bool json_ok)
{
	const struct sandbox_spec *spec = lr->spec;
	struct rusage ru;
	struct usage u;

	if (lr->tfd >= 0)
		close(lr->tfd);
	lr->tfd = -1;
	cgroup_usage(&lr->cg, &u.cg);
	cgroup_teardown(&lr->cg);
	if (ran && lr->stage > 0) {
		fprintf(stderr, "%s: the command timed out (--timeout)%s\n", sb_prog,
			lr->stage > 1 ? "; it was killed, having outlived SIGTERM by --kill-after" : "");
		code = EXIT_TIMEOUT;
	} else {
		report_oom(&u.cg, code, ran);
	}
	json_ok = json_ok && spec->json_status_fd >= 0 && spec->personality != PERSONALITY_BWRAP;
	if (!spec->stats && !json_ok)
		return code;
	memset(&ru, 0, sizeof ru);
	getrusage(RUSAGE_CHILDREN, &ru);
	u.wall_us = (now_ns() - lr->start_ns) / 1000;
	u.user_us = tv_us(ru.ru_utime);
	u.sys_us = tv_us(ru.ru_stime);
	u.maxrss_bytes = (uint64_t)ru.ru_maxrss * 1024;
	if (spec->stats)
		print_stats(&u);
	if (json_ok)
		write_usage_json(spec->json_status_fd, &u);
	return code;
}
