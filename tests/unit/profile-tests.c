/* profile-tests.c - profile files (profile.c, cli.c's cli_run_profile):
 * splitting lines (quotes, comments, macros), includes and their cycles,
 * ignore, the search by name and NAME.local, precedence against the
 * command line, refusals (writable files, fd options, command-line
 * modes), file:line in messages; and --share's parsing.  Files are
 * written under a fresh directory in /tmp, with $HOME pointed into it
 * and $XDG_CONFIG_HOME unset. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "sandbox.h"
#include "unit.h"

static char dir[64];

/* NAME under dir, with TEXT and MODE */
static void put(const char *name, mode_t mode, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0 || fchmod(fd, mode) < 0)
		perror(path);
	if (fd >= 0)
		close(fd);
	free(path);
}

/* --profile-show's output of WHAT (a name, or a path under dir) */
static int show(const char *what, char *out, size_t len)
{
	struct profile p;
	char *path = strchr(what, '/') ? xasprintf("%s/%s", dir, what) : xstrdup(what);
	FILE *f = fmemopen(out, len, "w");
	int r;

	out[0] = '\0';
	r = profile_load(path, &p);
	if (r == 0)
		profile_print(&p, f);
	fclose(f);
	free(path);
	return r;
}


static void test_split(void)
{
	char **w, want[256], home[128];
	size_t n;
	int r;

	r = profile_split("  setenv A \"x y\"\tz\"q\\\"\"  # a comment", &w, &n);
	ok(r == 0 && n == 4 && strcmp(w[0], "setenv") == 0 && strcmp(w[1], "A") == 0 &&
	   strcmp(w[2], "x y") == 0 && strcmp(w[3], "zq\"") == 0 && !w[4],
	   "split: blanks, quotes, \\\" inside quotes, comment", sb_errmsg());
	r = profile_split("a \"\" b#c", &w, &n);
	ok(r == 0 && n == 3 && w[1][0] == '\0' && strcmp(w[2], "b#c") == 0,
	   "split: an empty quoted word; # inside a word is not a comment", sb_errmsg());
	r = profile_split("# only a comment", &w, &n);
	ok(r == 0 && n == 0, "split: a comment line has no words", NULL);
	r = profile_split("a \"open", &w, &n);
	ok(r == -EINVAL && strstr(sb_errmsg(), "quote"), "split: an open quote is an error",
	   sb_errmsg());
	snprintf(home, sizeof home, "%s/home", dir);
	r = profile_split("${HOME}/a \"${UID} x\" ${XDG_DOWNLOAD_DIR} ${RUNTIME_DIR}", &w, &n);
	snprintf(want, sizeof want, "%u x", (unsigned)getuid());
	ok(r == 0 && n == 4 && strncmp(w[0], home, strlen(home)) == 0 &&
	   strcmp(w[0] + strlen(home), "/a") == 0 && strcmp(w[1], want) == 0 &&
	   strcmp(w[3], "/run/test") == 0,
	   "split: ${HOME}, ${UID} in quotes, ${RUNTIME_DIR}", sb_errmsg());
	snprintf(want, sizeof want, "%s/Téléchargements x", home);
	ok(r == 0 && strcmp(w[2], want) == 0, "split: ${XDG_DOWNLOAD_DIR} from user-dirs.dirs",
	   w[2]);
	r = profile_split("${XDG_VIDEOS_DIR} ${XDG_MUSIC_DIR}", &w, &n);
	snprintf(want, sizeof want, "%s/Videos", home);
	ok(r == 0 && strcmp(w[0], want) == 0 && strcmp(w[1], "/srv/music") == 0,
	   "split: a missing entry falls back to ~/Videos; an absolute entry", w[0]);
	r = profile_split("a ${SHELL}", &w, &n);
	ok(r == -EINVAL && strstr(sb_errmsg(), "unknown macro ${SHELL}"),
	   "split: an unknown macro is an error", sb_errmsg());
	r = profile_split("a ${XDG_FOO_DIR} ${HOME", &w, &n);
	ok(r == -EINVAL && strstr(sb_errmsg(), "unknown macro ${XDG_FOO_DIR}"),
	   "split: an unknown XDG directory is an error", sb_errmsg());
	r = profile_split("a ${HOME", &w, &n);
	ok(r == -EINVAL, "split: an unclosed ${ is an error", sb_errmsg());
}

static void test_files(void)
{
	char out[4096];
	int r;

	put("p1.profile", 0644, "# shows\nhome tmpfs\n--hostname \"a b\"\ninclude sub/i.inc\n"
	    "ignore hostname\nhostname dropped\nnet none\n");
	put("sub/i.inc", 0644, "setenv X 'q'\ninclude-try missing.inc\n");
	r = show("./p1.profile", out, sizeof out);
	ok(r == 0 && strcmp(out, "--home tmpfs\n--hostname 'a b'\n--setenv X ''\\''q'\\'''\n"
			    "--net none\n") == 0,
	   "show: options, include relative to the file, include-try, ignore", r ? sb_errmsg() : out);
	put("p2.profile", 0644, "include p3.profile\n");
	put("p3.profile", 0644, "hostname x\ninclude p2.profile\n");
	r = show("./p2.profile", out, sizeof out);
	ok(r == -ELOOP && strstr(sb_errmsg(), "p3.profile:2: include") &&
	   strstr(sb_errmsg(), "cycle"), "an include cycle is refused, with file:line", sb_errmsg());
	put("deep.profile", 0644, "include deep2.profile\n");
	put("deep2.profile", 0644, "include deep3.profile\n");
	put("deep3.profile", 0644, "include deep4.profile\n");
	put("deep4.profile", 0644, "include deep5.profile\n");
	put("deep5.profile", 0644, "include deep6.profile\n");
	put("deep6.profile", 0644, "include deep7.profile\n");
	put("deep7.profile", 0644, "include deep8.profile\n");
	put("deep8.profile", 0644, "include deep9.profile\n");
	put("deep9.profile", 0644, "hostname x\n");
	r = show("./deep.profile", out, sizeof out);
	ok(r == -ELOOP && strstr(sb_errmsg(), "deep8.profile:1: include") &&
	   strstr(sb_errmsg(), "more than 8 deep"), "includes nest at most 8 deep", sb_errmsg());
	put("inc-missing.profile", 0644, "\n\ninclude nothere.inc\n");
	r = show("./inc-missing.profile", out, sizeof out);
	ok(r == -ENOENT && strstr(sb_errmsg(), "inc-missing.profile:3: ") &&
	   strstr(sb_errmsg(), "nothere.inc"), "a missing include is an error at its line",
	   sb_errmsg());
	put("w.profile", 0664, "hostname x\n");
	r = show("./w.profile", out, sizeof out);
	ok(r == -EPERM && strstr(sb_errmsg(), "writable by its group"),
	   "a group-writable profile is refused", sb_errmsg());
	put("ok.profile", 0644, "include w.profile\n");
	r = show("./ok.profile", out, sizeof out);
	ok(r == -EPERM && strstr(sb_errmsg(), "ok.profile:1: ") &&
	   strstr(sb_errmsg(), "writable"), "a writable include is refused too", sb_errmsg());
	put("ww.profile", 0646, "hostname x\n");
	r = show("./ww.profile", out, sizeof out);
	ok(r == -EPERM && strstr(sb_errmsg(), "writable by everyone"),
	   "a world-writable profile is refused", sb_errmsg());
}

static void test_refusals(void)
{
	static const char *const bad[][2] = {
		{ "keep-fd 3\n", "--keep-fd is not allowed in a profile (it takes a file descriptor)" },
		{ "--args 3\n", "--args is not allowed" },
		{ "bind-fd 3 /x\n", "--bind-fd is not allowed" },
		{ "profile other\n", "--profile is not allowed in a profile (on the command line" },
		{ "list\n", "--list is not allowed" },
		{ "stop x\n", "--stop is not allowed" },
		{ "help\n", "--help is not allowed" },
		{ "bogus-option\n", "unknown option --bogus-option" },
		{ "-p 80:80\n", "-p: only long options" },
		{ "hostname\n", "--hostname: wrong number of arguments (0)" },
		{ "hostname a b\n", "--hostname: wrong number of arguments (2)" },
		{ "include\n", "include takes one argument" },
	};
	char out[256], want[256];
	size_t k;
	int r;

	for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		put("bad.profile", 0644, xasprintf("# line 1\n%s", bad[k][0]));
		r = show("./bad.profile", out, sizeof out);
		snprintf(want, sizeof want, "bad.profile:2: %s", bad[k][1]);
		ok(r < 0 && strstr(sb_errmsg(), want), xasprintf("refused: %.*s",
		   (int)strlen(bad[k][0]) - 1, bad[k][0]), sb_errmsg());
	}
}

static void test_apply(void)
{
	struct sandbox_spec s;
	char *path = xasprintf("%s/apply.profile", dir);
	int r;

	put("apply.profile", 0644, "hostname fromprofile\nhome tmpfs\nro /usr\n");
	r = parse(&s, ARGS("--profile", path, "--hostname", "cmdline", "--", "true"));
	ok(r == 0 && strcmp(s.hostname, "cmdline") == 0 && s.home == HOME_TMPFS &&
	   s.n_ops == 1 && strcmp(s.ops[0].dest, "/usr") == 0,
	   "apply: an option after --profile wins", sb_errmsg());
	r = parse(&s, ARGS("--hostname", "cmdline", "--home", "ro", "--profile", path,
				"--", "true"));
	ok(r == 0 && strcmp(s.hostname, "fromprofile") == 0 && s.home == HOME_TMPFS,
	   "apply: the profile wins over options before --profile", sb_errmsg());
	put("apply.profile", 0644, "hostname ok\n\nhome bogus\n");
	r = parse(&s, ARGS("--profile", path, "--", "true"));
	ok(r < 0 && strstr(sb_errmsg(), "apply.profile:3: --home: 'bogus'"),
	   "apply: a handler's error names file:line", sb_errmsg());
	put("apply.profile", 0644, "perms 0700\n");
	r = parse(&s, ARGS("--profile", path, "--tmpfs", "/x", "--", "true"));
	ok(r == 0 && s.n_ops == 1 && s.ops[0].perms_set && s.ops[0].perms == 0700,
	   "apply: the stream goes on after the profile (--perms then --tmpfs)", sb_errmsg());
	free(path);
}

static void test_named(void)
{
	struct sandbox_spec s;
	char out[1024];
	int r;

	put("home/.config/sandbox/profiles/named.profile", 0644, "hostname named\n");
	put("home/.config/sandbox/profiles/named.local", 0644, "ignore share-net\nshare-net\n"
	    "setenv LOCAL yes\n");
	r = show("named", out, sizeof out);
	ok(r == 0 && strcmp(out, "--hostname named\n--setenv LOCAL yes\n") == 0,
	   "named: found in ~/.config/sandbox/profiles, NAME.local after it",
	   r ? sb_errmsg() : out);
	r = parse(&s, ARGS("--profile", "named", "--", "true"));
	ok(r == 0 && strcmp(s.hostname, "named") == 0, "named: --profile NAME applies it",
	   sb_errmsg());
	r = show("nosuch", out, sizeof out);
	ok(r == -ENOENT && strstr(sb_errmsg(), "no nosuch.profile in"),
	   "named: a missing profile is said, with where it was looked for", sb_errmsg());
	r = show(".hidden", out, sizeof out);
	ok(r == -EINVAL, "named: a name starting with '.' is refused", sb_errmsg());
	r = parse(&s, ARGS("--profile", "", "--", "true"));
	ok(r == -EINVAL, "named: an empty name is refused", sb_errmsg());
}

static void test_share_parse(void)
{
	struct sandbox_spec s;
	int r;

	r = parse(&s, ARGS("--share", "/a", "--share", "/b:rw", "--share",
				"xdg-download:create", "--share", "~/x:ro", "--desktop", "--", "true"));
	ok(r == 0 && s.n_ops == 4 && s.ops[0].kind == MOP_RO_BIND && s.ops[0].share == SHARE_ON &&
	   strcmp(s.ops[0].src, "/a") == 0 && s.ops[1].kind == MOP_BIND &&
	   s.ops[1].share == (SHARE_ON | SHARE_RW) && strcmp(s.ops[1].src, "/b") == 0 &&
	   s.ops[2].share == (SHARE_ON | SHARE_RW | SHARE_CREATE) &&
	   strcmp(s.ops[2].src, "xdg-download") == 0 && s.ops[3].kind == MOP_RO_BIND &&
	   strcmp(s.ops[3].src, "~/x") == 0 && s.desktop_look,
	   "--share: the modes, ~ and xdg-*, in order; --desktop", sb_errmsg());
	r = parse(&s, ARGS("--share", "/a:b", "--", "true"));
	ok(r == 0 && s.ops[0].kind == MOP_RO_BIND && strcmp(s.ops[0].src, "/a:b") == 0,
	   "--share: a colon not before ro, rw or create is part of the path", sb_errmsg());
	r = parse(&s, ARGS("--share", "rel", "--", "true"));
	ok(r == -EINVAL && strstr(sb_errmsg(), "expected an absolute path"),
	   "--share: a relative path is refused", sb_errmsg());
	r = parse(&s, ARGS("--share", "~user/x", "--", "true"));
	ok(r == -EINVAL, "--share: ~user is refused", sb_errmsg());
	r = parse(&s, ARGS("--share", "/a/../b:rw", "--", "true"));
	ok(r == -EINVAL && strstr(sb_errmsg(), "'..'"), "--share: '..' is refused", sb_errmsg());
	r = parse(&s, ARGS("--share", "xdg-nothing", "--", "true"));
	ok(r == -EINVAL, "--share: an unknown xdg- name is refused", sb_errmsg());
}

void test_profiles(void)
{
	char path[128];

	snprintf(dir, sizeof dir, "/tmp/sandbox-unit-XXXXXX");
	if (!mkdtemp(dir)) {
		ok(false, "profiles: mkdtemp", strerror(errno));
		return;
	}
	snprintf(path, sizeof path, "%s/sub", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/home", dir);
	mkdir(path, 0755);
	setenv("HOME", path, 1);
	unsetenv("XDG_CONFIG_HOME");
	setenv("XDG_RUNTIME_DIR", "/run/test", 1);
	snprintf(path, sizeof path, "%s/home/.config", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/home/.config/sandbox", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/home/.config/sandbox/profiles", dir);
	mkdir(path, 0755);
	put("home/.config/user-dirs.dirs", 0644,
	    "# written by xdg-user-dirs-update\nXDG_DOWNLOAD_DIR=\"$HOME/T\xc3\xa9l\xc3\xa9"
	    "chargements x\"\n  XDG_MUSIC_DIR=\"/srv/music\"\nXDG_VIDEOS_DIR=$(rm -rf /)\n");
	test_split();
	test_files();
	test_refusals();
	test_apply();
	test_named();
	test_share_parse();
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			ok(false, "profiles: remove the test directory", dir);
		free(cmd);
	}
}
