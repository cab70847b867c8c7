/* idmap.c - /etc/subuid parsing, the id layout, newuidmap/newgidmap.
 *
 * The parent writes the child's maps.  With subordinate ranges the setuid
 * helpers (called by absolute path) do it; without, a single-id map is
 * written directly, "deny" to setgroups first as the kernel requires.
 *
 * idmap_plan decides from the spec, /etc/subuid and /etc/subgid and the
 * helpers' state, and writes nothing; idmap_apply writes.  Creating the
 * namespace, and when the maps are written, are launch.c's, and so are
 * the nested namespace's identity maps (with idmap_text).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <sys/wait.h>

#include "sandbox.h"

#define NEWUIDMAP "/usr/bin/newuidmap"
#define NEWGIDMAP "/usr/bin/newgidmap"

extern char **environ;

/* One line: NAME_OR_ID:START:COUNT.  Blank lines and '#' comments are
 * skipped; malformed lines are ignored, as shadow's own tools do. */
int subid_parse(const char *text, const char *user, uint32_t uid,
		struct subid_ranges *out)
{
	char uidstr[16];
	const char *line = text;

	snprintf(uidstr, sizeof uidstr, "%u", uid);
	out->n = 0;
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char buf[512], *name, *start, *count, *end;
		struct id_range r;

		if (len < sizeof buf) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			/* trailing \r or spaces */
			end = buf + len;
			while (end > buf && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
			name = buf;
			while (*name == ' ' || *name == '\t')
				name++;
			if (*name && *name != '#' &&
			    (start = strchr(name, ':')) && (*start++ = '\0', 1) &&
			    (count = strchr(start, ':')) && (*count++ = '\0', 1) &&
			    !strchr(count, ':') &&
			    ((user && strcmp(name, user) == 0) || strcmp(name, uidstr) == 0) &&
			    parse_u32(start, &r.outside) == 0 &&
			    parse_u32(count, &r.count) == 0 && r.count > 0 &&
			    (uint64_t)r.outside + r.count <= (uint64_t)UINT32_MAX + 1) {
				if (out->n >= MAX_ID_RANGES)
					break;
				r.inside = 0;
				out->r[out->n++] = r;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return 0;
}

static int map_add(struct id_map *m, uint32_t in, uint32_t out, uint32_t count)
{
	if (count == 0)
		return 0;
	if (m->n >= MAX_ID_RANGES)
		return -E2BIG;
	m->r[m->n].inside = in;
	m->r[m->n].outside = out;
	m->r[m->n].count = count;
	m->n++;
	return 0;
}

/* Map COUNT ids starting at inside id IN to the subordinate ids from
 * virtual index *V onwards (the ranges laid end to end). */
static int map_from_sub(struct id_map *m, const struct subid_ranges *sub,
			uint64_t *v, uint32_t in, uint64_t count)
{
	uint64_t base = 0;
	size_t i;

	for (i = 0; i < sub->n && count > 0; i++) {
		uint64_t rc = sub->r[i].count;
		if (*v < base + rc) {
			uint64_t off = *v - base;
			uint64_t take = rc - off < count ? rc - off : count;
			int r = map_add(m, in, (uint32_t)(sub->r[i].outside + off), (uint32_t)take);
			if (r < 0)
				return r;
			in += (uint32_t)take;
			*v += take;
			count -= take;
		}
		base += rc;
	}
	return 0;
}

/* SUB in its order, less HOST_ID and less what an earlier range already
 * gave: a map must not name an outside id twice (the kernel refuses it),
 * and a mistaken /etc/subuid can do both (a range over the user's own id,
 * or two entries that overlap). */
static void usable_ranges(const struct subid_ranges *sub, uint32_t host_id,
			  struct subid_ranges *out)
{
	size_t i, j, k;

	out->n = 0;
	for (i = 0; i < sub->n; i++) {
		uint64_t cs[MAX_ID_RANGES + 2], ce[MAX_ID_RANGES + 2];
		size_t nc = 1;

		cs[0] = sub->r[i].outside;
		ce[0] = cs[0] + sub->r[i].count;
		for (j = 0; j <= out->n && nc > 0; j++) {
			/* the obstacle: the host id, then each range kept so far */
			uint64_t os = j == out->n ? host_id : out->r[j].outside;
			uint64_t oe = j == out->n ? (uint64_t)host_id + 1 : os + out->r[j].count;
			uint64_t ns[MAX_ID_RANGES + 2], ne[MAX_ID_RANGES + 2];
			size_t nn = 0;

			for (k = 0; k < nc && nn + 2 <= MAX_ID_RANGES + 2; k++) {
				if (oe <= cs[k] || ce[k] <= os) {
					ns[nn] = cs[k], ne[nn++] = ce[k];
					continue;
				}
				if (cs[k] < os)
					ns[nn] = cs[k], ne[nn++] = os;
				if (oe < ce[k])
					ns[nn] = oe, ne[nn++] = ce[k];
			}
			memcpy(cs, ns, nn * sizeof cs[0]);
			memcpy(ce, ne, nn * sizeof ce[0]);
			nc = nn;
		}
		for (k = 0; k < nc && out->n < MAX_ID_RANGES; k++) {
			out->r[out->n].inside = 0;
			out->r[out->n].outside = (uint32_t)cs[k];
			out->r[out->n].count = (uint32_t)(ce[k] - cs[k]);
			out->n++;
		}
	}
}

int idmap_layout(uint32_t want, uint32_t host_id, const struct subid_ranges *sub_in,
		 struct id_map *out)
{
	struct subid_ranges usable;
	const struct subid_ranges *sub = &usable;
	uint64_t total = 0, v = 0, below;
	size_t i;
	int r;

	usable_ranges(sub_in, host_id, &usable);
	out->n = 0;
	for (i = 0; i < sub->n; i++)
		total += sub->r[i].count;
	below = want < total ? want : total;
	if ((r = map_from_sub(out, sub, &v, 0, below)) < 0)
		return r;
	if ((r = map_add(out, want, host_id, 1)) < 0)
		return r;
	if (total > below) {
		uint64_t room = (uint64_t)UINT32_MAX - want - 1; /* ids above want, below 2^32-1 */
		uint64_t rest = total - below < room ? total - below : room;
		if ((r = map_from_sub(out, sub, &v, want + 1, rest)) < 0)
			return r;
	}
	return 0;
}

bool idmap_has_inside(const struct id_map *map, uint32_t id)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (id >= map->r[i].inside && (uint64_t)id < (uint64_t)map->r[i].inside + map->r[i].count)
			return true;
	return false;
}

bool idmap_inside_of(const struct id_map *map, uint32_t outside, uint32_t *inside)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (outside >= map->r[i].outside &&
		    (uint64_t)outside < (uint64_t)map->r[i].outside + map->r[i].count) {
			*inside = map->r[i].inside + (outside - map->r[i].outside);
			return true;
		}
	return false;
}

static bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

int idmap_check_owned(const struct id_map *map, uint32_t host_id,
		      const struct subid_ranges *sub, const char *what)
{
	size_t i, j;

	for (i = 0; i < map->n; i++) {
		const struct id_range *e = &map->r[i];
		bool ok = e->count == 1 && e->outside == host_id;

		for (j = 0; !ok && j < sub->n; j++)
			ok = e->outside >= sub->r[j].outside &&
			     (uint64_t)e->outside + e->count <=
				     (uint64_t)sub->r[j].outside + sub->r[j].count;
		if (!ok)
			return sb_err(EPERM, "--%s-map %u:%u:%u: host ids %u-%llu are not yours "
				      "(you own %s %u and the ranges for you in /etc/sub%s)",
				      what, e->inside, e->outside, e->count, e->outside,
				      (unsigned long long)e->outside + e->count - 1,
				      what, host_id, what);
		for (j = 0; j < i; j++) {
			const struct id_range *f = &map->r[j];
			if (overlaps(e->inside, e->count, f->inside, f->count))
				return sb_err(EINVAL, "--%s-map %u:%u:%u overlaps %u:%u:%u inside",
					      what, e->inside, e->outside, e->count,
					      f->inside, f->outside, f->count);
			if (overlaps(e->outside, e->count, f->outside, f->count))
				return sb_err(EINVAL, "--%s-map %u:%u:%u overlaps %u:%u:%u outside",
					      what, e->inside, e->outside, e->count,
					      f->inside, f->outside, f->count);
		}
	}
	return 0;
}

#define SUBID_FILE_MAX (16u << 20)

/* The entries of USER or ID in FILE (/etc/subuid or /etc/subgid), all of
 * it; a missing file has none. */
int subid_load(const char *file, const char *user, uint32_t id, struct subid_ranges *out)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file_all(file, &text, &len, SUBID_FILE_MAX);

	out->n = 0;
	if (r == -ENOENT)
		return 0;
	if (r == -EFBIG)
		return sb_err(EFBIG, "%s is larger than %u MiB: not a subordinate id file?",
			      file, SUBID_FILE_MAX >> 20);
	if (r < 0)
		return sb_err(-r, "%s: %s", file, strerror(-r));
	return subid_parse(text, user, id, out);
}

/* The first id at or above 100000 past every range in FILE, rounded up
 * to a multiple of 65536: a range to suggest that overlaps no one's. */
static uint64_t subid_free_start(const char *file)
{
	_cleanup_free_ char *text = NULL;
	uint64_t end = 100000;
	const char *line;
	size_t len;

	if (read_file_all(file, &text, &len, SUBID_FILE_MAX) < 0)
		return end;
	for (line = text; line && *line;) {
		const char *c1 = strchr(line, ':'), *nl = strchr(line, '\n');
		if (c1 && (!nl || c1 < nl)) {
			char *e1, *e2;
			unsigned long long st = strtoull(c1 + 1, &e1, 10), n;
			if (*e1 == ':') {
				n = strtoull(e1 + 1, &e2, 10);
				if (st + n > end)
					end = st + n;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (end > 100000)
		end = (end + 65535) / 65536 * 65536;
	return end;
}

static bool helper_ok(const char *path)
{
	return access(path, X_OK) == 0;
}

/* Can the helper gain its privilege here?  Not from a nosuid mount (as
 * inside another sandbox), and only when it is setuid or carries file
 * capabilities.  Returns NULL when it can, else the reason. */
static const char *helper_unusable(const char *path)
{
	struct statvfs vfs;
	struct stat st;

	if (stat(path, &st) < 0)
		return "it is missing";
	if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID))
		return "it is on a nosuid mount (inside another sandbox or container?)";
	if (!(st.st_mode & S_ISUID) && getxattr(path, "security.capability", NULL, 0) < 0)
		return "it is neither setuid nor has file capabilities";
	return NULL;
}

static bool is_own_id(const struct id_map *m, uint32_t host_id)
{
	return m->n == 1 && m->r[0].count == 1 && m->r[0].outside == host_id;
}

/* Are subordinate ids worth two setuid helpers (half the start-up) by
 * default?  Under --rootfs, where the tree's files belong to many ids, yes.
 * In the host view the payload sees the host's files, none of them owned
 * by a subordinate id: only a root inside that may create files (a
 * writable mount), and so chown them to other ids, has a use for them. */
static bool subids_by_default(const struct sandbox_spec *spec, uid_t caller)
{
	size_t i;

	if (caller == 0 || spec->rootfs_mode != ROOTFS_HOST ||
	    spec->personality != PERSONALITY_SANDBOX)
		return true;
	if (!spec->uid_set || spec->uid != 0)
		return false;
	for (i = 0; i < spec->n_ops; i++) {
		const struct mount_op *op = &spec->ops[i];
		if (op->kind == MOP_BIND || op->kind == MOP_DEV_BIND || op->kind == MOP_TMPFS ||
		    (op->kind == MOP_OVERLAY && op->ovl != OVL_RO))
			return true;
	}
	return false;
}

/* What idmap_plan learns of the caller before it decides. */
struct caller_ids {
	uid_t uid;
	gid_t gid;
	const char *user;            /* NULL when the uid has no passwd entry */
	struct subid_ranges su, sg;  /* the caller's ranges, when worth loading */
	bool have_ranges;            /* in both files, and usable by default */
	bool helpers;                /* newuidmap and newgidmap are there */
};

static int caller_ids(const struct sandbox_spec *spec, bool explicit_map, struct caller_ids *c)
{
	struct passwd *pw;
	int r;

	c->uid = getuid();
	c->gid = getgid();
	c->user = NULL;
	c->su.n = c->sg.n = 0;
	if (spec->subids == SUBIDS_FORCE || explicit_map ||
	    (spec->subids == SUBIDS_AUTO && subids_by_default(spec, c->uid))) {
		/* the user's name only where the ranges are read: the passwd
		 * lookup (NSS) is a good part of a host view's libc otherwise */
		pw = getpwuid(c->uid);
		c->user = pw ? pw->pw_name : NULL;
		if ((r = subid_load("/etc/subuid", c->user, c->uid, &c->su)) < 0 ||
		    (r = subid_load("/etc/subgid", c->user, c->uid, &c->sg)) < 0)
			return r;
	}
	c->have_ranges = c->su.n > 0 && c->sg.n > 0;
	c->helpers = helper_ok(NEWUIDMAP) && helper_ok(NEWGIDMAP);
	/* auto: ranges only where the helpers can actually work */
	if (spec->subids == SUBIDS_AUTO && c->uid != 0 && c->helpers && c->have_ranges &&
	    (helper_unusable(NEWUIDMAP) || helper_unusable(NEWGIDMAP)))
		c->have_ranges = false;
	return 0;
}

/* --subids: the ranges and the helpers must be there, else what to do */
static int check_forced(const struct caller_ids *c)
{
	if (c->su.n == 0 || c->sg.n == 0) {
		const char *f = c->su.n == 0 ? "/etc/subuid" : "/etc/subgid";
		uint64_t a = subid_free_start("/etc/subuid"), b = subid_free_start("/etc/subgid");
		uint64_t start = a > b ? a : b;
		return sb_err(ENOENT, "--subids: %s has no entry for user '%s' (uid %u); "
			      "an administrator can add one: usermod --add-subuids "
			      "%llu-%llu --add-subgids %llu-%llu %s",
			      f, c->user ? c->user : "?", c->uid, (unsigned long long)start,
			      (unsigned long long)start + 65535, (unsigned long long)start,
			      (unsigned long long)start + 65535, c->user ? c->user : "USER");
	}
	if (!c->helpers)
		return sb_err(ENOENT, "--subids: %s or %s is missing: install the package "
			      "uidmap (apt-get install uidmap)", NEWUIDMAP, NEWGIDMAP);
	return 0;
}

/* --uid-map/--gid-map: as given (the caller's own id where one is
 * missing), checked against what the caller owns */
static int plan_explicit(const struct sandbox_spec *spec, const struct caller_ids *c,
			 struct idplan *plan)
{
	uid_t uid = c->uid;
	gid_t gid = c->gid;
	int r;

	plan->uid = spec->uid_map_opt;
	plan->gid = spec->gid_map_opt;
	if (plan->uid.n == 0)
		map_add(&plan->uid, uid, uid, 1);
	if (plan->gid.n == 0)
		map_add(&plan->gid, gid, gid, 1);
	if (uid != 0) {
		if ((r = idmap_check_owned(&plan->uid, uid, &c->su, "uid")) < 0 ||
		    (r = idmap_check_owned(&plan->gid, gid, &c->sg, "gid")) < 0)
			return r;
	}
	/* only a map of our own id alone can be written directly */
	plan->use_helpers = uid != 0 &&
		!(is_own_id(&plan->uid, uid) && is_own_id(&plan->gid, gid));
	if (plan->use_helpers && !c->helpers)
		return sb_err(ENOENT, "--uid-map/--gid-map: mapping subordinate ids needs %s "
			      "and %s: install the package uidmap (apt-get install uidmap)",
			      NEWUIDMAP, NEWGIDMAP);
	if (spec->uid_set)
		plan->uid_ = spec->uid;
	else if (!idmap_inside_of(&plan->uid, uid, &plan->uid_))
		plan->uid_ = plan->uid.r[0].inside;
	if (spec->gid_set)
		plan->gid_ = spec->gid;
	else if (spec->personality != PERSONALITY_BWRAP && spec->uid_set && spec->uid == 0 &&
		 idmap_has_inside(&plan->gid, 0))
		plan->gid_ = 0;
	else if (!idmap_inside_of(&plan->gid, gid, &plan->gid_))
		plan->gid_ = plan->gid.r[0].inside;
	plan->own_uid_unmapped = !idmap_inside_of(&plan->uid, uid, &(uint32_t){ 0 });
	plan->own_gid_unmapped = !idmap_inside_of(&plan->gid, gid, &(uint32_t){ 0 });
	plan->how = plan->use_helpers ? "explicit maps via newuidmap/newgidmap"
				      : "explicit single-id maps";
	return 0;
}

/* Without maps given: the caller's id at the wanted one inside, with the
 * subordinate ranges (when used) around it */
static int plan_layout(const struct sandbox_spec *spec, const struct caller_ids *c,
		       struct idplan *plan)
{
	uid_t uid = c->uid;
	uint32_t want_u = spec->uid_set ? spec->uid : uid;
	uint32_t want_g = spec->gid_set ? spec->gid
			  : (spec->uid_set && spec->uid == 0 &&
			     spec->personality != PERSONALITY_BWRAP) ? 0 : c->gid;
	bool ranges = uid != 0 && spec->subids != SUBIDS_NEVER && c->have_ranges && c->helpers;
	struct subid_ranges none = { 0 };
	int r;

	if (uid == 0 && spec->subids != SUBIDS_NEVER && c->have_ranges)
		ranges = true; /* root: maps written directly, no helper needed */
	if ((r = idmap_layout(want_u, uid, ranges ? &c->su : &none, &plan->uid)) < 0 ||
	    (r = idmap_layout(want_g, c->gid, ranges ? &c->sg : &none, &plan->gid)) < 0)
		return sb_err(-r, "cannot lay out the id maps: too many ranges");
	plan->uid_ = want_u;
	plan->gid_ = want_g;
	plan->use_helpers = ranges && uid != 0;
	plan->how = ranges ? "subordinate ranges via newuidmap/newgidmap"
			   : "single-id map";
	if (ranges && uid == 0)
		plan->how = "subordinate ranges (written directly as root)";
	return 0;
}

int idmap_plan(const struct sandbox_spec *spec, struct idplan *plan)
{
	bool explicit_map = spec->uid_map_opt.n || spec->gid_map_opt.n;
	struct caller_ids c;
	int r;

	memset(plan, 0, sizeof *plan);
	if ((r = caller_ids(spec, explicit_map, &c)) < 0)
		return r;
	if (spec->subids == SUBIDS_FORCE && (r = check_forced(&c)) < 0)
		return r;
	if ((r = explicit_map ? plan_explicit(spec, &c, plan) : plan_layout(spec, &c, plan)) < 0)
		return r;
	if ((r = idmap_check_text(&plan->uid, false, explicit_map ? "--uid-map" : "/etc/subuid")) < 0 ||
	    (r = idmap_check_text(&plan->gid, false, explicit_map ? "--gid-map" : "/etc/subgid")) < 0)
		return r;
	if (!idmap_has_inside(&plan->uid, plan->uid_))
		return sb_err(EINVAL, "--uid %u: uid %u is not mapped inside the sandbox",
			      plan->uid_, plan->uid_);
	if (!idmap_has_inside(&plan->gid, plan->gid_))
		return sb_err(EINVAL, "--gid %u: gid %u is not mapped inside the sandbox",
			      plan->gid_, plan->gid_);
	return 0;
}

/* MAP as the kernel reads it, "INSIDE OUTSIDE COUNT" a line (with
 * IDENTITY "INSIDE INSIDE COUNT": the nested namespace's map), in BUF of
 * LEN bytes; the length, or -E2BIG when it does not fit. */
int idmap_text(const struct id_map *m, bool identity, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < m->n; i++)
		if (buf_printf(buf, len, &off, "%u %u %u\n", m->r[i].inside,
			       identity ? m->r[i].inside : m->r[i].outside, m->r[i].count) < 0)
			return -E2BIG;
	return (int)off;
}

/* The kernel takes a map in one write of less than a page. */
size_t idmap_text_max(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (size_t)page : 4096;
}

int idmap_check_text(const struct id_map *m, bool identity, const char *what)
{
	size_t len = idmap_text_max();
	_cleanup_free_ char *buf = xmalloc(len);
	int r = idmap_text(m, identity, buf, len);

	if (r < 0)
		return sb_err(E2BIG, "%s: the map's %zu ranges are more than %zu bytes as text, "
			      "the most the kernel accepts: use fewer, larger ranges",
			      what, m->n, len - 1);
	return 0;
}

struct helper_run {
	pid_t pid;
	int errfd;
	const char *path;
};

static int helper_start(const char *path, pid_t target, const struct id_map *m,
			struct helper_run *h)
{
	char **argv = xcalloc(3 + 3 * m->n + 1, sizeof(char *));
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int p[2], r;
	size_t i, k = 0;

	h->path = path;
	h->pid = -1;
	h->errfd = -1;
	argv[k++] = xstrdup(path);
	argv[k++] = xasprintf("%d", (int)target);
	for (i = 0; i < m->n; i++) {
		argv[k++] = xasprintf("%u", m->r[i].inside);
		argv[k++] = xasprintf("%u", m->r[i].outside);
		argv[k++] = xasprintf("%u", m->r[i].count);
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = sb_err(errno, "pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	/* nothing else: not --keep-fd's, nor what bwrap's caller passed */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	r = posix_spawn(&h->pid, path, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		h->pid = -1;
		r = sb_err(r, "cannot run %s: %s%s", path, strerror(r),
			   r == ENOENT ? " (install the package uidmap)" : "");
		goto out;
	}
	h->errfd = p[0];
	r = 0;
out:
	for (i = 0; i < k; i++)
		free(argv[i]);
	free(argv);
	return r;
}

static int helper_finish(struct helper_run *h, const struct id_map *m)
{
	char out[2048], maps[1024];
	size_t n = 0;
	pid_t r;
	ssize_t k;
	int st;

	while (n < sizeof out - 1 &&
	       ((k = read(h->errfd, out + n, sizeof out - 1 - n)) > 0 || (k < 0 && errno == EINTR)))
		if (k > 0)
			n += (size_t)k;
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	close(h->errfd);
	if ((r = wait_child(h->pid, &st)) < 0)
		return sb_err((int)-r, "waitpid %s: %s", h->path, strerror((int)-r));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (idmap_text(m, false, maps, sizeof maps) < 0)
		snprintf(maps, sizeof maps, "%zu ranges", m->n);
	for (char *c = maps; *c; c++)
		if (*c == '\n')
			*c = c[1] ? ',' : '\0';
	if (WIFSIGNALED(st))
		return sb_err(EPERM, "%s was killed by signal %d (%s) while writing the map [%s]",
			      h->path, WTERMSIG(st), strsignal(WTERMSIG(st)), maps);
	{
		const char *why = helper_unusable(h->path);
		return sb_err(EPERM, "%s failed (exit status %d) for the map [%s]: %s%s%s%s",
			      h->path, WEXITSTATUS(st), maps, n ? out : "(no message)",
			      why ? " (" : "", why ? why : "", why ? ")" : "");
	}
}

static int write_map(int dfd, const char *file, const struct id_map *m)
{
	size_t len = idmap_text_max();
	_cleanup_free_ char *buf = xmalloc(len);
	int r = idmap_text(m, false, buf, len);

	return r < 0 ? r : write_file_at(dfd, file, buf);
}

/* newuidmap and newgidmap at once: each is a setuid program whose start
 * (exec, dynamic loading, reading /etc/subuid) costs more than the write
 * it does.  Both are waited for; a failure of each is reported in its own
 * words, both when both fail. */
static int run_helpers(pid_t pid, const struct idplan *plan)
{
	struct helper_run hu, hg;
	char first[1024];
	int ru, rg;

	if ((ru = helper_start(NEWUIDMAP, pid, &plan->uid, &hu)) < 0)
		return ru;
	if ((rg = helper_start(NEWGIDMAP, pid, &plan->gid, &hg)) < 0) {
		snprintf(first, sizeof first, "%s", sb_errmsg());
		helper_finish(&hu, &plan->uid);
		return sb_err(-rg, "%s", first);
	}
	ru = helper_finish(&hu, &plan->uid);
	if (ru < 0)
		snprintf(first, sizeof first, "%s", sb_errmsg());
	rg = helper_finish(&hg, &plan->gid);
	if (ru < 0 && rg < 0) {
		char second[1024];
		snprintf(second, sizeof second, "%s", sb_errmsg());
		return sb_err(-ru, "%s; and %s", first, second);
	}
	if (ru < 0)
		return sb_err(-ru, "%s", first);
	return rg;
}

int idmap_apply(pid_t pid, const struct idplan *plan)
{
	_cleanup_close_ int dfd = -1;
	char path[64];
	int r;

	if (plan->use_helpers)
		return run_helpers(pid, plan);

	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return sb_err(errno, "%s: %s", path, strerror(errno));
	/* A single gid: "deny" first, which the kernel requires of an
	 * unprivileged writer and which keeps dropped groups dropped. */
	if (plan->gid.n == 1 && plan->gid.r[0].count == 1 &&
	    (r = write_file_at(dfd, "setgroups", "deny")) < 0 && r != -ENOENT)
		return sb_err(-r, "%s/setgroups: cannot write 'deny': %s", path, strerror(-r));
	if ((r = write_map(dfd, "gid_map", &plan->gid)) < 0)
		return sb_err(-r, "%s/gid_map: cannot write the gid map: %s", path, strerror(-r));
	if ((r = write_map(dfd, "uid_map", &plan->uid)) < 0) {
		if (r == -EPERM && idmap_inside_of(&plan->uid, 0, &(uint32_t){ 0 }))
			return sb_err(EPERM, "%s/uid_map: cannot map uid 0 of this namespace: the "
				      "kernel allows that only with CAP_SETFCAP here (you are uid 0 "
				      "without it, in a container or sandbox that dropped it)", path);
		return sb_err(-r, "%s/uid_map: cannot write the uid map: %s", path, strerror(-r));
	}
	return 0;
}
