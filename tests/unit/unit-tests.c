/* unit-tests.c - the option parser, the /etc/subuid parser, the id map
 * layout and range checks, the network options and egress rules; and
 * main, which also runs the other files' tests (unit.h).  Prints TAP
 * lines; exits 1 if any failed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>

#include "sandbox.h"
#include "unit.h"

static int n_test, n_fail;

void ok(bool cond, const char *name, const char *detail)
{
	n_test++;
	if (cond) {
		printf("ok %d - %s\n", n_test, name);
	} else {
		n_fail++;
		printf("not ok %d - %s\n", n_test, name);
		if (detail && *detail)
			printf("#   %s\n", detail);
	}
}

/* ---- option parser ---- */

int parse(struct sandbox_spec *spec, const char *const *args)
{
	static char *argv[64];
	int argc = 0;

	memset(spec, 0, sizeof *spec);
	argv[argc++] = "sandbox";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return cli_parse(argc, argv, spec);
}

static void test_cli(void)
{
	struct sandbox_spec s;
	int r;

	r = parse(&s, ARGS("--rootfs", "/r", "--read-only", "--bind", "/a", "/b", "--ro", "/c",
			   "--tmpfs", "/t", "--symlink", "x", "/y", "--", "ls", "-l"));
	ok(r == 0 && s.rootfs_mode == ROOTFS_RO && strcmp(s.rootfs, "/r") == 0,
	   "--rootfs with --read-only", sb_errmsg());
	ok(r == 0 && s.n_ops == 4 && s.ops[0].kind == MOP_BIND && strcmp(s.ops[0].dest, "/b") == 0 &&
	   s.ops[1].kind == MOP_RO_BIND && strcmp(s.ops[1].src, "/c") == 0 &&
	   strcmp(s.ops[1].dest, "/c") == 0 && s.ops[2].kind == MOP_TMPFS &&
	   s.ops[3].kind == MOP_SYMLINK && strcmp(s.ops[3].src, "x") == 0,
	   "mount operations keep their order and arguments", NULL);
	ok(r == 0 && s.argc == 2 && strcmp(s.argv[0], "ls") == 0 && strcmp(s.argv[1], "-l") == 0,
	   "command after --", NULL);

	r = parse(&s, ARGS("echo", "--bind"));
	ok(r == 0 && s.argc == 2 && s.n_ops == 0, "options stop at the first non-option", NULL);

	r = parse(&s, ARGS("--rootfs", "/r", "--rootfs-rw", "true"));
	ok(r == 0 && s.rootfs_mode == ROOTFS_RW, "--rootfs-rw", NULL);

	r = parse(&s, ARGS("--rootfs", "/r", "true"));
	ok(r == 0 && s.rootfs_mode == ROOTFS_OVERLAY, "--rootfs defaults to the overlay", NULL);
	r = parse(&s, ARGS("--rootfs", "/r", "--overlay-dir", "/u", "--overlay-driver", "fuse", "true"));
	ok(r == 0 && s.rootfs_mode == ROOTFS_OVERLAY && s.overlay_driver == OVERLAY_FUSE &&
	   strcmp(s.overlay_dir, "/u") == 0, "--overlay-dir and --overlay-driver", sb_errmsg());
	r = parse(&s, ARGS("--rootfs", "/r", "--overlay-driver", "zfs", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "zfs"), "unknown overlay driver named", sb_errmsg());
	r = parse(&s, ARGS("--rootfs", "/r", "--read-only", "--overlay-dir", "/u", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--read-only"), "--read-only with --overlay-dir rejected",
	   sb_errmsg());
	r = parse(&s, ARGS("--overlay-dir", "/u", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--rootfs"), "--overlay-dir without --rootfs rejected",
	   sb_errmsg());
	r = parse(&s, ARGS("--rootfs", "/r", "--overlay", "--rootfs-rw", "true"));
	ok(r < 0, "--overlay with --rootfs-rw rejected", NULL);

	r = parse(&s, ARGS("true"));
	ok(r == 0 && s.rootfs_mode == ROOTFS_HOST && strcmp(s.hostname, "sandbox") == 0,
	   "no --rootfs: host view, hostname sandbox", NULL);

	r = parse(&s, ARGS("--frobnicate", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--frobnicate"), "unknown option named", sb_errmsg());

	r = parse(&s, ARGS("--bind", "/a"));
	ok(r < 0 && strstr(sb_errmsg(), "--bind takes 2 arguments"), "missing argument named",
	   sb_errmsg());

	r = parse(&s, ARGS("--rootfs", "/r"));
	ok(r < 0 && strstr(sb_errmsg(), "No command"), "missing command", sb_errmsg());

	r = parse(&s, ARGS("--uid", "-1", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--uid"), "--uid rejects a negative id", sb_errmsg());
	r = parse(&s, ARGS("--uid", "12x", "true"));
	ok(r < 0, "--uid rejects trailing junk", NULL);
	r = parse(&s, ARGS("--uid", "4294967295", "true"));
	ok(r < 0, "--uid rejects (uid_t)-1", NULL);
	r = parse(&s, ARGS("--uid", "0", "--gid", "5", "true"));
	ok(r == 0 && s.uid_set && s.uid == 0 && s.gid_set && s.gid == 5, "--uid 0 --gid 5", NULL);

	r = parse(&s, ARGS("--uid-map", "0:1000:1", "--uid-map", "1:100000:65536", "true"));
	ok(r == 0 && s.uid_map_opt.n == 2 && s.uid_map_opt.r[1].inside == 1 &&
	   s.uid_map_opt.r[1].outside == 100000 && s.uid_map_opt.r[1].count == 65536,
	   "--uid-map entries", sb_errmsg());
	r = parse(&s, ARGS("--uid-map", "0:1000", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "IN:OUT:COUNT"), "--uid-map needs three fields", sb_errmsg());
	r = parse(&s, ARGS("--gid-map", "0:1000:0", "true"));
	ok(r < 0, "--gid-map count 0 rejected", NULL);
	r = parse(&s, ARGS("--gid-map", "4294967295:0:2", "true"));
	ok(r < 0, "--gid-map wrap-around rejected", NULL);
	r = parse(&s, ARGS("--no-subids", "--uid-map", "0:1:1", "true"));
	ok(r < 0, "--no-subids with --uid-map rejected", NULL);

	r = parse(&s, ARGS("--read-only", "--rootfs-rw", "--rootfs", "/r", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--read-only"), "--read-only with --rootfs-rw rejected",
	   sb_errmsg());
	r = parse(&s, ARGS("--rootfs-rw", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--rootfs"), "--rootfs-rw without --rootfs rejected",
	   sb_errmsg());

	r = parse(&s, ARGS("--cap-add", "CAP_NET_ADMIN", "--cap-add", "cap_chown", "true"));
	ok(r == 0 && s.caps_add == ((1ULL << 12) | (1ULL << 0)), "--cap-add by name, any case",
	   sb_errmsg());
	r = parse(&s, ARGS("--cap-add", "ALL", "--cap-drop", "CAP_SYS_ADMIN", "true"));
	ok(r == 0 && !(s.caps_add & (1ULL << 21)) && (s.caps_add & (1ULL << 12)),
	   "--cap-drop after --cap-add ALL", NULL);
	r = parse(&s, ARGS("--cap-add", "CAP_BOGUS", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--cap-add") && strstr(sb_errmsg(), "CAP_BOGUS"),
	   "unknown capability named", sb_errmsg());
	r = parse(&s, ARGS("--cap-add", "NET_ADMIN", "true"));
	ok(r < 0, "capability names need the CAP_ prefix", NULL);

	r = parse(&s, ARGS("--setenv", "A", "1", "--unsetenv", "B", "--clearenv", "--setenv", "C", "2", "true"));
	ok(r == 0 && s.clearenv && s.n_env_ops == 1 && strcmp(s.env_ops[0].name, "C") == 0,
	   "--clearenv drops earlier --setenv", NULL);
	r = parse(&s, ARGS("--setenv", "A=B", "1", "true"));
	ok(r < 0, "--setenv rejects '=' in the name", NULL);

	r = parse(&s, ARGS("--keep-fd", "987", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "987"), "--keep-fd of a closed fd rejected", sb_errmsg());
	r = parse(&s, ARGS("--keep-fd", "1", "true"));
	ok(r == 0 && s.n_keep_fds == 1 && s.keep_fds[0] == 1, "--keep-fd of an open fd", NULL);

	r = parse(&s, ARGS("--hostname", "", "true"));
	ok(r < 0, "--hostname rejects an empty name", NULL);
	r = parse(&s, ARGS("--share-uts", "--hostname", "x", "true"));
	ok(r < 0, "--hostname with --share-uts rejected", NULL);
	r = parse(&s, ARGS("--share-net", "--share-ipc", "--share-pid", "--share-uts",
			   "--share-cgroup", "--unshare-time", "-v", "-v", "true"));
	ok(r == 0 && s.share_net && s.share_ipc && s.share_pid && s.share_uts && s.share_cgroup &&
	   s.unshare_time && s.verbose == 2, "namespace switches and -v", NULL);
}

static int pipe_with(const char *data, size_t len)
{
	int p[2];

	if (pipe(p) < 0 || write(p[1], data, len) != (ssize_t)len)
		return -1;
	close(p[1]);
	return p[0];
}

static void test_bwrap_cli(void)
{
	struct sandbox_spec s;
	char fdstr[16];
	int r, fd;

	/* --args splices NUL-separated words, nested, in place */
	{
		static const char inner[] = "--dir\0/inner\0";
		int ifd = pipe_with(inner, sizeof inner - 1);
		char outer[64];
		int n = snprintf(outer, sizeof outer, "--tmpfs%c/t%c--args%c%d%c", 0, 0, 0, ifd, 0);
		fd = pipe_with(outer, (size_t)n);
		snprintf(fdstr, sizeof fdstr, "%d", fd);
		r = parse(&s, ARGS("--dir", "/a", "--args", fdstr, "--dir", "/b", "true"));
		ok(r == 0 && s.n_ops == 4 && strcmp(s.ops[0].dest, "/a") == 0 &&
		   strcmp(s.ops[1].dest, "/t") == 0 && strcmp(s.ops[2].dest, "/inner") == 0 &&
		   strcmp(s.ops[3].dest, "/b") == 0 && s.argc == 1,
		   "--args splices nested NUL-separated arguments in order", sb_errmsg());
	}
	fd = pipe_with("--bogus", 7);
	snprintf(fdstr, sizeof fdstr, "%d", fd);
	r = parse(&s, ARGS("--args", fdstr, "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--bogus"), "--args: a last word without NUL still counts",
	   sb_errmsg());
	r = parse(&s, ARGS("--args", "999", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "999"), "--args of a closed fd rejected", sb_errmsg());

	r = parse(&s, ARGS("--perms", "0700", "--size", "1M", "--tmpfs", "/s", "--tmpfs", "/u", "true"));
	ok(r == 0 && s.n_ops == 2 && s.ops[0].perms_set && s.ops[0].perms == 0700 &&
	   s.ops[0].size == (1u << 20) && !s.ops[1].perms_set && s.ops[1].size == 0,
	   "--perms and --size apply to the next operation only", sb_errmsg());
	r = parse(&s, ARGS("--size", "10", "--dir", "/d", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--size"), "--size must precede --tmpfs", sb_errmsg());
	r = parse(&s, ARGS("--perms", "0700", "--bind", "/a", "/b", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--perms"), "--perms before --bind rejected", sb_errmsg());
	r = parse(&s, ARGS("--perms", "0800", "--dir", "/d", "true"));
	ok(r < 0, "--perms rejects a non-octal mode", NULL);
	r = parse(&s, ARGS("--chmod", "1755", "/x", "true"));
	ok(r == 0 && s.ops[0].kind == MOP_CHMOD && s.ops[0].perms == 01755, "--chmod", sb_errmsg());

	r = parse(&s, ARGS("--overlay-src", "/l1", "--overlay-src", "/l2", "--overlay", "/rw", "/w",
			   "/d", "true"));
	ok(r == 0 && s.n_ops == 1 && s.ops[0].kind == MOP_OVERLAY && s.ops[0].n_lowers == 2 &&
	   strcmp(s.ops[0].lowers[1], "/l2") == 0 && strcmp(s.ops[0].work, "/w") == 0 &&
	   strcmp(s.ops[0].dest, "/d") == 0 && !s.overlay_asked,
	   "native --overlay takes three arguments after --overlay-src", sb_errmsg());
	r = parse(&s, ARGS("--overlay-src", "/l1", "--ro-overlay", "/d", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "two"), "--ro-overlay needs two sources", sb_errmsg());
	r = parse(&s, ARGS("--overlay-src", "/l1", "--dir", "/d", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--overlay-src"), "--overlay-src must lead to an overlay",
	   sb_errmsg());

	memset(&s, 0, sizeof s);
	s.personality = PERSONALITY_BWRAP;
	{
		static char *argv[] = { "bwrap", "--ro-bind", "/", "/", "--unshare-pid", "true", NULL };
		r = cli_parse(6, argv, &s);
		ok(r == 0 && s.share_net && s.share_ipc && !s.share_pid && s.share_uts &&
		   s.rootfs_mode == ROOTFS_EMPTY && s.subids == SUBIDS_NEVER && !s.hostname,
		   "bwrap: only what is asked is unshared, empty root, no subids", sb_errmsg());
	}
	memset(&s, 0, sizeof s);
	s.personality = PERSONALITY_BWRAP;
	{
		static char *argv[] = { "bwrap", "--hostname", "h", "true", NULL };
		r = cli_parse(4, argv, &s);
		ok(r < 0 && strstr(sb_errmsg(), "--unshare-uts"), "bwrap: --hostname needs --unshare-uts",
		   sb_errmsg());
	}
	memset(&s, 0, sizeof s);
	s.personality = PERSONALITY_BWRAP;
	{
		static char *argv[] = { "bwrap", "--unshare-all", "--share-net", "true", NULL };
		r = cli_parse(4, argv, &s);
		ok(r == 0 && s.share_net && !s.share_pid && !s.share_ipc && !s.share_uts &&
		   !s.share_cgroup, "bwrap: --unshare-all --share-net", sb_errmsg());
	}
	{
		uint64_t v;
		mode_t m;
		ok(parse_size("10", &v) == 0 && v == 10 && parse_size("2k", &v) == 0 && v == 2048 &&
		   parse_size("1G", &v) == 0 && v == (1ULL << 30), "size: bytes and suffixes", NULL);
		ok(parse_size("", &v) < 0 && parse_size("1x", &v) < 0 && parse_size("k", &v) < 0 &&
		   parse_size("99999999999999999999", &v) < 0, "size: malformed", NULL);
		ok(parse_octal("0755", &m) == 0 && m == 0755 && parse_octal("7777", &m) == 0 &&
		   parse_octal("17777", &m) < 0 && parse_octal("9", &m) < 0 && parse_octal("", &m) < 0,
		   "octal modes", NULL);
	}
}

/* ---- /etc/subuid ---- */

static void test_subid(void)
{
	struct subid_ranges r;
	const char *text =
		"# comment\n"
		"\n"
		"alice:100000:65536\n"
		"bob:165536:65536\n"
		"1001:300000:10\r\n"
		"alice:500000:1000\n"
		"alice:bad:10\n"
		"alice:1:2:3\n"
		"alice:10\n"
		"alice:600000:0\n"
		"  alice:700000:5  \n"
		"alice:4294967295:2\n"
		"alicex:1:1\n";

	subid_parse(text, "alice", 1000, &r);
	ok(r.n == 3 && r.r[0].outside == 100000 && r.r[0].count == 65536 &&
	   r.r[1].outside == 500000 && r.r[1].count == 1000 && r.r[2].outside == 700000,
	   "subuid: several ranges by name, malformed lines skipped", NULL);
	subid_parse(text, "carol", 1001, &r);
	ok(r.n == 1 && r.r[0].outside == 300000 && r.r[0].count == 10,
	   "subuid: numeric uid entry, CRLF", NULL);
	subid_parse(text, NULL, 4242, &r);
	ok(r.n == 0, "subuid: no entry", NULL);
	subid_parse("", "alice", 1000, &r);
	ok(r.n == 0, "subuid: empty file", NULL);
	subid_parse("alice:1:1", "alice", 1000, &r);
	ok(r.n == 1 && r.r[0].outside == 1, "subuid: last line without newline", NULL);
}

/* A file in /tmp with TEXT repeated N times, then TAIL; its path. */
static char *temp_file(const char *text, size_t n, const char *tail)
{
	static char path[] = "/tmp/sandbox-unit.XXXXXX";
	size_t len = strlen(text), i;
	int fd;

	strcpy(path, "/tmp/sandbox-unit.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (write(fd, text, len) != (ssize_t)len)
			break;
	if (write(fd, tail, strlen(tail)) < 0)
		i = 0;
	close(fd);
	return path;
}

static void test_subid_load(void)
{
	struct subid_ranges r = { 0 };
	char *path;
	int e;

	/* 4000 lines of 30 bytes: the entry is past the first 64 KiB */
	path = temp_file("sbfiller:10000000:65536000000\n", 4000, "alice:100000:65536\n");
	e = path ? subid_load(path, "alice", 1000, &r) : -1;
	ok(e == 0 && r.n == 1 && r.r[0].outside == 100000 && r.r[0].count == 65536,
	   "subuid: a file larger than 64 KiB is read to its end", sb_errmsg());
	if (path)
		unlink(path);
	path = temp_file("#################################################################\n",
			 17u << 14, "alice:100000:65536\n");
	e = path ? subid_load(path, "alice", 1000, &r) : -1;
	ok(e == -EFBIG && strstr(sb_errmsg(), "larger than"),
	   "subuid: a file larger than 16 MiB is an error", sb_errmsg());
	if (path)
		unlink(path);
	e = subid_load("/nonexistent/subuid", "alice", 1000, &r);
	ok(e == 0 && r.n == 0, "subuid: a missing file has no entry", NULL);
}

/* ---- layout and checks ---- */

static bool map_is(const struct id_map *m, const uint32_t *v, size_t n)
{
	size_t i;

	if (m->n != n)
		return false;
	for (i = 0; i < n; i++)
		if (m->r[i].inside != v[3 * i] || m->r[i].outside != v[3 * i + 1] ||
		    m->r[i].count != v[3 * i + 2])
			return false;
	return true;
}

static void test_map_text(void)
{
	struct id_map m = { .n = 2, .r = { { 0, 1000, 1 }, { 1, 100000, 65536 } } };
	char small[24], page[4096];
	size_t i;

	ok(idmap_text(&m, false, page, sizeof page) == 24 &&
	   strcmp(page, "0 1000 1\n1 100000 65536\n") == 0, "map text", page);
	ok(idmap_text(&m, true, page, sizeof page) == 16 &&
	   strcmp(page, "0 0 1\n1 1 65536\n") == 0, "map text of the nested namespace", page);
	ok(idmap_text(&m, false, small, sizeof small) == -E2BIG && strcmp(small, "0 1000 1\n") == 0,
	   "map text that does not fit: an error, no line cut", small);
	/* 200 lines of 24 bytes: more than a page, FORTIFY caught it before */
	m.n = 200;
	for (i = 0; i < m.n; i++)
		m.r[i] = (struct id_range){ 4000000000u + (uint32_t)i, 200000 + (uint32_t)i, 1 };
	ok(idmap_check_text(&m, false, "--uid-map") == 0, "200 ranges of 20 bytes fit", sb_errmsg());
	ok(idmap_check_text(&m, true, "--uid-map") == -E2BIG &&
	   strstr(sb_errmsg(), "--uid-map: ") == sb_errmsg(),
	   "200 nested ranges of 24 bytes do not", sb_errmsg());
}

static void test_buf_printf(void)
{
	char buf[8];
	size_t off = 0;

	ok(buf_printf(buf, sizeof buf, &off, "%s", "abc") == 0 && off == 3 &&
	   buf_printf(buf, sizeof buf, &off, "%d", 1234) == 0 && off == 7 &&
	   strcmp(buf, "abc1234") == 0, "buf_printf appends", buf);
	ok(buf_printf(buf, sizeof buf, &off, "x") == -ENOSPC && off == 7 &&
	   strcmp(buf, "abc1234") == 0, "buf_printf: what does not fit is not added", buf);
	off = 5;
	ok(buf_printf(buf, sizeof buf, &off, "%s", "xyz") == -ENOSPC && off == 5 && buf[5] == '\0',
	   "buf_printf: a part is not added either", buf);
}

/* More than 64 fds to keep: all lose close-on-exec, the others get it. */
static void test_keep_fds(void)
{
	int fds[100], other = open("/dev/null", O_RDONLY | O_CLOEXEC), lost = 0;
	size_t i, n = 0;

	for (i = 0; i < 100; i++)
		if ((fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
			n++;
	fcntl(other, F_SETFD, 0);
	ok(fd_set_cloexec_all_except(fds, n, 3) == 0, "fd_set_cloexec_all_except", NULL);
	for (i = 0; i < n; i++)
		if (fcntl(fds[i], F_GETFD) != 0)
			lost++;
	ok(n == 100 && lost == 0, "every fd of 100 to keep is inherited", NULL);
	ok(fcntl(other, F_GETFD) == FD_CLOEXEC, "an fd not kept is close-on-exec", NULL);
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(other);
}

static void test_layout(void)
{
	struct subid_ranges sub = { .n = 1, .r = { { 0, 200000, 65536 } } };
	struct subid_ranges two = { .n = 2, .r = { { 0, 200000, 10 }, { 0, 300000, 100 } } };
	struct subid_ranges none = { 0 };
	struct id_map m;

	idmap_layout(1000, 1000, &sub, &m);
	ok(map_is(&m, (uint32_t[]){ 0, 200000, 1000, 1000, 1000, 1, 1001, 201000, 64536 }, 3),
	   "layout: keep-id", NULL);
	idmap_layout(0, 1000, &sub, &m);
	ok(map_is(&m, (uint32_t[]){ 0, 1000, 1, 1, 200000, 65536 }, 2), "layout: --uid 0", NULL);
	idmap_layout(5, 1000, &two, &m);
	ok(map_is(&m, (uint32_t[]){ 0, 200000, 5, 5, 1000, 1, 6, 200005, 5, 11, 300000, 100 }, 4),
	   "layout: split across two ranges", NULL);
	idmap_layout(100000, 1000, &sub, &m);
	ok(map_is(&m, (uint32_t[]){ 0, 200000, 65536, 100000, 1000, 1 }, 2),
	   "layout: wanted id above the range", NULL);
	idmap_layout(1000, 1000, &none, &m);
	ok(map_is(&m, (uint32_t[]){ 1000, 1000, 1 }, 1), "layout: single id", NULL);
	idmap_layout(4294967294u, 1000, &sub, &m);
	ok(m.n == 2 && m.r[1].inside == 4294967294u && m.r[1].count == 1,
	   "layout: highest id, nothing above", NULL);
	{
		/* a mistaken /etc/subuid: a range over the user's own id, and an
		 * entry that repeats part of another (found by fuzz-subid) */
		struct subid_ranges mine = { .n = 2, .r = { { 0, 990, 20 }, { 0, 995, 10 } } };
		idmap_layout(0, 1000, &mine, &m);
		ok(map_is(&m, (uint32_t[]){ 0, 1000, 1, 1, 990, 10, 11, 1001, 9 }, 3) &&
		   idmap_check_owned(&m, 1000, &mine, "uid") == 0,
		   "layout: the user's own id and repeated ids are used once", sb_errmsg());
	}

	{
		struct id_map ok1 = { .n = 2, .r = { { 0, 1000, 1 }, { 1, 200000, 65536 } } };
		struct id_map bad = { .n = 1, .r = { { 0, 199999, 2 } } };
		struct id_map over = { .n = 2, .r = { { 0, 200000, 10 }, { 5, 200100, 10 } } };
		struct id_map twice = { .n = 2, .r = { { 0, 200000, 10 }, { 100, 200005, 1 } } };
		struct id_map self2 = { .n = 1, .r = { { 0, 1000, 2 } } };

		ok(idmap_check_owned(&ok1, 1000, &sub, "uid") == 0, "check: own id and range", sb_errmsg());
		ok(idmap_check_owned(&bad, 1000, &sub, "uid") < 0 && strstr(sb_errmsg(), "199999"),
		   "check: range outside the subordinate ids", sb_errmsg());
		ok(idmap_check_owned(&over, 1000, &sub, "uid") < 0 && strstr(sb_errmsg(), "overlaps"),
		   "check: overlapping inside ranges", sb_errmsg());
		ok(idmap_check_owned(&twice, 1000, &sub, "uid") < 0 && strstr(sb_errmsg(), "outside"),
		   "check: overlapping outside ranges", sb_errmsg());
		ok(idmap_check_owned(&self2, 1000, &none, "uid") < 0, "check: own id counts once", NULL);
		ok(idmap_has_inside(&ok1, 65536) && !idmap_has_inside(&ok1, 65537),
		   "has_inside bounds", NULL);
	}
}

static void test_numbers(void)
{
	uint32_t v;
	struct id_range r;

	ok(parse_u32("0", &v) == 0 && v == 0, "u32: 0", NULL);
	ok(parse_u32("4294967295", &v) == 0 && v == 4294967295u, "u32: max", NULL);
	ok(parse_u32("4294967296", &v) < 0, "u32: overflow", NULL);
	ok(parse_u32("", &v) < 0 && parse_u32(" 1", &v) < 0 && parse_u32("+1", &v) < 0,
	   "u32: empty, space, sign", NULL);
	ok(parse_id_map_entry("1:2:3", &r) == 0 && r.inside == 1 && r.outside == 2 && r.count == 3,
	   "map entry", NULL);
	ok(parse_id_map_entry("1:2:3:4", &r) < 0 && parse_id_map_entry("::", &r) < 0,
	   "map entry: malformed", NULL);
}

/* ---- seccomp policy files ---- */

static int policy(const char *text, size_t *rules)
{
	struct sc_policy *p = sc_policy_new();
	int r = sc_policy_parse(p, text, strlen(text), "f");

	*rules = sc_policy_rules(p);
	sc_policy_free(p);
	return r;
}

static void test_policy(void)
{
	struct sc_policy *p = sc_policy_new();
	void *bpf = NULL;
	size_t n, len = 0;
	int r;

	r = seccomp_default_text_parse(p, true, 0);
	ok(r == 0 && sc_policy_rules(p) > 30, "policy: the built-in policy parses", sb_errmsg());
	r = sc_policy_compile(p, &bpf, &len);
	ok(r == 0 && len > 0 && len % 8 == 0, "policy: the built-in policy compiles", sb_errmsg());
	free(bpf);
	sc_policy_free(p);

	r = policy("# c\n\n@default errno:EPERM\nread allow   # reads\n"
		   "write allow arg0==1\nioctl errno:EACCES arg1&0xffffffff==0x5412 arg0>=3\n", &n);
	ok(r == 0 && n == 3, "policy: directives, comments, conditions", sb_errmsg());
	r = policy("keyctl errno:EPERM\nkeyctl allow\nioctl kill arg0==1\nioctl trap arg0==2\n", &n);
	ok(r == 0 && n == 3, "policy: a later rule with the same conditions replaces one", sb_errmsg());
	r = policy("read allow\n\nnosuch allow\n", &n);
	ok(r < 0 && strcmp(sb_errmsg(), "f:3: unknown system call 'nosuch'") == 0,
	   "policy: the error names the line", sb_errmsg());
	r = policy("read allow arg0==010\n", &n);
	ok(r < 0 && strstr(sb_errmsg(), "f:1: '010': a number with a leading 0"),
	   "policy: no octal", sb_errmsg());
	r = policy("read allow arg6==1\n", &n);
	ok(r < 0 && strstr(sb_errmsg(), "arg0 to arg5"), "policy: arguments 0 to 5", sb_errmsg());
	r = policy("read allow arg0==0x10000000000000000\n", &n);
	ok(r < 0 && strstr(sb_errmsg(), "64 bits"), "policy: 64-bit values", sb_errmsg());
	r = policy("@default allow\n@default kill\n", &n);
	ok(r < 0 && strstr(sb_errmsg(), "f:2: @default given twice"), "policy: one @default",
	   sb_errmsg());
	r = policy("read errno:4096\n", &n);
	ok(r < 0 && strstr(sb_errmsg(), "0 to 4095"), "policy: errno range", sb_errmsg());
	r = policy("@include default\nkeyctl allow\n", &n);
	ok(r == 0, "policy: @include default", sb_errmsg());
}

/* ---- network options and egress rules ---- */

static void test_net(void)
{
	struct net_publish p;
	struct net_allow a;
	struct sandbox_spec s;
	char *rules;
	int r;

	ok(net_parse_publish("8080:80", &p) == 0 && p.host_ip == htonl(0x7f000001) &&
	   p.host_port == 8080 && p.port == 80 && !p.udp,
	   "publish: HOSTPORT:PORT on 127.0.0.1, tcp", sb_errmsg());
	ok(net_parse_publish("0.0.0.0:53:5353/udp", &p) == 0 && p.host_ip == 0 &&
	   p.host_port == 53 && p.port == 5353 && p.udp, "publish: HOSTIP and /udp", sb_errmsg());
	ok(net_parse_publish("1:2/tcp", &p) == 0 && !p.udp, "publish: /tcp", sb_errmsg());
	ok(net_parse_publish("80", &p) < 0 && net_parse_publish("1:2:3:4", &p) < 0 &&
	   net_parse_publish("0:80", &p) < 0 && net_parse_publish("65536:80", &p) < 0 &&
	   net_parse_publish("8080:80/sctp", &p) < 0 && net_parse_publish("::1:80:80", &p) < 0 &&
	   net_parse_publish("localhost:80:80", &p) < 0 && net_parse_publish(":80", &p) < 0,
	   "publish: malformed specs refused", NULL);
	ok(net_parse_publish("x:1", &p) < 0 && strstr(sb_errmsg(), "--publish x:1"),
	   "publish: the message quotes the spec", sb_errmsg());

	ok(net_parse_allow("10.1.2.3", &a) == 0 && a.n_addrs == 1 &&
	   a.addrs[0] == htonl(0x0a010203) && a.prefix == 32 && a.port == 0 && !a.name,
	   "net-allow: ADDR", sb_errmsg());
	ok(net_parse_allow("10.1.2.3/8:443", &a) == 0 && a.addrs[0] == htonl(0x0a000000) &&
	   a.prefix == 8 && a.port == 443, "net-allow: ADDR/PREFIX:PORT, host bits cleared",
	   sb_errmsg());
	ok(net_parse_allow("0.0.0.0/0", &a) == 0 && a.prefix == 0 && a.addrs[0] == 0,
	   "net-allow: /0", sb_errmsg());
	ok(net_parse_allow("deb.debian.org:80", &a) == 0 && a.name &&
	   strcmp(a.name, "deb.debian.org") == 0 && a.port == 80 && a.n_addrs == 0,
	   "net-allow: HOST:PORT, resolved later", sb_errmsg());
	ok(net_parse_allow("host/24", &a) < 0 && net_parse_allow("1.2.3.4/33", &a) < 0 &&
	   net_parse_allow("1.2.3.4:0", &a) < 0 && net_parse_allow("a b", &a) < 0 &&
	   net_parse_allow("", &a) < 0 && net_parse_allow("1.2.3.4:", &a) < 0,
	   "net-allow: malformed specs refused", NULL);
	ok(net_parse_allow("::1", &a) < 0 && strstr(sb_errmsg(), "IPv6"),
	   "net-allow: IPv6 refused, saying so", sb_errmsg());

	r = parse(&s, ARGS("--net", "pasta", "-p", "8080:80", "--publish", "53:53/udp",
			   "--allow-host-loopback", "--net-allow", "10.0.2.2:8080", "--dns",
			   "192.0.2.53", "true"));
	ok(r == 0 && s.net_mode == NET_PASTA && s.n_publish == 2 && s.publish[1].udp &&
	   s.allow_host_loopback && s.n_allow == 1 && strcmp(s.dns, "192.0.2.53") == 0 &&
	   !s.share_net, "cli: the network options", sb_errmsg());
	r = parse(&s, ARGS("--net", "bogus", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "bogus"), "cli: unknown --net mode named", sb_errmsg());
	r = parse(&s, ARGS("-p", "8080:80", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--net none"), "cli: --publish with --net none refused",
	   sb_errmsg());
	r = parse(&s, ARGS("--net", "host", "--net-allow", "1.2.3.4", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--net host"), "cli: --net-allow with --net host refused",
	   sb_errmsg());
	r = parse(&s, ARGS("--share-net", "--allow-host-loopback", "true"));
	ok(r < 0, "cli: --allow-host-loopback with --share-net refused", NULL);
	r = parse(&s, ARGS("--net", "auto", "--dns", "nope", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--dns nope"), "cli: --dns needs an IPv4 address",
	   sb_errmsg());
	r = parse(&s, ARGS("--net", "host", "true"));
	ok(r == 0 && s.share_net && s.net_mode == NET_HOST, "cli: --net host shares the network",
	   sb_errmsg());
	r = parse(&s, ARGS("--share-net", "--unshare-net", "true"));
	ok(r == 0 && !s.share_net && s.net_mode == NET_NONE, "cli: --unshare-net after --share-net",
	   sb_errmsg());

	/* the rules: no list */
	r = parse(&s, ARGS("--net", "slirp4netns", "true"));
	rules = r == 0 ? net_rules(&s) : xstrdup("");
	ok(strstr(rules, "ct state established,related accept") &&
	   strstr(rules, "oif \"lo\" accept") &&
	   strstr(rules, "ip daddr 10.0.2.3 tcp dport 53 accept") &&
	   strstr(rules, "ip daddr 10.0.2.3 udp dport 53 accept") &&
	   !strstr(rules, "ip daddr 10.0.2.2 ") &&
	   strstr(rules, "ip daddr 10.0.2.0/24 meta l4proto tcp reject with tcp reset") &&
	   !strstr(rules, "jump allow") && !strstr(rules, "nat"),
	   "rules: the subnet refused but DNS, the gateway too", rules);
	free(rules);
	r = parse(&s, ARGS("--net", "pasta", "--allow-host-loopback", "true"));
	rules = r == 0 ? net_rules(&s) : xstrdup("");
	ok(strstr(rules, "ip daddr 10.0.2.2 accept\n") != NULL, "rules: --allow-host-loopback",
	   rules);
	free(rules);
	/* with a list: the gateway only when listed, DNS only for names */
	r = parse(&s, ARGS("--net", "pasta", "--allow-host-loopback", "--net-allow", "10.0.2.2:8080",
			   "--net-allow", "192.0.2.0/24", "true"));
	rules = r == 0 ? net_rules(&s) : xstrdup("");
	ok(strstr(rules, "ip daddr 10.0.2.2 tcp dport 8080 accept") &&
	   strstr(rules, "ip daddr 10.0.2.2 udp dport 8080 accept") &&
	   strstr(rules, "ip daddr 192.0.2.0/24 accept") &&
	   strstr(rules, "ip daddr 10.0.2.2 jump allow") && !strstr(rules, "dport 53") &&
	   strstr(rules, "\t\tjump allow\n\t\tmeta l4proto tcp reject with tcp reset\n"
			 "\t\treject with icmp type admin-prohibited\n"),
	   "rules: an allow list, the rest rejected", rules);
	free(rules);
	r = parse(&s, ARGS("--net", "pasta", "--net-allow", "example.org", "--dns", "192.0.2.53",
			   "true"));
	if (r == 0) { /* as net_preflight resolves it */
		s.allow[0].addrs = xmalloc(sizeof(uint32_t));
		s.allow[0].addrs[0] = htonl(0xc0000201);
		s.allow[0].n_addrs = 1;
	}
	rules = r == 0 ? net_rules(&s) : xstrdup("");
	ok(strstr(rules, "ip daddr 192.0.2.1 accept") &&
	   strstr(rules, "ip daddr 192.0.2.53 tcp dport 53 accept") &&
	   strstr(rules, "ip daddr 192.0.2.53 udp dport 53 accept") &&
	   !strstr(rules, "ip daddr 10.0.2.3"),
	   "rules: a name lets DNS to the nameserver through", rules);
	free(rules);
	r = parse(&s, ARGS("--net", "pasta", "-p", "5353:53/udp", "-p", "9000:9000/udp", "-p",
			   "8080:80", "true"));
	rules = r == 0 ? net_rules(&s) : xstrdup("");
	ok(strstr(rules, "ip daddr 127.0.0.1 udp dport 5353 dnat to :53") &&
	   /* Debian 13's pasta sends to the sandbox's own address */
	   strstr(rules, "ip daddr 10.0.2.100 udp dport 5353 dnat to :53") &&
	   strstr(rules, "iifname \"eth0\" udp dport 5353 dnat to :53") &&
	   !strstr(rules, "dport 9000") && !strstr(rules, "dport 8080"),
	   "rules: pasta's UDP forwards that change the port are mapped", rules);
	free(rules);
	s.net_mode = NET_SLIRP4NETNS;
	rules = net_rules(&s);
	ok(!strstr(rules, "dnat"), "rules: not with slirp4netns", rules);
	free(rules);
}


/* ---- resource limits: durations, --rlimit, the cgroup options ---- */

static void test_duration(void)
{
	uint64_t ns = 0;

	ok(parse_duration("30", &ns) == 0 && ns == 30000000000ULL, "duration: bare seconds", NULL);
	ok(parse_duration("1.5s", &ns) == 0 && ns == 1500000000ULL, "duration: 1.5s", NULL);
	ok(parse_duration("2m", &ns) == 0 && ns == 120000000000ULL, "duration: 2m", NULL);
	ok(parse_duration("1h", &ns) == 0 && ns == 3600000000000ULL, "duration: 1h", NULL);
	ok(parse_duration("500ms", &ns) == 0 && ns == 500000000ULL, "duration: 500ms", NULL);
	ok(parse_duration("0.25", &ns) == 0 && ns == 250000000ULL, "duration: 0.25", NULL);
	ok(parse_duration("1.0000000001", &ns) == 0 && ns == 1000000000ULL,
	   "duration: digits below 1 ns are dropped", NULL);
	ok(parse_duration("1.5d", &ns) == 0 && ns == 129600000000000ULL, "duration: 1.5d", NULL);
	ok(parse_duration("0", &ns) == -ERANGE && parse_duration("0.0s", &ns) == -ERANGE,
	   "duration: zero refused", NULL);
	ok(parse_duration("", &ns) < 0 && parse_duration("s", &ns) < 0 &&
	   parse_duration(".5", &ns) < 0 && parse_duration("5.", &ns) < 0 &&
	   parse_duration("-1", &ns) < 0 && parse_duration("1x", &ns) < 0 &&
	   parse_duration("1 s", &ns) < 0 && parse_duration("1sec", &ns) < 0,
	   "duration: malformed", NULL);
	ok(parse_duration("36600d", &ns) == 0 && parse_duration("36700d", &ns) == -ERANGE &&
	   parse_duration("99999999999999999999999", &ns) == -ERANGE &&
	   parse_duration("9999999999999999h", &ns) == -ERANGE, "duration: at most 100 years",
	   NULL);
}

static void test_rlimit(void)
{
	struct rlimit_op op;

	ok(rlimit_parse("nofile=64", &op) == 0 && op.resource == RLIMIT_NOFILE && op.soft_set &&
	   !op.hard_set && op.soft == 64, "rlimit: SOFT alone", sb_errmsg());
	ok(rlimit_parse("nofile=64:128", &op) == 0 && op.soft_set && op.hard_set && op.soft == 64 &&
	   op.hard == 128, "rlimit: SOFT:HARD", sb_errmsg());
	ok(rlimit_parse("nproc=:50", &op) == 0 && !op.soft_set && op.hard_set && op.hard == 50,
	   "rlimit: :HARD", sb_errmsg());
	ok(rlimit_parse("core=0:", &op) == 0 && op.soft_set && !op.hard_set && op.soft == 0,
	   "rlimit: SOFT:", sb_errmsg());
	ok(rlimit_parse("as=1G:unlimited", &op) == 0 && op.resource == RLIMIT_AS &&
	   op.soft == 1ULL << 30 && op.hard == RLIM_INFINITY, "rlimit: size and unlimited",
	   sb_errmsg());
	ok(rlimit_parse("stack=8M", &op) == 0 && op.soft == 8ULL << 20, "rlimit: stack in M",
	   sb_errmsg());
	ok(rlimit_parse("nofile=1k", &op) < 0 && strstr(sb_errmsg(), "--rlimit nofile=1k"),
	   "rlimit: no suffix for a count", sb_errmsg());
	ok(rlimit_parse("nofile=128:64", &op) < 0 && strstr(sb_errmsg(), "soft limit is above"),
	   "rlimit: soft above hard", sb_errmsg());
	ok(rlimit_parse("nofile=unlimited:64", &op) < 0, "rlimit: unlimited soft above hard",
	   sb_errmsg());
	ok(rlimit_parse("files=1", &op) < 0 && strstr(sb_errmsg(), "NAME=SOFT[:HARD]"),
	   "rlimit: unknown name", sb_errmsg());
	ok(rlimit_parse("nofile", &op) < 0 && rlimit_parse("nofile=", &op) < 0 &&
	   rlimit_parse("nofile=:", &op) < 0 && rlimit_parse("=5", &op) < 0 &&
	   rlimit_parse("nofile=1:2:3", &op) < 0 && rlimit_parse("nofile=-1", &op) < 0 &&
	   rlimit_parse("NOFILE=1", &op) < 0 && rlimit_parse("nofilex=1", &op) < 0,
	   "rlimit: malformed", NULL);
	ok(rlimit_parse("fsize=18446744073709551615", &op) == -ERANGE ||
	   rlimit_parse("fsize=18446744073709551615", &op) == -EINVAL, "rlimit: RLIM_INFINITY "
	   "as a number is refused (unlimited says it)", NULL);
	ok(rlimit_parse("cpu=10", &op) == 0 && rlimit_parse("rttime=1000", &op) == 0 &&
	   rlimit_parse("sigpending=5", &op) == 0 && rlimit_parse("msgqueue=1M", &op) == 0 &&
	   rlimit_parse("locks=1", &op) == 0 && rlimit_parse("memlock=64k", &op) == 0 &&
	   rlimit_parse("nice=0", &op) == 0 && rlimit_parse("rtprio=0", &op) == 0 &&
	   rlimit_parse("rss=1G", &op) == 0 && rlimit_parse("data=1G", &op) == 0,
	   "rlimit: every prlimit name", sb_errmsg());
}

static void test_limit_options(void)
{
	struct sandbox_spec s;
	uint32_t q;
	int r;

	r = parse(&s, ARGS("--rlimit", "nofile=64", "--rlimit", "core=0:0", "--timeout", "2m",
			   "--kill-after", "1", "--stats", "true"));
	ok(r == 0 && s.n_rlimits == 2 && s.rlimits[1].resource == RLIMIT_CORE &&
	   s.timeout_ns == 120000000000ULL && s.kill_after_ns == 1000000000ULL && s.stats,
	   "limit options parsed", sb_errmsg());
	r = parse(&s, ARGS("--kill-after", "1", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--kill-after needs --timeout"), "--kill-after alone",
	   sb_errmsg());
	r = parse(&s, ARGS("--timeout", "soon", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "--timeout soon"), "--timeout: bad value named",
	   sb_errmsg());
	r = parse(&s, ARGS("--timeout", "0", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "more than 0"), "--timeout 0 refused", sb_errmsg());
	r = parse(&s, ARGS("--memory", "64M", "--memory-swap", "0", "--pids", "20", "--cpus",
			   "1.5", "--cpu-weight", "200", "--cpuset", "0-1,3", "--io-weight", "10000",
			   "true"));
	ok(r == 0 && s.cg.memory == 64ULL << 20 && s.cg.memory_set && s.cg.memory_swap_set &&
	   s.cg.memory_swap == 0 && s.cg.pids == 20 && s.cg.cpu_quota_us == 150000 &&
	   s.cg.cpu_weight == 200 && strcmp(s.cg.cpuset, "0-1,3") == 0 && s.cg.io_weight == 10000 &&
	   strcmp(s.cg.first_opt, "--memory") == 0, "cgroup options parsed", sb_errmsg());
	{
		static const char *const bad[][2] = {
			{ "--memory", "lots" }, { "--memory", "1" }, { "--memory-swap", "-1" },
			{ "--pids", "0" }, { "--pids", "4194305" }, { "--cpus", "0" },
			{ "--cpus", "0.001" }, { "--cpus", "1.123456" }, { "--cpus", "9000" },
			{ "--cpus", "1e3" }, { "--cpu-weight", "0" }, { "--cpu-weight", "10001" },
			{ "--io-weight", "0" }, { "--io-weight", "x" }, { "--cpuset", "" },
			{ "--cpuset", "3-1" }, { "--cpuset", "0," }, { "--cpuset", "a" },
			{ "--cpuset", "8192" }, { "--cpuset", "0--1" },
		};
		size_t i;
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			char name[96];
			r = parse(&s, ARGS(bad[i][0], bad[i][1], "true"));
			snprintf(name, sizeof name, "%s %s refused, naming the option", bad[i][0],
				 bad[i][1]);
			ok(r < 0 && strstr(sb_errmsg(), bad[i][0]), name, sb_errmsg());
		}
	}
	ok(parse_cpus("0.01", &q) == 0 && q == 1000 && parse_cpus("2", &q) == 0 && q == 200000 &&
	   parse_cpus("0.12345", &q) == 0 && q == 12345, "cpus: quota per 100 ms", NULL);
	ok(parse_cpuset("0") == 0 && parse_cpuset("0-3,6,8-9") == 0 && parse_cpuset("8191") == 0,
	   "cpuset: lists and ranges", NULL);
}

/* one Xauthority record */
static size_t xrec(unsigned char *p, unsigned family, const char *addr, const char *num,
		   const char *name, const char *data)
{
	const char *f[4] = { addr, num, name, data };
	size_t o = 2, i;

	p[0] = (unsigned char)(family >> 8);
	p[1] = (unsigned char)family;
	for (i = 0; i < 4; i++) {
		size_t n = strlen(f[i]);
		p[o++] = (unsigned char)(n >> 8);
		p[o++] = (unsigned char)n;
		memcpy(p + o, f[i], n);
		o += n;
	}
	return o;
}

static void test_desktop(void)
{
	unsigned char file[512], *out = NULL, want[128];
	size_t n = 0, len = 0, wn;
	unsigned d = 99;

	n += xrec(file + n, 256, "otherhost", "5", "MIT-MAGIC-COOKIE-1", "decoy1");
	n += xrec(file + n, 256, "myhost", "6", "MIT-MAGIC-COOKIE-1", "decoy2");
	n += xrec(file + n, 256, "myhost", "5", "XDM-AUTHORIZATION-1", "xdm");
	n += xrec(file + n, 256, "myhost", "5", "MIT-MAGIC-COOKIE-1", "secret");
	wn = xrec(want, 65535, "myhost", "5", "MIT-MAGIC-COOKIE-1", "secret");
	ok(xauth_filter(file, n, "5", "myhost", &out, &len) == 0 && out && len == wn &&
	   memcmp(out, want, wn) == 0,
	   "xauth: this host's cookie of this display alone, MIT preferred, family wild", NULL);
	free(out);
	ok(xauth_filter(file, n, "7", "myhost", &out, &len) == 0 && !out && len == 0,
	   "xauth: no entry for another display", NULL);
	ok(xauth_filter(file, n - 1, "5", "myhost", &out, &len) == -EINVAL && !out,
	   "xauth: a truncated file is refused", NULL);
	n = xrec(file, 65535, "", "5", "MIT-MAGIC-COOKIE-1", "wild");
	ok(xauth_filter(file, n, "5", "myhost", &out, &len) == 0 && out && len == n,
	   "xauth: a wild entry is kept", NULL);
	free(out);
	ok(x11_display_number(":0", &d) == 0 && d == 0 && x11_display_number(":12.1", &d) == 0 &&
	   d == 12 && x11_display_number("unix:3", &d) == 0 && d == 3,
	   "display: :N, :N.S, unix:N", NULL);
	ok(x11_display_number("localhost:10.0", &d) == -EPROTONOSUPPORT &&
	   x11_display_number("host:1", &d) == -EPROTONOSUPPORT, "display: TCP names", NULL);
	ok(x11_display_number("", &d) == -EINVAL && x11_display_number(":", &d) == -EINVAL &&
	   x11_display_number(":1x", &d) == -EINVAL && x11_display_number(":1.", &d) == -EINVAL &&
	   x11_display_number(":99999", &d) == -EINVAL, "display: junk refused", NULL);
}

static void test_dbus(void)
{
	struct sandbox_spec spec;
	char *p;

	ok(dbus_name_ok("org.example.App", false) && dbus_name_ok("a-b._c.d9", false) &&
	   dbus_name_ok("org.example.*", true), "dbus: names, and NAME.* as a rule", NULL);
	ok(!dbus_name_ok("org", false) && !dbus_name_ok("org.", false) &&
	   !dbus_name_ok(".org.x", false) && !dbus_name_ok("org..x", false) &&
	   !dbus_name_ok("org.9x", false) && !dbus_name_ok("org.example.*", false) &&
	   !dbus_name_ok("org.ex ample", false) && !dbus_name_ok(":1.5", true) &&
	   !dbus_name_ok("*", true), "dbus: not names", NULL);
	p = dbus_address_path("unix:guid=1,path=/run/a%2cb,x=y;unix:path=/other");
	ok(p && strcmp(p, "/run/a,b") == 0, "dbus: the first unix:path=, unescaped", p);
	free(p);
	ok(!dbus_address_path("unix:abstract=/tmp/x") && !dbus_address_path("tcp:host=a,port=1") &&
	   !dbus_address_path("unix:path=rel"), "dbus: no socket path", NULL);
	ok(parse(&spec, ARGS("--dbus-talk", "org.a.b", "--dbus-system-own", "org.c.*",
			     "true")) == 0 && spec.dbus.user.mode == DBUS_FILTER &&
	   spec.dbus.user.n_rules == 1 && strcmp(spec.dbus.user.rules[0], "--talk=org.a.b") == 0 &&
	   spec.dbus.system.mode == DBUS_FILTER &&
	   strcmp(spec.dbus.system.rules[0], "--own=org.c.*") == 0,
	   "dbus: a rule implies the filter of its bus", NULL);
	ok(parse(&spec, ARGS("--dbus-user=host", "true")) == 0 &&
	   spec.dbus.user.mode == DBUS_HOST && spec.dbus.system.mode == DBUS_NONE,
	   "dbus: --dbus-user=host", NULL);
	ok(parse(&spec, ARGS("--dbus-user=host", "--dbus-see", "org.a.b", "true")) < 0 &&
	   parse(&spec, ARGS("--dbus-call", "org.a.b=*", "--dbus-user=none", "true")) < 0 &&
	   parse(&spec, ARGS("--dbus-broadcast", "org.a.b", "true")) < 0 &&
	   parse(&spec, ARGS("--app-id", "App", "true")) < 0,
	   "dbus: contradictions, a rule without RULE, a bad --app-id", NULL);
}

int main(void)
{
	test_cli();
	test_bwrap_cli();
	test_subid();
	test_layout();
	test_subid_load();
	test_map_text();
	test_buf_printf();
	test_keep_fds();
	test_numbers();
	test_policy();
	test_net();
	test_duration();
	test_rlimit();
	test_limit_options();
	test_desktop();
	test_profiles();
	test_dbus();
	printf("1..%d\n", n_test);
	return n_fail ? 1 : 0;
}
