/* dbus.c - the D-Bus options: --dbus-user and --dbus-system (none, filter
 * or host), their rules (--dbus-see, -talk, -own, -call, -broadcast and
 * the --dbus-system-* forms), --app-id; and xdg-dbus-proxy, the filter.
 *
 * Owns their parsing into the plan (struct dbus_opts), and in the setup
 * process, before anything else is created (desktop_preflight calls it,
 * after the runtime dir /run/user/UID is planned): finding each bus on the
 * host, starting the proxy outside the sandbox for a filtered bus, and
 * turning the socket (the proxy's, or the bus's own with =host) into a
 * bind by fd at /run/user/UID/bus or /run/dbus/system_bus_socket, with the
 * variables that point there.  The filtering is the proxy's policy
 * (xdg-dbus-proxy(1)); this file only writes its command line.
 *
 * The proxy's sockets are in a private directory (mkdtemp, 0700) in
 * $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp: the first where their paths
 * fit a socket address (the proxy would bind a truncated one).
 *
 * The proxy's life.  A keeper process, forked from the setup process in a
 * session of its own, makes the proxy (PR_SET_PDEATHSIG: it dies with its
 * keeper), waits for it, then removes the proxy's private 0700 directory.
 * The proxy writes one byte on its --fd when it listens and exits when
 * that pipe's read end (struct dbus_proxy.hold, close-on-exec) is closed
 * everywhere: the setup process holds it until the sandbox has ended, the
 * user-namespace child and pid 1 inherit it (the payload never has it),
 * and the kernel closes it when they are killed.  So the proxy
 * never outlives the sandbox and its directory never outlives the proxy.
 * Does not mount anything (mounts.c does, in plan order).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "sandbox.h"

#define SYSTEM_BUS "/run/dbus/system_bus_socket"
#define PROXY_READY_MS 30000

/* ---- options ---- */

/* A well-known bus name: two or more dot-separated elements of
 * [A-Za-z0-9_-], none starting with a digit, at most 255 bytes; with
 * WILDCARD, also such a name followed by ".*" (xdg-dbus-proxy's prefix). */
bool dbus_name_ok(const char *name, bool wildcard)
{
	size_t len = strlen(name), elems = 1, i;
	bool start = true;

	if (wildcard && len > 2 && strcmp(name + len - 2, ".*") == 0)
		len -= 2;
	if (len == 0 || len > 255)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];
		if (c == '.') {
			if (start)
				return false;
			elems++;
			start = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' ||
		      (c >= '0' && c <= '9' && !start)))
			return false;
		start = false;
	}
	return !start && elems >= 2;
}

static const char *mode_name(enum dbus_mode m)
{
	return m == DBUS_HOST ? "host" : m == DBUS_FILTER ? "filter" : "none";
}

/* A rule, or an explicit mode, that contradicts the other */
static int check_bus(const struct dbus_bus *b)
{
	if (b->rule_opt && b->mode_opt && b->mode != DBUS_FILTER)
		return sb_err(EINVAL, "%s needs the filter, and %s=%s has none (drop one of them)",
			      b->rule_opt, b->mode_opt, mode_name(b->mode));
	return 0;
}

static int bus_mode(struct dbus_bus *b, const char *opt, const char *v)
{
	if (!v || strcmp(v, "filter") == 0)
		b->mode = DBUS_FILTER;
	else if (strcmp(v, "host") == 0)
		b->mode = DBUS_HOST;
	else if (strcmp(v, "none") == 0)
		b->mode = DBUS_NONE;
	else
		return sb_err(EINVAL, "%s=%s: expected none, filter or host", opt, v);
	b->mode_opt = str_has_prefix(opt, "--dbus-system") ? "--dbus-system" : "--dbus-user";
	return check_bus(b);
}

/* --dbus[-system]-KIND NAME or NAME=RULE: the proxy's --KIND=... */
static int bus_rule(struct dbus_bus *b, const char *opt, const char *kind, const char *v)
{
	bool with_rule = strcmp(kind, "call") == 0 || strcmp(kind, "broadcast") == 0;
	const char *eq = strchr(v, '=');
	char *name = with_rule && eq ? xasprintf("%.*s", (int)(eq - v), v) : xstrdup(v);
	bool ok = dbus_name_ok(name, true);

	free(name);
	if (with_rule && (!eq || !eq[1]))
		return sb_err(EINVAL, "%s %s: expected NAME=RULE (RULE: [METHOD][@PATH])", opt, v);
	if (!ok)
		return sb_err(EINVAL, "%s %s: not a D-Bus name (two or more dot-separated "
			      "elements of letters, digits, '_' and '-'; ORG.EXAMPLE.* for a prefix)",
			      opt, v);
	b->rules = xrealloc(b->rules, (b->n_rules + 1) * sizeof *b->rules);
	b->rules[b->n_rules++] = xasprintf("--%s=%s", kind, v);
	if (!b->rule_opt)
		b->rule_opt = xstrdup(opt);
	if (!b->mode_opt)
		b->mode = DBUS_FILTER;
	return check_bus(b);
}

int dbus_option(struct sandbox_spec *spec, const char *opt, const char *v)
{
	static const char *const kinds[] = { "see", "talk", "own", "call", "broadcast" };
	bool sys = str_has_prefix(opt, "--dbus-system");
	struct dbus_bus *b = sys ? &spec->dbus.system : &spec->dbus.user;
	const char *kind = opt + strlen(sys ? "--dbus-system" : "--dbus");
	size_t i;

	if (strcmp(opt, "--app-id") == 0) {
		if (!dbus_name_ok(v, false))
			return sb_err(EINVAL, "--app-id %s: not a D-Bus name (two or more "
				      "dot-separated elements of letters, digits, '_' and '-', "
				      "as org.example.App)", v);
		spec->app_id = v;
		return 0;
	}
	if (strcmp(opt, "--dbus-user") == 0 || strcmp(opt, "--dbus-system") == 0)
		return bus_mode(b, opt, v);
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kind[0] == '-' && strcmp(kind + 1, kinds[i]) == 0)
			return bus_rule(b, opt, kinds[i], v);
	return sb_err(EINVAL, "%s: not a D-Bus option", opt);
}

/* ---- finding the buses ---- */

/* The socket path of a D-Bus ADDRESS's first "unix:path=" entry,
 * unescaped (%XX), or NULL */
char *dbus_address_path(const char *address)
{
	size_t n = strcspn(address, ";"), k = 5;
	char *out, *o;

	if (strncmp(address, "unix:", 5) != 0)
		return NULL;
	while (k < n && strncmp(address + k, "path=", 5) != 0) {
		k += strcspn(address + k, ",;");
		if (address[k] == ',')
			k++;
		else
			return NULL;
	}
	if (k >= n)
		return NULL;
	k += 5;
	out = o = xmalloc(n - k + 1);
	while (k < n && address[k] != ',') {
		unsigned v;
		if (address[k] == '%' && sscanf(address + k + 1, "%2x", &v) == 1 &&
		    strspn(address + k + 1, "0123456789abcdefABCDEF") >= 2) {
			*o++ = (char)v;
			k += 3;
		} else {
			*o++ = address[k++];
		}
	}
	*o = '\0';
	if (out[0] != '/') {
		free(out);
		return NULL;
	}
	return out;
}

/* "unix:path=PATH", with the bytes an address may not hold as %XX */
static char *unix_address(const char *path)
{
	char *out = xmalloc(strlen("unix:path=") + 3 * strlen(path) + 1), *o = out;

	o += sprintf(o, "unix:path=");
	for (; *path; path++)
		if (strchr("-_/.\\*", *path) || (*path >= '0' && *path <= '9') ||
		    (*path >= 'a' && *path <= 'z') || (*path >= 'A' && *path <= 'Z'))
			*o++ = *path;
		else
			o += sprintf(o, "%%%02x", (unsigned char)*path);
	*o = '\0';
	return out;
}

/* The host's address of bus B (session or system): its variable, else the
 * usual socket; an error naming OPT when there is none. */
static int bus_address(bool sys, const char *opt, char **address)
{
	const char *var = sys ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS";
	const char *env = getenv(var), *rt = getenv("XDG_RUNTIME_DIR");
	char *path;
	struct stat st;

	if (env && *env) {
		*address = xstrdup(env);
		path = dbus_address_path(env);
		if (path && (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))) {
			sb_err(ENOENT, "%s: no D-Bus %s bus: %s=%s, and %s is not a socket", opt,
			       sys ? "system" : "session", var, env, path);
			free(path);
			free(*address);
			return -ENOENT;
		}
		free(path);
		return 0;
	}
	if (sys)
		path = xstrdup(SYSTEM_BUS);
	else if (rt && rt[0] == '/')
		path = xasprintf("%s/bus", rt);
	else
		return sb_err(ENOENT, "%s: no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS and "
			      "XDG_RUNTIME_DIR are not set", opt);
	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		sb_err(ENOENT, "%s: no D-Bus %s bus: %s is not set and there is no socket at %s",
		       opt, sys ? "system" : "session", var, path);
		free(path);
		return -ENOENT;
	}
	*address = unix_address(path);
	free(path);
	return 0;
}

/* ---- the proxy ---- */

/* The proxy's directory DIR, with the sockets it may have left */
static void remove_proxy_dir(const char *dir)
{
	char *s = xasprintf("%s/session", dir), *y = xasprintf("%s/system", dir);

	unlink(s);
	unlink(y);
	free(s);
	free(y);
	rmdir(dir);
}

/* In the keeper: the proxy, then, once it has exited, its directory */
static __attribute__((noreturn)) void keeper_main(const char *bin, char **argv, int ready,
						   int errfd, const char *dir, pid_t keeper)
{
	sigset_t none;
	pid_t pid;
	int null;

	setsid(); /* the terminal's signals are the sandbox's, not ours */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (getppid() != keeper || null < 0 || dup2(null, 0) < 0 || dup2(errfd, 1) < 0 ||
		    dup2(errfd, 2) < 0 || dup2(ready, 3) < 0)
			_exit(127);
		syscall(SYS_close_range, 4U, ~0U, 0U);
		execv(bin, argv);
		_exit(127);
	}
	syscall(SYS_close_range, 0U, ~0U, 0U);
	if (pid > 0)
		(void)wait_child(pid, NULL);
	remove_proxy_dir(dir);
	_exit(0);
}

/* Wait for the proxy's byte on RD: 0, or -1 when it exited (EOF) or took
 * longer than PROXY_READY_MS */
static int proxy_ready(int rd)
{
	struct pollfd p = { .fd = rd, .events = POLLIN };
	char c;

	if (poll(&p, 1, PROXY_READY_MS) <= 0)
		return -1;
	return read(rd, &c, 1) == 1 ? 0 : -1;
}

/* Can the proxy's sockets be made in BASE: a writable directory short
 * enough for their paths to fit a socket address? */
static bool dir_fits(const char *base)
{
	return base && base[0] == '/' && access(base, W_OK) == 0 &&
	       strlen(base) + sizeof "/sandbox-dbus-XXXXXX/session" <=
	       sizeof ((struct sockaddr_un *)0)->sun_path;
}

/* The directory for the proxy's sockets: private, on the host */
static char *proxy_dir(void)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	char *dir;

	if (!dir_fits(base))
		base = getenv("TMPDIR");
	if (!dir_fits(base))
		base = "/tmp";
	dir = xasprintf("%s/sandbox-dbus-XXXXXX", base);
	if (!mkdtemp(dir)) { /* mode 0700 */
		int e = errno;
		sb_err(e, "--dbus: cannot create a directory for xdg-dbus-proxy in %s: %s", base,
		       strerror(e));
		free(dir);
		return NULL;
	}
	return dir;
}

/* Start xdg-dbus-proxy with ARGS (after --fd=3) through a keeper, its
 * sockets in *DIR; 0 once it listens, or -errno with nothing left. */
static int proxy_start(const char *opt, char **args, size_t n_args, char *dir,
		       struct dbus_proxy *px)
{
	char *bin = find_in_path("xdg-dbus-proxy"), **argv, words[512];
	int pfd[2], errfd, e;
	pid_t keeper;
	size_t i;

	if (!bin) {
		rmdir(dir);
		return sb_err(ENOENT, "%s: xdg-dbus-proxy is not installed (Debian: apt-get "
			      "install xdg-dbus-proxy), and it is the filter", opt);
	}
	argv = xcalloc(n_args + 3, sizeof *argv);
	argv[0] = bin;
	argv[1] = "--fd=3";
	for (i = 0; i < n_args; i++)
		argv[i + 2] = args[i];
	errfd = memfd_create("xdg-dbus-proxy-err", MFD_CLOEXEC);
	if (errfd < 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		e = errno;
		if (errfd >= 0)
			close(errfd);
		free(argv);
		free(bin);
		rmdir(dir);
		return sb_err(e, "%s: cannot start xdg-dbus-proxy: %s", opt, strerror(e));
	}
	fflush(NULL);
	keeper = fork();
	if (keeper == 0)
		keeper_main(bin, argv, pfd[1], errfd, dir, getpid());
	e = errno;
	free(argv);
	free(bin);
	close(pfd[1]);
	if (keeper < 0 || proxy_ready(pfd[0]) < 0) {
		helper_words(errfd, words, sizeof words);
		close(errfd);
		close(pfd[0]);
		if (keeper < 0) {
			rmdir(dir);
			return sb_err(e, "%s: cannot fork: %s", opt, strerror(e));
		}
		/* the proxy exited, or never answered: it and its keeper (a
		 * session of their own) go, and the directory with them */
		kill(-keeper, SIGKILL);
		(void)wait_child(keeper, NULL);
		remove_proxy_dir(dir);
		return sb_err(EIO, "%s: xdg-dbus-proxy did not start%s%s", opt,
			      words[0] ? ": " : "", words);
	}
	close(errfd);
	px->keeper = keeper;
	px->hold = pfd[0];
	sb_step("%s: xdg-dbus-proxy ready (its keeper: pid %d)", opt, (int)keeper);
	return 0;
}

/* Setup process, at the end or on a failure: closing the pipe stops the
 * proxy; its keeper removes the directory and exits. */
void dbus_stop(struct dbus_proxy *px)
{
	if (px->hold >= 0)
		close(px->hold);
	px->hold = -1;
	if (px->keeper > 0)
		(void)wait_child(px->keeper, NULL);
	px->keeper = -1;
}

/* ---- the plan ---- */

struct bus_plan {
	bool sys;
	const struct dbus_bus *b;
	const char *opt;             /* --dbus-user, --dbus-system */
	const char *dest;            /* inside */
	char *address;               /* the host's */
};

static void bind_bus(struct sandbox_spec *spec, const struct bus_plan *bp, const char *src,
		     int fd)
{
	struct mount_op *op = spec_add_op(spec, MOP_BIND, bp->opt, NULL, bp->dest);

	op->src = src;
	op->by_fd = true;
	op->fd = fd;
}

/* --dbus-*=host: the bus's own socket, and a warning */
static int plan_host(struct sandbox_spec *spec, const struct bus_plan *bp)
{
	char *path = dbus_address_path(bp->address);
	int fd, r;

	if (!path)
		return sb_err(EINVAL, "%s=host: the bus's address %s is not a unix:path= socket "
			      "that can be bound; use %s=filter", bp->opt, bp->address, bp->opt);
	if ((r = hold_socket(bp->opt, "D-Bus socket", path, &fd)) < 0) {
		free(path);
		return r;
	}
	bind_bus(spec, bp, path, fd);
	if (bp->sys)
		sb_warn("--dbus-system=host: the sandbox talks to the system bus unfiltered");
	else
		sb_warn("--dbus-user=host: the sandbox gets the session bus unfiltered, and that "
			"is an escape: a client can ask the host's services (systemd --user, the "
			"desktop) to start commands outside the sandbox; --dbus-user=filter with "
			"rules is not");
	return 0;
}

/* The proxy's arguments for the filtered bus BP, appended to ARGS */
static void proxy_args(const struct sandbox_spec *spec, const struct bus_plan *bp,
		       const char *sock, char ***args, size_t *n)
{
	size_t i, want = *n + 3 + bp->b->n_rules + 2;

	*args = xrealloc(*args, want * sizeof **args);
	(*args)[(*n)++] = bp->address;
	(*args)[(*n)++] = (char *)sock;
	(*args)[(*n)++] = "--filter";
	for (i = 0; i < bp->b->n_rules; i++)
		(*args)[(*n)++] = (char *)bp->b->rules[i];
	if (!bp->sys && spec->app_id) {
		(*args)[(*n)++] = xasprintf("--own=%s.*", spec->app_id);
		(*args)[(*n)++] = xasprintf("--own=org.mpris.MediaPlayer2.%s.*", spec->app_id);
	}
}

/* The filtered buses through one proxy; their binds */
static int plan_filtered(struct sandbox_spec *spec, struct bus_plan *bp, size_t n,
			 struct dbus_proxy *px)
{
	char **args = NULL, *dir, *sock[2] = { NULL, NULL };
	size_t n_args = 0, i;
	int r = 0, fd;

	if (!(dir = proxy_dir()))
		return -sb_errnum();
	for (i = 0; i < n; i++) {
		sock[i] = xasprintf("%s/%s", dir, bp[i].sys ? "system" : "session");
		proxy_args(spec, &bp[i], sock[i], &args, &n_args);
	}
	r = proxy_start(bp[0].opt, args, n_args, dir, px);
	free(args);
	for (i = 0; i < n && r >= 0; i++) {
		if ((r = hold_socket(bp[i].opt, "xdg-dbus-proxy socket", sock[i], &fd)) < 0)
			dbus_stop(px);
		else
			bind_bus(spec, &bp[i], sock[i], fd);
	}
	free(dir);
	return r;
}

int dbus_preflight(struct sandbox_spec *spec, const char *run, uid_t uid,
		   struct dbus_proxy *px, struct env_op env[2])
{
	struct bus_plan bp[2], filt[2];
	char *dest = xasprintf("%s/bus", run);
	size_t n = 0, nf = 0, i, first = spec->n_ops;
	int r = 0;

	if (spec->dbus.user.mode != DBUS_NONE)
		bp[n++] = (struct bus_plan){ false, &spec->dbus.user, "--dbus-user", dest, NULL };
	if (spec->dbus.system.mode != DBUS_NONE)
		bp[n++] = (struct bus_plan){ true, &spec->dbus.system, "--dbus-system",
					     SYSTEM_BUS, NULL };
	env[0] = (struct env_op){ ENV_UNSET, "DBUS_SESSION_BUS_ADDRESS", NULL };
	env[1] = (struct env_op){ ENV_UNSET, "DBUS_SYSTEM_BUS_ADDRESS", NULL };
	for (i = 0; i < n && r >= 0; i++) {
		if ((r = bus_address(bp[i].sys, bp[i].opt, &bp[i].address)) < 0)
			break;
		if (bp[i].b->mode == DBUS_HOST)
			r = plan_host(spec, &bp[i]);
		else
			filt[nf++] = bp[i];
		env[bp[i].sys] = (struct env_op){ ENV_SET, env[bp[i].sys].name,
						  xasprintf("unix:path=%s", bp[i].dest) };
	}
	if (r >= 0 && nf)
		r = plan_filtered(spec, filt, nf, px);
	if (r >= 0 && n && uid != getuid())
		sb_warn("%s: the bus knows the command as your uid %u, and a client that says "
			"it is uid %u (libdbus, GDBus and sd-bus do) is refused", bp[0].opt,
			(unsigned)getuid(), (unsigned)uid);
	if (n == 0 || bp[0].sys)
		free(dest);
	if (r < 0) {
		for (i = first; i < spec->n_ops; i++)
			if (spec->ops[i].by_fd && spec->ops[i].fd >= 0)
				close(spec->ops[i].fd);
		spec->n_ops = first;
		return r;
	}
	return n > 0;
}
