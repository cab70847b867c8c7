/* share.c - --share PATH[:ro|:rw|:create], --allow-dangerous and
 * --desktop: host directories and files shared at their own path, and
 * the host's fonts, icons, themes and toolkit settings.
 *
 * --share adds its bind operation at its place on the command line
 * (share_option); the setup process resolves it before the mounts'
 * preflight (share_preflight): ~ and the XDG user directories expanded,
 * :create's directory made, the path opened (O_PATH, no symbolic link
 * followed past its real path) and that held fd bound, as --bind-fd is.
 * The check against sharing what controls the user's sessions writable
 * (shell start-up files, ~/.ssh, autostart, systemd units, our own
 * profiles, the runtime directory) is made on the real path of what is
 * held.  --desktop adds read-only -try binds at the end of the plan,
 * after --home, so that a tmpfs home still has the user's fonts; and
 * passes the desktop's locale and scaling variables.  Must not mount:
 * mounts.c binds what this file plans.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>

#include "sandbox.h"

extern char **environ;

static const struct { const char *name, *key; } xdg_names[] = {
	{ "xdg-download", "DOWNLOAD" }, { "xdg-documents", "DOCUMENTS" },
	{ "xdg-pictures", "PICTURES" }, { "xdg-music", "MUSIC" },
	{ "xdg-videos", "VIDEOS" }, { "xdg-desktop", "DESKTOP" },
	{ "xdg-templates", "TEMPLATES" }, { "xdg-public-share", "PUBLICSHARE" },
};

static const char *xdg_key(const char *name)
{
	size_t k;

	for (k = 0; k < sizeof xdg_names / sizeof xdg_names[0]; k++)
		if (strcmp(name, xdg_names[k].name) == 0)
			return xdg_names[k].key;
	return NULL;
}

static const char *home_dir(void)
{
	const char *h = getenv("HOME");

	return h && h[0] == '/' ? h : NULL;
}

/* ".." anywhere, as a component */
static bool has_dotdot(const char *p)
{
	const char *s;

	for (s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return true;
	return false;
}

/* --share PATH[:ro|:rw|:create]: the operation, unresolved */
int share_option(struct sandbox_spec *spec, const char *v)
{
	const char *colon = strrchr(v, ':');
	unsigned bits = SHARE_ON;
	struct mount_op *op;
	char *path;

	if (colon && (strcmp(colon, ":ro") == 0 || strcmp(colon, ":rw") == 0 ||
		      strcmp(colon, ":create") == 0)) {
		if (strcmp(colon, ":rw") == 0)
			bits |= SHARE_RW;
		else if (strcmp(colon, ":create") == 0)
			bits |= SHARE_RW | SHARE_CREATE;
		path = strndup(v, (size_t)(colon - v));
	} else {
		path = xstrdup(v);
	}
	if (!path)
		abort();
	if (!(path[0] == '/' || (path[0] == '~' && (path[1] == '\0' || path[1] == '/')) ||
	      xdg_key(path)))
		return sb_err(EINVAL, "--share %s: expected an absolute path, ~/PATH or one of "
			      "xdg-download, xdg-documents, xdg-pictures, xdg-music, xdg-videos, "
			      "xdg-desktop, xdg-templates, xdg-public-share; then :ro (the "
			      "default), :rw or :create", v);
	if (has_dotdot(path))
		return sb_err(EINVAL, "--share %s: no '..' in the path, please", v);
	op = spec_add_op(spec, bits & SHARE_RW ? MOP_BIND : MOP_RO_BIND, "--share", path, path);
	op->share = bits;
	return 0;
}

/* ---- resolving a share ---- */

/* OP's path, ~ and xdg-* expanded, without "//", "/./" or a trailing "/" */
static int expand(const struct mount_op *op, char *out, size_t len)
{
	const char *p = op->src, *home = home_dir(), *key = xdg_key(p);
	char raw[PATH_MAX];
	size_t n = 0, k;
	int r;

	if ((key || p[0] == '~') && !home)
		return sb_err(EINVAL, "--share %s: $HOME is not set to an absolute path", p);
	if (key) {
		if ((r = xdg_user_dir(key, raw, sizeof raw)) < 0)
			return sb_err(-r, "--share %s: %s", p, strerror(-r));
	} else if (snprintf(raw, sizeof raw, "%s%s", p[0] == '~' ? home : "",
			    p[0] == '~' ? p + 1 : p) >= (int)sizeof raw) {
		return sb_err(ENAMETOOLONG, "--share %s: path too long", p);
	}
	if (raw[0] != '/' || has_dotdot(raw))
		return sb_err(EINVAL, "--share %s: %s is not an absolute path without '..'", p, raw);
	for (k = 0; raw[k] && n + 1 < len; k++) {
		if (raw[k] == '/' && (raw[k + 1] == '/' || raw[k + 1] == '\0') && n > 0)
			continue;
		if (raw[k] == '/' && raw[k + 1] == '.' && (raw[k + 2] == '/' || !raw[k + 2])) {
			k++;
			continue;
		}
		out[n++] = raw[k];
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

/* mkdir -p PATH with the user's rights and umask */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX], *s;

	snprintf(buf, sizeof buf, "%s", path);
	for (s = buf + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return -errno;
		if (!c)
			return 0;
		*s = c;
	}
}

/* A within B: the same path, or below it */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);

	if (strcmp(b, "/") == 0)
		return true;
	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

/* What a writable share must not reach: it changes what runs outside the
 * sandbox, or what the sandbox itself is allowed. */
static const struct { const char *rel, *why; } danger[] = {
	{ ".config/sandbox", "sandbox's own profiles" },
	{ ".config/autostart", "programs started at login" },
	{ ".config/systemd", "your systemd units" },
	{ ".config/fish", "fish's start-up files" },
	{ ".config/environment.d", "your session's environment" },
	{ ".local/share/applications", "desktop entries: the commands menus run" },
	{ ".ssh", "ssh keys and configuration" },
	{ ".bashrc", "a shell start-up file" }, { ".bash_profile", "a shell start-up file" },
	{ ".bash_login", "a shell start-up file" }, { ".profile", "a shell start-up file" },
	{ ".zshrc", "a shell start-up file" }, { ".zshenv", "a shell start-up file" },
	{ ".zprofile", "a shell start-up file" }, { ".zlogin", "a shell start-up file" },
};

/* D (and its real path) against the share's NAMED and REAL paths */
static int check_one(const char *opt, const char *named, const char *real, const char *d,
		     const char *why)
{
	char dreal[PATH_MAX];
	const char *cands[2] = { d, realpath(d, dreal) ? dreal : NULL };
	int k;

	for (k = 0; k < 2; k++) {
		if (!cands[k])
			continue;
		if (within(named, cands[k]) || within(real, cands[k]) ||
		    within(cands[k], named) || within(cands[k], real))
			return sb_err(EPERM, "--share %s: %s would be writable in the sandbox, and "
				      "%s holds %s: refused (share it read-only, or add "
				      "--allow-dangerous)", opt, real, d, why);
	}
	return 0;
}

static int check_danger(const char *opt, const char *named, const char *real)
{
	const char *home = home_dir(), *cfg = getenv("XDG_CONFIG_HOME");
	const char *run = getenv("XDG_RUNTIME_DIR");
	char d[PATH_MAX];
	size_t k;
	int r;

	for (k = 0; home && k < sizeof danger / sizeof danger[0]; k++) {
		snprintf(d, sizeof d, "%s/%s", home, danger[k].rel);
		if ((r = check_one(opt, named, real, d, danger[k].why)) < 0)
			return r;
		if (cfg && cfg[0] == '/' && str_has_prefix(danger[k].rel, ".config/")) {
			snprintf(d, sizeof d, "%s/%s", cfg, danger[k].rel + 8);
			if ((r = check_one(opt, named, real, d, danger[k].why)) < 0)
				return r;
		}
	}
	snprintf(d, sizeof d, "/run/user/%u", (unsigned)getuid());
	if ((r = check_one(opt, named, real, run && run[0] == '/' ? run : d,
			   "your session's sockets (the runtime directory)")) < 0)
		return r;
	return 0;
}

/* OP (a --share) to a held fd of its real path, at its named path inside */
static int resolve_share(const struct sandbox_spec *spec, struct mount_op *op)
{
	const char *opt = op->src;
	char named[PATH_MAX], real[PATH_MAX];
	int fd, r;

	if ((r = expand(op, named, sizeof named)) < 0)
		return r;
	/* before :create makes anything; again below on the real path */
	if ((op->share & SHARE_RW) && !spec->allow_dangerous &&
	    (r = check_danger(opt, named, named)) < 0)
		return r;
	if ((op->share & SHARE_CREATE) && (r = make_dirs(named)) < 0)
		return sb_err(-r, "--share %s:create: cannot create %s: %s", opt, named,
			      strerror(-r));
	if (!realpath(named, real))
		return sb_err(errno, "--share %s: %s: %s%s", opt, named, strerror(errno),
			      errno == ENOENT ? " (:create makes a directory)" : "");
	fd = openat2_(AT_FDCWD, real, O_PATH | O_CLOEXEC,
		      RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (fd < 0)
		return sb_err(-fd, "--share %s: %s: %s", opt, real,
			      fd == -ELOOP ? "replaced by a symbolic link" : strerror(-fd));
	if ((op->share & SHARE_RW) && !spec->allow_dangerous &&
	    (r = check_danger(opt, named, real)) < 0) {
		close(fd);
		return r;
	}
	op->dest = xstrdup(named);
	op->src = xstrdup(real);
	op->by_fd = true;
	op->fd = fd;
	sb_step("--share %s: %s on %s, %s", opt, real, named,
		op->share & SHARE_RW ? "writable" : "read-only");
	return 0;
}

/* ---- --desktop ---- */

static const char *const look_system[] = {
	"/usr/share/fonts", "/usr/share/icons", "/usr/share/themes", "/etc/fonts",
};
static const char *const look_home[] = {
	".fonts", ".local/share/fonts", ".config/fontconfig", ".config/gtk-3.0",
	".config/gtk-4.0", ".gtkrc-2.0", ".config/Trolltech.conf", ".config/kdeglobals",
	".icons", ".local/share/icons", ".themes",
};
static const char *const look_env[] = {
	"XDG_CURRENT_DESKTOP", "LANG", "LANGUAGE", "GDK_SCALE", "GDK_DPI_SCALE",
	"QT_SCALE_FACTOR", "XCURSOR_THEME", "XCURSOR_SIZE",
};

static void look_bind(struct sandbox_spec *spec, char *path)
{
	struct mount_op *op = spec_add_op(spec, MOP_RO_BIND, "--desktop", path, path);

	op->try_ = true;
}

static bool look_var(const char *name, size_t len)
{
	size_t k;

	if (len > 3 && strncmp(name, "LC_", 3) == 0)
		return true;
	for (k = 0; k < sizeof look_env / sizeof look_env[0]; k++)
		if (strlen(look_env[k]) == len && strncmp(name, look_env[k], len) == 0)
			return true;
	return false;
}

/* The binds (what the sandbox would not see otherwise: the host's system
 * directories under --rootfs, the user's files when the home is not the
 * host's) and the variables, first so that --setenv and --unsetenv win. */
static void plan_look(struct sandbox_spec *spec)
{
	const char *home = home_dir();
	struct env_op *env = NULL;
	size_t n = 0, k;
	char **e;

	for (k = 0; spec->rootfs && k < sizeof look_system / sizeof look_system[0]; k++)
		look_bind(spec, xstrdup(look_system[k]));
	if (home && spec->home != HOME_NONE && (spec->home != HOME_RO || spec->rootfs))
		for (k = 0; k < sizeof look_home / sizeof look_home[0]; k++)
			look_bind(spec, xasprintf("%s/%s", home, look_home[k]));
	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');

		if (!eq || !look_var(*e, (size_t)(eq - *e)))
			continue;
		env = xrealloc(env, (n + 1) * sizeof *env);
		env[n++] = (struct env_op){ ENV_SET, xasprintf("%.*s", (int)(eq - *e), *e), eq + 1 };
	}
	spec->env_ops = xrealloc(spec->env_ops, (spec->n_env_ops + n + 1) * sizeof *env);
	memmove(spec->env_ops + n, spec->env_ops, spec->n_env_ops * sizeof *env);
	if (n)
		memcpy(spec->env_ops, env, n * sizeof *env);
	spec->n_env_ops += n;
	free(env);
	sb_step("--desktop: fonts, icons, themes and %zu variable%s", n, n == 1 ? "" : "s");
}

/* The setup process, before the mounts' preflight: every --share
 * resolved and held, --desktop's binds added. */
int share_preflight(struct sandbox_spec *spec)
{
	size_t i;
	int r;

	if (spec->personality == PERSONALITY_BWRAP && !spec->desktop_look) {
		for (i = 0; i < spec->n_ops && !spec->ops[i].share; i++)
			;
		if (i == spec->n_ops)
			return 0;
	}
	for (i = 0; i < spec->n_ops; i++)
		if (spec->ops[i].share && (r = resolve_share(spec, &spec->ops[i])) < 0)
			return r;
	if (spec->desktop_look)
		plan_look(spec);
	return 0;
}
