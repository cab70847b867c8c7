/* cgroup.c - the cgroup v2 limits: --memory, --memory-swap, --pids,
 * --cpus, --cpu-weight, --cpuset, --io-weight.
 *
 * Owns their parsing and validation, and the first step of obtaining a
 * cgroup: finding cgroup v2 as the only hierarchy at /sys/fs/cgroup.  On
 * a legacy or hybrid host a limit is an error naming what is missing and
 * what fixes it: nothing is created before that check, so nothing is left
 * behind.  Taking a delegated cgroup (our own, or a transient systemd
 * scope) and the leaf layout inside it are not built yet: on a unified
 * host the limit options are refused as well, never silently ignored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/magic.h>
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

/* Setup process, before anything is created: may the limits be had? */
int cgroup_preflight(const struct sandbox_spec *spec)
{
	const char *opt = spec->cg.first_opt;

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
	return sb_err(EOPNOTSUPP, "%s: limits through a delegated cgroup v2 are not implemented "
		      "in this version of sandbox; --rlimit, --timeout and --stats work without "
		      "one", opt);
}
