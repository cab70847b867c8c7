/* caps.c - the payload's identity and capabilities (libcap). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "sandbox.h"

static int last_cap(void)
{
	static int last = -1;

	if (last < 0) {
		last = (int)cap_max_bits() - 1;
		if (last > 63)
			last = 63;
	}
	return last;
}

int caps_parse(const char *name, uint64_t *mask)
{
	char lower[64];
	cap_value_t v;
	size_t i;

	if (strcasecmp(name, "ALL") == 0) {
		int last = last_cap();
		*mask = last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);
		return 0;
	}
	if (strlen(name) >= sizeof lower)
		return sb_err(EINVAL, "unknown capability '%s'", name);
	for (i = 0; name[i]; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	if (!str_has_prefix(lower, "cap_"))
		return sb_err(EINVAL, "unknown capability '%s' (names look like CAP_NET_ADMIN, or ALL)", name);
	if (cap_from_name(lower, &v) < 0 || v < 0 || v > last_cap())
		return sb_err(EINVAL, "unknown capability '%s' (names look like CAP_NET_ADMIN, or ALL)", name);
	*mask = 1ULL << v;
	return 0;
}

/* Called in the payload just before execve.  Order matters: groups and
 * gid first, the uid with PR_SET_KEEPCAPS so the capabilities we still
 * need survive, then the bounding set, then the sets we keep, ambient last
 * so a non-root uid keeps them across execve. */
/* Root inside starts with the set rootless container engines give it, so
 * package managers and tar -p work; every other uid starts with none.
 * They are capabilities over the user namespace only. */
#define ROOT_DEFAULT_CAPS                                                              \
	((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_FOWNER) |     \
	 (1ULL << CAP_FSETID) | (1ULL << CAP_KILL) | (1ULL << CAP_NET_BIND_SERVICE) |  \
	 (1ULL << CAP_SETFCAP) | (1ULL << CAP_SETGID) | (1ULL << CAP_SETPCAP) |        \
	 (1ULL << CAP_SETUID) | (1ULL << CAP_SYS_CHROOT))

uint64_t caps_default(uid_t uid)
{
	return uid == 0 ? ROOT_DEFAULT_CAPS : 0;
}

/* This process's capability bounding set, into *SET. */
int caps_bounding_set(uint64_t *set)
{
	int c, r;

	*set = 0;
	for (c = 0; c <= last_cap(); c++) {
		if ((r = prctl(PR_CAPBSET_READ, c, 0, 0, 0)) < 0)
			return sb_err(errno, "cannot read the capability bounding set: %s",
				      strerror(errno));
		if (r == 1)
			*set |= 1ULL << c;
	}
	return 0;
}

/* The capabilities the payload keeps as UID. */
uint64_t caps_kept(const struct sandbox_spec *spec, uid_t uid)
{
	uint64_t base = caps_default(uid);

	/* bwrap keeps root's capabilities (those of its bounding set) when
	 * root runs it as root, none otherwise */
	if (spec->personality == PERSONALITY_BWRAP)
		base = spec->caller_uid == 0 && uid == 0 ? spec->caller_bset : 0;
	return (base | spec->caps_add) & ~spec->caps_drop;
}

int caps_apply(const struct sandbox_spec *spec, uid_t uid, gid_t gid)
{
	uint64_t keep = caps_kept(spec, uid);
	bool bwrap = spec->personality == PERSONALITY_BWRAP;
	/* bwrap run by root with no --cap-add/--cap-drop leaves root's sets
	 * alone, whose inheritable set is empty */
	bool inheritable = !(bwrap && spec->caller_uid == 0 && !spec->caps_add && !spec->caps_drop);
	int last = last_cap(), c;
	cap_t caps;

	/* the bounding set first, while CAP_SETPCAP is surely effective (a
	 * uid change away from 0 below clears the effective set) */
	for (c = 0; c <= last; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return sb_err(errno, "cannot drop capability %d from the bounding set: %s",
				      c, strerror(errno));
	}
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return sb_err(errno, "setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid) < 0)
		return sb_err(errno, "cannot switch to gid %u: %s", gid, strerror(errno));
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return sb_err(errno, "PR_SET_KEEPCAPS: %s", strerror(errno));
	if (setresuid(uid, uid, uid) < 0)
		return sb_err(errno, "cannot switch to uid %u: %s", uid, strerror(errno));
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return sb_err(errno, "PR_SET_KEEPCAPS: %s", strerror(errno));


	caps = cap_init(); /* all clear */
	if (!caps)
		return sb_err(errno, "cap_init: %s", strerror(errno));
	for (c = 0; c <= last; c++) {
		cap_value_t v = c;
		if (!(keep & (1ULL << c)))
			continue;
		if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0 ||
		    (inheritable && cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET) < 0)) {
			cap_free(caps);
			return sb_err(EINVAL, "cap_set_flag: %s", strerror(errno));
		}
	}
	if (cap_set_proc(caps) < 0) {
		int e = errno;
		cap_free(caps);
		return sb_err(e, "cannot set capabilities: %s", strerror(e));
	}
	cap_free(caps);

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return sb_err(errno, "cannot clear ambient capabilities: %s", strerror(errno));
	/* bwrap raises them whatever the uid, and a cap missing from the
	 * inheritable set (EPERM) is no error there */
	if (uid != 0 || bwrap) {
		for (c = 0; c <= last; c++) {
			if (!(keep & (1ULL << c)))
				continue;
			if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 &&
			    !(bwrap && (errno == EPERM || errno == EINVAL)))
				return sb_err(errno, "cannot raise ambient capability %d: %s",
					      c, strerror(errno));
		}
	}
	return 0;
}

/* For a helper we start inside the user namespace (fuse-overlayfs): keep
 * every capability we hold across execve, although our uid is not 0. */
int caps_keep_across_exec(void)
{
	cap_t caps = cap_get_proc();
	int last = last_cap(), c;

	if (!caps)
		return sb_err(errno, "cap_get_proc: %s", strerror(errno));
	for (c = 0; c <= last; c++) {
		cap_value_t v = c;
		cap_flag_value_t have = CAP_CLEAR;
		cap_get_flag(caps, v, CAP_PERMITTED, &have);
		if (have == CAP_SET)
			cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
	}
	if (cap_set_proc(caps) < 0) {
		int e = errno;
		cap_free(caps);
		return sb_err(e, "cannot set inheritable capabilities: %s", strerror(e));
	}
	for (c = 0; c <= last; c++) {
		cap_flag_value_t have = CAP_CLEAR;
		cap_get_flag(caps, (cap_value_t)c, CAP_PERMITTED, &have);
		if (have == CAP_SET)
			prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0);
	}
	cap_free(caps);
	return 0;
}
