/* profile.c - profile files -> the same option stream as argv: finding a
 * profile by name (the user's, /etc's, then the shipped ones), reading
 * it and its includes into lines of words, the fixed macros (${HOME},
 * ${UID}, ${CWD}, ${RUNTIME_DIR}, the XDG user directories), --profile-show's
 * output and --list-profiles.
 *
 * A line is one long option as on the command line (the "--" optional)
 * and its arguments, or a directive: include FILE, include-try FILE,
 * ignore OPTION.  Every option is checked against the table (options.c):
 * known, with as many arguments as its row takes, and allowed in a file:
 * no option that takes a file descriptor, none that only the command line
 * may give (F_CMDLINE).  The lines are applied by cli.c (cli_run_profile)
 * as if written at --profile's place.
 *
 * Files are opened with O_NOFOLLOW relative to their directory's held fd
 * (includes relative to the including file's), and refused unless they
 * are regular, owned by root or the user, and writable by no one else.
 * Must not touch the plan: this file only produces words.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "cli.h"

#ifndef SANDBOX_DATADIR
#define SANDBOX_DATADIR "/usr/local/share"
#endif
#define PROFILE_MAX_DEPTH 8
#define PROFILE_MAX_BYTES (1u << 20)

/* ---- the XDG user directories and the macros ---- */

static const char *home_dir(void)
{
	const char *h = getenv("HOME");

	return h && h[0] == '/' ? h : NULL;
}

/* $XDG_CONFIG_HOME (when absolute), else ~/.config, into BUF */
static int config_home(char *buf, size_t len)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = home_dir();

	if (x && x[0] == '/')
		return snprintf(buf, len, "%s", x) < (int)len ? 0 : -ENAMETOOLONG;
	if (!h)
		return -ENOENT;
	return snprintf(buf, len, "%s/.config", h) < (int)len ? 0 : -ENAMETOOLONG;
}

static const struct { const char *key, *fallback; } xdg_dirs[] = {
	{ "DESKTOP", "Desktop" }, { "DOCUMENTS", "Documents" },
	{ "DOWNLOAD", "Downloads" }, { "MUSIC", "Music" },
	{ "PICTURES", "Pictures" }, { "PUBLICSHARE", "Public" },
	{ "TEMPLATES", "Templates" }, { "VIDEOS", "Videos" },
};

/* The value of XDG_KEY_DIR="..." in user-dirs.dirs TEXT, as
 * xdg-user-dirs writes it: "$HOME/rel" or "/abs", backslash escapes. */
static int user_dirs_value(const char *text, const char *key, const char *home,
			   char *out, size_t len)
{
	char want[40];
	const char *p;
	size_t n = 0;

	snprintf(want, sizeof want, "XDG_%s_DIR=\"", key);
	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, want, strlen(want)) == 0)
			break;
	}
	if (!p)
		return -ENOENT;
	p += strlen(want);
	if (strncmp(p, "$HOME", 5) == 0 && (p[5] == '/' || p[5] == '"')) {
		n = (size_t)snprintf(out, len, "%s", home);
		p += 5;
	} else if (*p != '/') {
		return -EINVAL;
	}
	for (; *p && *p != '"' && *p != '\n'; p++) {
		if (*p == '\\' && p[1] && p[1] != '\n')
			p++;
		if (n + 1 >= len)
			return -ENAMETOOLONG;
		out[n++] = *p;
	}
	if (*p != '"')
		return -EINVAL;
	out[n] = '\0';
	return 0;
}

/* The XDG user directory KEY (DOWNLOAD, DOCUMENTS, ...): from
 * user-dirs.dirs, read as data, else ~/Downloads and the like. */
int xdg_user_dir(const char *key, char *out, size_t len)
{
	const char *home = home_dir(), *fallback = NULL;
	char path[PATH_MAX], *text = NULL;
	size_t k, n;

	for (k = 0; k < sizeof xdg_dirs / sizeof xdg_dirs[0]; k++)
		if (strcmp(key, xdg_dirs[k].key) == 0)
			fallback = xdg_dirs[k].fallback;
	if (!fallback)
		return -EINVAL;
	if (!home)
		return -ENOENT;
	if (config_home(path, sizeof path) == 0 &&
	    strlen(path) + sizeof "/user-dirs.dirs" <= sizeof path) {
		strcat(path, "/user-dirs.dirs");
		if (read_file_all(path, &text, &n, 1u << 16) == 0) {
			int r;

			text = xrealloc(text, n + 1);
			text[n] = '\0';
			r = user_dirs_value(text, key, home, out, len);
			free(text);
			if (r == 0)
				return 0;
		}
	}
	return snprintf(out, len, "%s/%s", home, fallback) < (int)len ? 0 : -ENAMETOOLONG;
}

/* The value of macro NAME (without ${}) into OUT, or -errno. */
static int macro_value(const char *name, char *out, size_t len)
{
	const char *v;

	if (strcmp(name, "HOME") == 0) {
		if (!(v = home_dir()))
			return sb_err(ENOENT, "${HOME}: $HOME is not set to an absolute path");
		snprintf(out, len, "%s", v);
	} else if (strcmp(name, "UID") == 0) {
		snprintf(out, len, "%u", (unsigned)getuid());
	} else if (strcmp(name, "CWD") == 0) {
		if (!getcwd(out, len))
			return sb_err(errno, "${CWD}: %s", strerror(errno));
	} else if (strcmp(name, "RUNTIME_DIR") == 0) {
		v = getenv("XDG_RUNTIME_DIR");
		if (v && v[0] == '/')
			snprintf(out, len, "%s", v);
		else
			snprintf(out, len, "/run/user/%u", (unsigned)getuid());
	} else if (str_has_prefix(name, "XDG_") && strlen(name) > 8 &&
		   strcmp(name + strlen(name) - 4, "_DIR") == 0) {
		char key[32];
		int r;

		snprintf(key, sizeof key, "%.*s", (int)(strlen(name) - 8), name + 4);
		if ((r = xdg_user_dir(key, out, len)) == -EINVAL)
			return sb_err(EINVAL, "unknown macro ${%s}", name);
		if (r < 0)
			return sb_err(-r, "${%s}: $HOME is not set to an absolute path", name);
	} else {
		return sb_err(EINVAL, "unknown macro ${%s} (known: HOME, UID, CWD, RUNTIME_DIR, "
			      "XDG_DOWNLOAD_DIR and the other XDG user directories)", name);
	}
	return 0;
}

/* ---- splitting a line into words ---- */

/* Append macro ${...} at *P (just after "${") to B; *P moves past '}'. */
static int add_macro(struct sbuf *b, const char **p)
{
	const char *end = strchr(*p, '}');
	char name[64], value[PATH_MAX];
	int r;

	if (!end || end == *p || (size_t)(end - *p) >= sizeof name)
		return sb_err(EINVAL, "'${' without a macro name and '}'");
	snprintf(name, sizeof name, "%.*s", (int)(end - *p), *p);
	if ((r = macro_value(name, value, sizeof value)) < 0)
		return r;
	sbuf_add(b, "%s", value);
	*p = end + 1;
	return 0;
}

/* LINE (NUL-terminated, no newline) into words: blanks separate them,
 * "#" at a word's start begins a comment, double quotes keep blanks (and
 * inside them \" and \\ are a quote and a backslash), macros are expanded
 * everywhere.  *WORDS is NULL-terminated; its count in *N. */
int profile_split(const char *line, char ***words, size_t *n)
{
	const char *p = line;
	char **w = NULL;
	size_t nw = 0;

	for (;;) {
		struct sbuf b = { 0 };
		bool quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		sbuf_add(&b, "%s", "");
		for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\r')); p++) {
			int r;

			if (*p == '"') {
				quoted = !quoted;
			} else if (*p == '$' && p[1] == '{') {
				p += 2;
				if ((r = add_macro(&b, &p)) < 0) {
					free(b.p);
					return r;
				}
				p--;
			} else {
				if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				sbuf_add(&b, "%c", *p);
			}
		}
		if (quoted) {
			free(b.p);
			return sb_err(EINVAL, "a double quote is not closed");
		}
		w = xrealloc(w, (nw + 2) * sizeof *w);
		w[nw++] = b.p;
	}
	w = xrealloc(w, (nw + 1) * sizeof *w);
	w[nw] = NULL;
	*words = w;
	*n = nw;
	return 0;
}

/* ---- which options a file may give ---- */

static bool takes_fd(const struct opt *o)
{
	const char *a = o->args;
	size_t n;

	while (a && *a) {
		n = strcspn(a, " ");
		if (n == 2 && strncmp(a, "FD", 2) == 0)
			return true;
		a += n;
		a += strspn(a, " ");
	}
	return false;
}

/* WORDS[0] (an option, "--" added) with N - 1 arguments: 0 or an error. */
static int check_option(char **words, size_t n)
{
	bool known = false, arity = false;
	size_t k;

	for (k = 0; k < cli_n_opts; k++) {
		const struct opt *o = &cli_opts[k];

		if (!o->name || strcmp(o->name, words[0]) != 0)
			continue;
		known = true;
		if (o->flags & F_CMDLINE)
			return sb_err(EINVAL, "%s is not allowed in a profile "
				      "(on the command line only)", o->name);
		if (takes_fd(o))
			return sb_err(EINVAL, "%s is not allowed in a profile "
				      "(it takes a file descriptor)", o->name);
		if ((size_t)o->nargs == n - 1)
			arity = true;
	}
	if (!known)
		return sb_err(EINVAL, "unknown option %s", words[0]);
	if (!arity)
		return sb_err(EINVAL, "%s: wrong number of arguments (%zu)", words[0], n - 1);
	return 0;
}

/* ---- reading files ---- */

struct loader {
	struct profile *out;
	char **ignored;              /* "--name" of each ignore line */
	size_t n_ignored;
	struct { dev_t dev; ino_t ino; } stack[PROFILE_MAX_DEPTH + 1];
	int depth;
	bool located;                /* the recorded error names its file:line */
};

/* PATH relative to ATFD: its directory held in *DIRFD (O_PATH), the file
 * opened in it without following a last symbolic link, then checked. */
static int open_profile(int atfd, const char *path, int *dirfd, int *fd, struct stat *st)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int e;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else if (snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path) >= (int)sizeof dir)
		return sb_err(ENAMETOOLONG, "%s: path too long", path);
	*dirfd = openat(atfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return sb_err(errno, "%s: %s", path, strerror(errno));
	*fd = openat(*dirfd, slash ? slash + 1 : path,
		     O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0) {
		e = errno;
		close(*dirfd);
		return sb_err(e, "%s: %s", path, e == ELOOP ? "is a symbolic link" : strerror(e));
	}
	if (fstat(*fd, st) < 0 || !S_ISREG(st->st_mode))
		e = EINVAL, sb_err(e, "%s: not a regular file", path);
	else if (st->st_uid != 0 && st->st_uid != getuid())
		e = EPERM, sb_err(e, "%s: owned by uid %u, neither root nor you: refused",
				  path, (unsigned)st->st_uid);
	else if (st->st_mode & 022)
		e = EPERM, sb_err(e, "%s: writable by %s: refused (chmod go-w)", path,
				  st->st_mode & 002 ? "everyone" : "its group");
	else
		return 0;
	close(*fd);
	close(*dirfd);
	return -e;
}

static int load_file(struct loader *ld, int atfd, const char *parent, const char *path,
		     bool try_);

static bool is_ignored(const struct loader *ld, const char *name)
{
	size_t k;

	for (k = 0; k < ld->n_ignored; k++)
		if (strcmp(ld->ignored[k], name) == 0)
			return true;
	return false;
}

/* "--" before NAME unless it has it; NULL for a short option */
static char *long_name(const char *name)
{
	if (name[0] == '-' && name[1] == '-' && name[2])
		return xstrdup(name);
	if (name[0] == '-')
		return NULL;
	return xasprintf("--%s", name);
}

/* A directive or an option line of FILE (words W, N of them). */
static int one_line(struct loader *ld, int dirfd, const char *file, unsigned line,
		    char **w, size_t n)
{
	bool inc = strcmp(w[0], "include") == 0, inc_try = strcmp(w[0], "include-try") == 0;
	struct profile_line *pl;
	char *name;

	if (inc || inc_try || strcmp(w[0], "ignore") == 0) {
		if (n != 2)
			return sb_err(EINVAL, "%s takes one argument", w[0]);
		if (inc || inc_try)
			return load_file(ld, dirfd, file, w[1], inc_try);
		if (!(name = long_name(w[1])))
			return sb_err(EINVAL, "ignore %s: not a long option", w[1]);
		ld->ignored = xrealloc(ld->ignored, (ld->n_ignored + 1) * sizeof(char *));
		ld->ignored[ld->n_ignored++] = name;
		return 0;
	}
	if (!(name = long_name(w[0])))
		return sb_err(EINVAL, "%s: only long options (--name) may be given", w[0]);
	free(w[0]);
	w[0] = name;
	if (is_ignored(ld, name))
		return 0;
	if (check_option(w, n) < 0)
		return -EINVAL;
	ld->out->lines = xrealloc(ld->out->lines, (ld->out->n + 1) * sizeof *pl);
	pl = &ld->out->lines[ld->out->n++];
	pl->words = w;
	pl->n = n;
	pl->file = file;
	pl->line = line;
	return 1; /* W is kept */
}

/* The lines of TEXT (LEN bytes), read from FILE. */
static int load_text(struct loader *ld, int dirfd, const char *file, char *text, size_t len)
{
	unsigned line = 0;
	char *p = text, *end;

	if (memchr(text, '\0', len))
		return sb_err(EINVAL, "%s: not a text file (it holds a NUL byte)", file);
	while (p < text + len) {
		char **w;
		size_t n, k;
		int r;

		end = memchr(p, '\n', (size_t)(text + len - p));
		if (end)
			*end = '\0';
		else
			text[len] = '\0', end = text + len;
		line++;
		if ((r = profile_split(p, &w, &n)) < 0) {
			ld->located = true;
			return sb_errctx(r, "%s:%u", file, line);
		}
		p = end + 1;
		r = n ? one_line(ld, dirfd, file, line, w, n) : 0;
		if (r < 0 && !ld->located) /* an include's own lines say where */
			r = sb_errctx(r, "%s:%u", file, line);
		ld->located = r < 0;
		if (r < 0 || r == 0)
			for (k = 0; k < n; k++)
				free(w[k]);
		if (r != 1)
			free(w);
		if (r < 0)
			return r;
	}
	return 0;
}

/* PATH (relative to ATFD, the directory of PARENT, or the current
 * directory for the first file): its lines, its includes' in place.  With
 * TRY_, a missing file is nothing. */
static int load_file(struct loader *ld, int atfd, const char *parent, const char *path,
		     bool try_)
{
	const char *slash = parent ? strrchr(parent, '/') : NULL;
	char *file, *text;
	struct stat st;
	size_t len;
	int dirfd, fd, r, k;

	if (path[0] != '/' && slash)
		file = xasprintf("%.*s/%s", (int)(slash - parent), parent, path);
	else
		file = xstrdup(path);
	if (ld->depth >= PROFILE_MAX_DEPTH)
		return sb_err(ELOOP, "include %s: includes nested more than %d deep",
			      file, PROFILE_MAX_DEPTH);
	if ((r = open_profile(atfd, path, &dirfd, &fd, &st)) < 0) {
		if (try_ && r == -ENOENT)
			r = 0;
		free(file);
		return r;
	}
	for (k = 0; k < ld->depth; k++)
		if (ld->stack[k].dev == st.st_dev && ld->stack[k].ino == st.st_ino) {
			close(fd);
			close(dirfd);
			return sb_err(ELOOP, "include %s: an include cycle (the file is "
				      "already being read)", file);
		}
	if ((r = read_fd_all(fd, &text, &len, PROFILE_MAX_BYTES)) < 0) { /* closes fd */
		close(dirfd);
		return sb_err(-r, "%s: cannot read: %s", file, strerror(-r));
	}
	text = xrealloc(text, len + 1);
	ld->stack[ld->depth].dev = st.st_dev;
	ld->stack[ld->depth++].ino = st.st_ino;
	r = load_text(ld, dirfd, file, text, len);
	ld->depth--;
	free(text);
	close(dirfd);
	return r;
}

/* ---- finding a profile by name ---- */

/* The directories searched, in order: the user's, /etc's, the shipped
 * ones.  Entries that cannot be had (no $HOME) are empty strings. */
static void search_dirs(char dirs[3][PATH_MAX])
{
	char cfg[PATH_MAX];

	dirs[0][0] = '\0';
	if (config_home(cfg, sizeof cfg) == 0 &&
	    snprintf(dirs[0], PATH_MAX, "%s/sandbox/profiles", cfg) >= PATH_MAX)
		dirs[0][0] = '\0';
	snprintf(dirs[1], PATH_MAX, "/etc/sandbox/profiles");
	snprintf(dirs[2], PATH_MAX, "%s/sandbox/profiles", SANDBOX_DATADIR);
}

static bool name_ok(const char *name)
{
	return *name && name[0] != '.' && !strchr(name, '/') && strlen(name) < NAME_MAX - 8;
}

/* NAME.profile from the first directory that has it, then NAME.local from
 * each directory that has one (the shipped, /etc's, the user's: the
 * user's last, so that it wins). */
static int load_named(struct loader *ld, const char *name)
{
	char dirs[3][PATH_MAX], *path;
	int k, r = -ENOENT;

	search_dirs(dirs);
	for (k = 0; k < 3 && r == -ENOENT; k++) {
		if (!dirs[k][0])
			continue;
		path = xasprintf("%s/%s.profile", dirs[k], name);
		r = load_file(ld, AT_FDCWD, NULL, path, false);
		if (r == -ENOENT && ld->located)
			r = -ENOTRECOVERABLE; /* a missing include, said */
		free(path);
	}
	if (r == -ENOTRECOVERABLE)
		return -ENOENT;
	if (r == -ENOENT)
		return sb_err(ENOENT, "--profile %s: no %s.profile in %s, %s or %s", name, name,
			      dirs[0][0] ? dirs[0] : "~/.config/sandbox/profiles", dirs[1], dirs[2]);
	for (k = 2; k >= 0 && r == 0; k--) {
		if (!dirs[k][0])
			continue;
		path = xasprintf("%s/%s.local", dirs[k], name);
		r = load_file(ld, AT_FDCWD, NULL, path, true);
		free(path);
	}
	return r;
}

/* NAME (searched) or PATH (with a slash) into OUT: 0 or -errno with a
 * message, "FILE:LINE: ..." for a fault in a file. */
int profile_load(const char *what, struct profile *out)
{
	struct loader ld = { .out = out };
	int r;

	memset(out, 0, sizeof *out);
	if (!*what)
		return sb_err(EINVAL, "--profile: the name is empty");
	if (strchr(what, '/'))
		r = load_file(&ld, AT_FDCWD, NULL, what, false);
	else if (!name_ok(what))
		r = sb_err(EINVAL, "--profile %s: not a profile name", what);
	else
		r = load_named(&ld, what);
	for (size_t k = 0; k < ld.n_ignored; k++)
		free(ld.ignored[k]);
	free(ld.ignored);
	return r;
}

/* ---- --profile-show, --list-profiles ---- */

/* WORD as the shell reads it back: bare when it holds only safe
 * characters, else in single quotes. */
static void print_quoted(const char *word, FILE *f)
{
	const char *p;

	if (*word && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_@%+=:,./-") == strlen(word)) {
		fputs(word, f);
		return;
	}
	fputc('\'', f);
	for (p = word; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	}
	fputc('\'', f);
}

void profile_print(const struct profile *p, FILE *f)
{
	size_t k, j;

	for (k = 0; k < p->n; k++) {
		for (j = 0; j < p->lines[k].n; j++) {
			if (j)
				fputc(' ', f);
			print_quoted(p->lines[k].words[j], f);
		}
		fputc('\n', f);
	}
}

struct found { char *name; const char *dir; };

static int found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->name, ((const struct found *)b)->name);
}

/* Every NAME.profile of the search directories, with the directory that
 * --profile NAME takes it from. */
int profile_list(FILE *f)
{
	static char dirs[3][PATH_MAX];
	struct found *fs = NULL;
	size_t n = 0, k, j;
	int d;

	search_dirs(dirs);
	for (d = 0; d < 3; d++) {
		DIR *dir = dirs[d][0] ? opendir(dirs[d]) : NULL;
		struct dirent *e;

		while (dir && (e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			char *name;

			if (len <= 8 || strcmp(e->d_name + len - 8, ".profile") != 0)
				continue;
			name = xasprintf("%.*s", (int)(len - 8), e->d_name);
			for (j = 0; j < n && strcmp(fs[j].name, name) != 0; j++)
				;
			if (j < n || !name_ok(name)) {
				free(name);
				continue;
			}
			fs = xrealloc(fs, (n + 1) * sizeof *fs);
			fs[n++] = (struct found){ name, dirs[d] };
		}
		if (dir)
			closedir(dir);
	}
	if (n)
		qsort(fs, n, sizeof *fs, found_cmp);
	for (k = 0; k < n; k++) {
		fprintf(f, "%-20s %s\n", fs[k].name, fs[k].dir);
		free(fs[k].name);
	}
	free(fs);
	return ferror(f) ? -EIO : 0;
}
