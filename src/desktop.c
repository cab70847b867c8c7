/* desktop.c - the desktop pass-through: --x11, --wayland, --fallback-x11,
 * --pulseaudio, --pipewire, and the device trees (--gpu, --dev-input,
 * --dev-video, --dev-snd).
 *
 * Owns their parsing, the search for each server's socket on the host, the
 * filtered Xauthority, and turning all of it into the plan: a private
 * runtime directory /run/user/UID (a tmpfs of the payload's, mode 0700),
 * each socket bound into it from an fd held since the search (never a
 * name looked up again), generated files, and the environment that points
 * there.  It runs in the setup process, after the ids are known and before
 * anything is created, so a missing server is an error with nothing left
 * behind.  It does not mount anything itself (mounts.c does, in plan
 * order) and starts no server but --x11=nested's; the D-Bus buses and
 * their proxy are dbus.c's, which desktop_preflight calls last.
 *
 * Without these options the payload gets no display, audio or bus: the
 * variables that would name the host's are unset.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "sandbox.h"

#define XAUTH_MAX (1u << 20)
#define FAMILY_LOCAL 256
#define FAMILY_WILD 65535
#define COOKIE_NAME "MIT-MAGIC-COOKIE-1"

/* ---- options ---- */

int desktop_option(struct sandbox_spec *spec, const char *opt, const char *v)
{
	struct desktop_opts *d = &spec->desktop;

	if (strcmp(opt, "--x11") == 0) {
		if (!v || strcmp(v, "host") == 0)
			d->x11 = X11_HOST;
		else if (strcmp(v, "nested") == 0)
			d->x11 = X11_NESTED;
		else if (strcmp(v, "none") == 0)
			d->x11 = X11_NONE;
		else
			return sb_err(EINVAL, "--x11=%s: expected host, nested or none", v);
	} else if (strcmp(opt, "--wayland") == 0) {
		d->wayland = true;
	} else if (strcmp(opt, "--fallback-x11") == 0) {
		d->fallback_x11 = true;
	} else if (strcmp(opt, "--pulseaudio") == 0) {
		d->pulseaudio = true;
	} else if (strcmp(opt, "--pipewire") == 0) {
		d->pipewire = true;
	} else if (strcmp(opt, "--gpu") == 0) {
		d->gpu = true;
	} else if (strcmp(opt, "--dev-input") == 0) {
		d->dev_input = true;
	} else if (strcmp(opt, "--dev-video") == 0) {
		d->dev_video = true;
	} else if (strcmp(opt, "--dev-snd") == 0) {
		d->dev_snd = true;
	} else {
		return sb_err(EINVAL, "%s: not a desktop option", opt);
	}
	return 0;
}

/* ---- Xauthority ---- */

/* One record of an Xauthority file: family, then four counted strings
 * (address, display number, auth name, auth data), big-endian lengths. */
struct xauth_rec {
	unsigned family;
	const unsigned char *f[4];
	size_t len[4];
	size_t size;            /* of the whole record */
};

static int xauth_next(const unsigned char *p, size_t n, struct xauth_rec *r)
{
	size_t off = 2;
	int i;

	if (n < 2)
		return -EINVAL;
	r->family = (unsigned)p[0] << 8 | p[1];
	for (i = 0; i < 4; i++) {
		if (n - off < 2)
			return -EINVAL;
		r->len[i] = (size_t)p[off] << 8 | p[off + 1];
		off += 2;
		if (n - off < r->len[i])
			return -EINVAL;
		r->f[i] = p + off;
		off += r->len[i];
	}
	r->size = off;
	return 0;
}

static bool field_is(const struct xauth_rec *r, int i, const char *s)
{
	return r->len[i] == strlen(s) && memcmp(r->f[i], s, r->len[i]) == 0;
}

/* From the Xauthority DATA, the one entry for DISPLAY on this host (family
 * local with HOSTNAME, or wild; MIT-MAGIC-COOKIE-1 preferred), rewritten
 * to the wild family: the sandbox has a hostname of its own, and a local
 * entry names the host's.  *OUT (to free) is empty when there is none;
 * -EINVAL when DATA is not an Xauthority file. */
int xauth_filter(const void *data, size_t n, const char *display, const char *hostname,
		 unsigned char **out, size_t *out_len)
{
	const unsigned char *p = data, *best = NULL;
	struct xauth_rec r, keep;
	size_t off = 0, i, o;
	unsigned char *buf;

	*out = NULL;
	*out_len = 0;
	while (off < n) {
		if (xauth_next(p + off, n - off, &r) < 0)
			return -EINVAL;
		if ((r.family == FAMILY_WILD ||
		     (r.family == FAMILY_LOCAL && field_is(&r, 0, hostname))) &&
		    field_is(&r, 1, display) && (!best || (!field_is(&keep, 2, COOKIE_NAME) &&
							   field_is(&r, 2, COOKIE_NAME)))) {
			best = p + off;
			keep = r;
		}
		off += r.size;
	}
	if (!best)
		return 0;
	buf = xmalloc(keep.size);
	buf[0] = FAMILY_WILD >> 8;
	buf[1] = FAMILY_WILD & 0xff;
	o = 2;
	for (i = 0; i < 4; i++) {
		buf[o++] = (unsigned char)(keep.len[i] >> 8);
		buf[o++] = (unsigned char)(keep.len[i] & 0xff);
		memcpy(buf + o, keep.f[i], keep.len[i]);
		o += keep.len[i];
	}
	*out = buf;
	*out_len = o;
	return 0;
}

/* ":N", ":N.S", "unix:N[.S]": the display number N; -EPROTONOSUPPORT for
 * a display reached over TCP ("host:N"), -EINVAL for anything else. */
int x11_display_number(const char *display, unsigned *num)
{
	const char *p = strrchr(display, ':');
	char *end;
	unsigned long v;

	if (!p || p[1] < '0' || p[1] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(p + 1, &end, 10);
	if (errno || v > 65535 || (*end && (*end != '.' || end[1] < '0' || end[1] > '9')))
		return -EINVAL;
	if (*end == '.') {
		strtoul(end + 1, &end, 10);
		if (*end)
			return -EINVAL;
	}
	if (p != display && !(p - display == 4 && strncmp(display, "unix", 4) == 0))
		return -EPROTONOSUPPORT;
	*num = (unsigned)v;
	return 0;
}

/* ---- the plan ---- */

struct dplan {
	struct sandbox_spec *spec;
	pid_t *xephyr;          /* --x11=nested's server, in the setup process */
	char *run;              /* /run/user/UID inside */
	bool any;               /* something needs the runtime dir */
	struct env_op env[20];
	size_t n_env;
};

static void set_env(struct dplan *dp, const char *name, const char *value)
{
	if (dp->n_env < sizeof dp->env / sizeof dp->env[0])
		dp->env[dp->n_env++] = (struct env_op){ value ? ENV_SET : ENV_UNSET, name, value };
}

/* A socket at PATH on the host, held as an O_PATH fd: the only name
 * looked up; the bind later attaches that very inode. */
int hold_socket(const char *opt, const char *what, const char *path, int *fd)
{
	struct stat st;

	*fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return sb_err(errno, "%s: no %s at %s: %s", opt, what, path, strerror(errno));
	if (fstat(*fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return sb_err(ENOTSOCK, "%s: %s is not a socket (%s expected)", opt, path, what);
	}
	return 0;
}

/* bind the held socket FD at DEST (inside the runtime dir) */
static void bind_socket(struct dplan *dp, const char *opt, const char *host, int fd,
			const char *name)
{
	struct mount_op *op = spec_add_op(dp->spec, MOP_BIND, opt, NULL, xasprintf("%s/%s", dp->run, name));

	op->src = host;
	op->by_fd = true;
	op->fd = fd;
	dp->any = true;
}

static void add_file(struct dplan *dp, const char *opt, const char *name, void *data,
		     size_t len)
{
	struct mount_op *op = spec_add_op(dp->spec, MOP_BIND_DATA, opt, NULL,
				     xasprintf("%s/%s", dp->run, name));

	op->ro = true;
	op->perms_set = true;
	op->perms = 0644; /* in a 0700 directory of the payload's */
	op->data = data;
	op->data_len = len;
	dp->any = true;
}

static const char *runtime_dir(void)
{
	const char *r = getenv("XDG_RUNTIME_DIR");

	return r && r[0] == '/' ? r : NULL;
}

static int x11_cookie(struct dplan *dp, const char *display)
{
	const char *path = getenv("XAUTHORITY"), *home = getenv("HOME");
	char *file = NULL, *data = NULL, *num;
	unsigned char *out;
	size_t len, out_len;
	struct utsname u;
	int r;

	if (!path || !*path) {
		if (!home)
			return 0;
		file = xasprintf("%s/.Xauthority", home);
		path = file;
	}
	r = read_file_all(path, &data, &len, XAUTH_MAX);
	free(file);
	if (r == -ENOENT)
		return 0; /* no cookies: the server decides (by uid, say) */
	if (r < 0)
		return sb_err(-r, "--x11: cannot read the Xauthority file %s: %s", path, strerror(-r));
	uname(&u);
	num = xasprintf("%.*s", (int)strcspn(strrchr(display, ':') + 1, "."),
			strrchr(display, ':') + 1);
	r = xauth_filter(data, len, num, u.nodename, &out, &out_len);
	free(num);
	free(data);
	if (r < 0)
		return sb_err(EINVAL, "--x11: %s is not an Xauthority file", path);
	if (!out)
		return 0;
	add_file(dp, "--x11", "Xauthority", out, out_len);
	set_env(dp, "XAUTHORITY", xasprintf("%s/Xauthority", dp->run));
	return 0;
}

/* One Xauthority record, family wild, in a new buffer (*LEN bytes) */
static unsigned char *xauth_record(const char *num, const unsigned char *cookie, size_t clen,
				   size_t *len)
{
	const char *f[3] = { "", num, COOKIE_NAME };
	unsigned char *b = xmalloc(2 + 4 * 2 + strlen(num) + strlen(COOKIE_NAME) + clen), *p = b;
	size_t i, n;

	*p++ = FAMILY_WILD >> 8;
	*p++ = FAMILY_WILD & 0xff;
	for (i = 0; i < 4; i++) {
		n = i < 3 ? strlen(f[i]) : clen;
		*p++ = (unsigned char)(n >> 8);
		*p++ = (unsigned char)(n & 0xff);
		memcpy(p, i < 3 ? (const void *)f[i] : cookie, n);
		p += n;
	}
	*len = (size_t)(p - b);
	return b;
}

/* In the forked child: Xephyr, with the cookie file on fd 3 and the
 * display number written to fd 4 once it accepts clients; it dies with
 * the setup process. */
static __attribute__((noreturn)) void xephyr_exec(const char *bin, int authfd, int numfd,
						  int errfd, pid_t parent)
{
	char *argv[] = { (char *)bin, "-displayfd", "4", "-auth", "/proc/self/fd/3",
			 "-nolisten", "tcp", "-nolisten", "local", "-noreset", "-resizeable",
			 "-title", "sandbox",
			 "-screen", "1024x768", NULL };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	if (null < 0 || dup2(null, 0) < 0 || dup2(errfd, 1) < 0 || dup2(errfd, 2) < 0 ||
	    dup2(authfd, 3) < 0 || dup2(numfd, 4) < 0)
		_exit(127);
	execv(bin, argv);
	_exit(127);
}

/* The display number the nested server wrote on RD, once it is ready
 * (its pid's exit or 30 s: -1). */
static int read_display(int rd, pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	char buf[16];
	size_t n = 0;

	while (n < sizeof buf - 1) {
		struct pollfd p[2] = { { .fd = rd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		ssize_t k;
		if (poll(p, pidfd >= 0 ? 2 : 1, 30000) <= 0 || (p[0].revents == 0 && p[1].revents))
			break;
		k = read(rd, buf + n, sizeof buf - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		if (buf[n - 1] == '\n')
			break;
	}
	if (pidfd >= 0)
		close(pidfd);
	buf[n] = '\0';
	return n && buf[0] >= '0' && buf[0] <= '9' ? atoi(buf) : -1;
}

/* --x11=nested: Xephyr, a client of the host's display, with a display
 * and a cookie of its own; the sandbox gets only that display. */
static int plan_x11_nested(struct dplan *dp)
{
	unsigned char cookie[16], *rec;
	char *bin, num[16], words[512];
	int authfd, errfd, pfd[2], n;
	size_t len;
	pid_t pid;

	if (!getenv("DISPLAY") || !*getenv("DISPLAY"))
		return sb_err(EINVAL, "--x11=nested: DISPLAY is not set (Xephyr needs the host's "
			      "display to show its window on)");
	if (!(bin = find_in_path("Xephyr")))
		return sb_err(ENOENT, "--x11=nested: Xephyr is not installed (Debian: "
			      "apt-get install xserver-xephyr)");
	if (getrandom(cookie, sizeof cookie, 0) != (ssize_t)sizeof cookie) {
		free(bin);
		return sb_err(EIO, "--x11=nested: no random bytes for the cookie");
	}
	rec = xauth_record("", cookie, sizeof cookie, &len);
	authfd = memfd_create("xephyr-auth", MFD_CLOEXEC);
	errfd = memfd_create("xephyr-err", MFD_CLOEXEC);
	if (authfd < 0 || errfd < 0 || write_all(authfd, rec, len) < 0 ||
	    pipe2(pfd, O_CLOEXEC) < 0) {
		n = errno;
		free(bin);
		free(rec);
		return sb_err(n, "--x11=nested: %s", strerror(n));
	}
	free(rec);
	pid = fork();
	if (pid == 0)
		xephyr_exec(bin, authfd, pfd[1], errfd, getppid());
	free(bin);
	close(pfd[1]);
	close(authfd);
	n = pid < 0 ? -1 : read_display(pfd[0], pid);
	close(pfd[0]);
	if (n < 0) {
		helper_words(errfd, words, sizeof words);
		close(errfd);
		if (pid > 0) {
			kill(pid, SIGKILL);
			(void)wait_child(pid, NULL);
		}
		return sb_err(EIO, "--x11=nested: Xephyr did not start%s%s", words[0] ? ": " : "",
			      words);
	}
	close(errfd);
	*dp->xephyr = pid;
	sb_step("--x11=nested: Xephyr (pid %d) on display :%d", (int)pid, n);
	snprintf(num, sizeof num, "%d", n);
	rec = xauth_record(num, cookie, sizeof cookie, &len);
	add_file(dp, "--x11", "Xauthority", rec, len);
	set_env(dp, "XAUTHORITY", xasprintf("%s/Xauthority", dp->run));
	return n;
}

/* Setup process, at the end or on a failure: the nested server goes */
void desktop_stop(pid_t *xephyr)
{
	if (*xephyr <= 0)
		return;
	kill(*xephyr, SIGTERM);
	(void)wait_child(*xephyr, NULL);
	*xephyr = -1;
}

static int plan_x11(struct dplan *dp)
{
	const char *display = getenv("DISPLAY");
	bool nested = dp->spec->desktop.x11 == X11_NESTED;
	char *sock;
	unsigned n;
	int fd, r;

	if (nested) {
		if ((r = plan_x11_nested(dp)) < 0)
			return r;
		display = xasprintf(":%d", r);
	}
	if (!display || !*display)
		return sb_err(EINVAL, "--x11: DISPLAY is not set");
	r = x11_display_number(display, &n);
	if (r == -EPROTONOSUPPORT && dp->spec->net_mode == NET_HOST) {
		set_env(dp, "DISPLAY", display); /* over the host's network, as is */
		return x11_cookie(dp, display);
	}
	if (r == -EPROTONOSUPPORT)
		return sb_err(EINVAL, "--x11: DISPLAY=%s is reached over TCP, which a sandbox "
			      "without the host's network cannot; use a local display, or --net host",
			      display);
	if (r < 0)
		return sb_err(EINVAL, "--x11: DISPLAY=%s: not a display name", display);
	sock = xasprintf("/tmp/.X11-unix/X%u", n);
	if ((r = hold_socket("--x11", "X11 server socket", sock, &fd)) < 0) {
		free(sock);
		return r;
	}
	{
		struct mount_op *op = spec_add_op(dp->spec, MOP_BIND, "--x11", NULL, sock);
		op->src = sock;
		op->by_fd = true;
		op->fd = fd;
	}
	set_env(dp, "DISPLAY", xasprintf(":%u", n));
	dp->any = true;
	return nested ? 0 : x11_cookie(dp, display);
}

/* --wayland: 1 when there is a socket, 0 when there is none (for
 * --fallback-x11), -errno otherwise */
static int plan_wayland(struct dplan *dp, bool missing_ok)
{
	const char *name = getenv("WAYLAND_DISPLAY"), *rt = runtime_dir();
	char *path;
	int fd, r;

	if (!name || !*name)
		name = "wayland-0";
	if (name[0] == '/')
		path = xstrdup(name);
	else if (rt)
		path = xasprintf("%s/%s", rt, name);
	else
		return missing_ok ? 0 : sb_err(EINVAL, "--wayland: XDG_RUNTIME_DIR is not set, "
					       "and WAYLAND_DISPLAY=%s is not a path", name);
	if (missing_ok && access(path, F_OK) < 0) {
		free(path);
		return 0;
	}
	if ((r = hold_socket("--wayland", "Wayland compositor socket", path, &fd)) < 0) {
		free(path);
		return r;
	}
	bind_socket(dp, "--wayland", path, fd, "wayland-0");
	set_env(dp, "WAYLAND_DISPLAY", "wayland-0");
	set_env(dp, "WAYLAND_SOCKET", NULL);
	return 1;
}

/* The "default-server = unix:PATH" of a PulseAudio client.conf, if any */
static char *client_conf_server(void)
{
	const char *home = getenv("HOME"), *cfg = getenv("XDG_CONFIG_HOME");
	char *file, *data = NULL, *line, *server = NULL;
	size_t len;

	if (cfg && *cfg == '/')
		file = xasprintf("%s/pulse/client.conf", cfg);
	else if (home)
		file = xasprintf("%s/.config/pulse/client.conf", home);
	else
		return NULL;
	if (read_file_all(file, &data, &len, 1u << 16) < 0) {
		free(file);
		return NULL;
	}
	free(file);
	for (line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		char *p = line + strspn(line, " \t");
		if (strncmp(p, "default-server", 14) != 0)
			continue;
		p += 14 + strspn(p + 14, " \t");
		if (*p++ != '=')
			continue;
		p += strspn(p, " \t");
		p[strcspn(p, " \t\r")] = '\0';
		free(server);
		server = xstrdup(p);
	}
	free(data);
	return server;
}

/* PulseAudio, found as Flatpak finds it: PULSE_SERVER, client.conf, then
 * the runtime dir's pulse/native.  The cookie is never passed: the server
 * knows the payload by its uid (SCM_CREDENTIALS). */
static int plan_pulse(struct dplan *dp)
{
	const char *env = getenv("PULSE_SERVER"), *rt = runtime_dir();
	char *server = env && *env ? xstrdup(env) : client_conf_server(), *path = NULL;
	static const char conf[] = "enable-shm=no\nautospawn=no\n";
	int fd, r;

	if (server) {
		/* a list of servers: the first unix one */
		char *s;
		for (s = strtok(server, " "); s && !path; s = strtok(NULL, " "))
			if (strncmp(s, "unix:", 5) == 0 && s[5] == '/')
				path = xstrdup(s + 5);
			else if (s[0] == '/')
				path = xstrdup(s);
		free(server);
		if (!path)
			return sb_err(EINVAL, "--pulseaudio: the PulseAudio server is not a local "
				      "socket (PULSE_SERVER or client.conf's default-server)");
	} else if (rt) {
		path = xasprintf("%s/pulse/native", rt);
	} else {
		return sb_err(EINVAL, "--pulseaudio: no PULSE_SERVER, no client.conf server, and "
			      "XDG_RUNTIME_DIR is not set");
	}
	if ((r = hold_socket("--pulseaudio", "PulseAudio server socket", path, &fd)) < 0) {
		free(path);
		return r;
	}
	bind_socket(dp, "--pulseaudio", path, fd, "pulse/native");
	add_file(dp, "--pulseaudio", "pulse/config", xstrdup(conf), sizeof conf - 1);
	set_env(dp, "PULSE_SERVER", xasprintf("unix:%s/pulse/native", dp->run));
	set_env(dp, "PULSE_CLIENTCONFIG", xasprintf("%s/pulse/config", dp->run));
	set_env(dp, "PULSE_COOKIE", NULL);
	return 0;
}

static int plan_pipewire(struct dplan *dp)
{
	const char *rt = runtime_dir(), *remote = getenv("PIPEWIRE_REMOTE");
	char *path;
	int fd, r;

	if (remote && remote[0] == '/')
		path = xstrdup(remote);
	else if (rt)
		path = xasprintf("%s/%s", rt, remote && *remote ? remote : "pipewire-0");
	else
		return sb_err(EINVAL, "--pipewire: XDG_RUNTIME_DIR is not set");
	if ((r = hold_socket("--pipewire", "PipeWire socket", path, &fd)) < 0) {
		free(path);
		return r;
	}
	bind_socket(dp, "--pipewire", path, fd, "pipewire-0");
	set_env(dp, "PIPEWIRE_REMOTE", NULL);
	return 0;
}

/* device binds of /dev/PREFIX* that exist (try-binds of what was seen) */
static void bind_devices(struct sandbox_spec *spec, const char *opt,
			 const char *const *prefixes)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	size_t i;

	if (!d)
		return;
	while ((e = readdir(d))) {
		for (i = 0; prefixes[i]; i++) {
			size_t n = strlen(prefixes[i]);
			bool exact = prefixes[i][n - 1] == '$';
			if (exact ? strlen(e->d_name) == n - 1 && strncmp(e->d_name, prefixes[i], n - 1) == 0
				  : strncmp(e->d_name, prefixes[i], n) == 0) {
				char *path = xasprintf("/dev/%s", e->d_name);
				struct mount_op *op = spec_add_op(spec, MOP_DEV_BIND, opt, NULL, path);
				op->src = path;
				op->try_ = true;
				break;
			}
		}
	}
	closedir(d);
}

static void plan_devices(struct sandbox_spec *spec)
{
	static const char *const gpu[] = { "dri$", "nvidia", "kfd$", NULL };
	static const char *const input[] = { "input$", "uinput$", NULL };
	static const char *const video[] = { "video", "media", "v4l$", NULL };
	static const char *const snd[] = { "snd$", NULL };

	if (spec->desktop.gpu)
		bind_devices(spec, "--gpu", gpu);
	if (spec->desktop.dev_input)
		bind_devices(spec, "--dev-input", input);
	if (spec->desktop.dev_video)
		bind_devices(spec, "--dev-video", video);
	if (spec->desktop.dev_snd)
		bind_devices(spec, "--dev-snd", snd);
}

/* The variables that name the host's display, audio and bus servers, for
 * each server the payload is not given. */
static void unset_unshared(struct dplan *dp, bool x11, bool wayland)
{
	const struct desktop_opts *d = &dp->spec->desktop;

	if (!x11) {
		set_env(dp, "DISPLAY", NULL);
		set_env(dp, "XAUTHORITY", NULL);
	}
	if (!wayland) {
		set_env(dp, "WAYLAND_DISPLAY", NULL);
		set_env(dp, "WAYLAND_SOCKET", NULL);
	}
	if (!d->pulseaudio)
		set_env(dp, "PULSE_SERVER", NULL);
	if (!d->pipewire)
		set_env(dp, "PIPEWIRE_REMOTE", NULL);
}

/* Setup process, after the ids are planned (UID, GID inside) and before
 * anything is created: the desktop options as mount and environment
 * operations.  The environment comes before the user's --setenv/--unsetenv,
 * which win; the mounts after the user's operations. */
int desktop_preflight(struct sandbox_spec *spec, uid_t uid, pid_t *xephyr,
		      struct dbus_proxy *dbus)
{
	struct desktop_opts *d = &spec->desktop;
	struct dplan dp = { .spec = spec, .xephyr = xephyr };
	bool x11 = d->x11 != X11_NONE, wayland = false;
	size_t first = spec->n_ops;
	struct env_op bus_env[2];
	int r = 0;

	if (spec->personality == PERSONALITY_BWRAP)
		return 0;
	dp.run = xasprintf("/run/user/%u", (unsigned)uid);
	/* the runtime dir first, removed again when nothing needs it */
	{
		struct mount_op *op = spec_add_op(spec, MOP_TMPFS, "--x11", NULL, dp.run);
		op->perms_set = true;
		op->perms = 0700;
		op->payload_owned = true;
	}
	if (d->wayland) {
		r = plan_wayland(&dp, d->fallback_x11);
		wayland = r > 0;
		if (r == 0 && d->fallback_x11)
			x11 = true;
	} else if (d->fallback_x11) {
		x11 = true;
	}
	if (r >= 0 && x11)
		r = plan_x11(&dp);
	if (r >= 0 && d->pulseaudio)
		r = plan_pulse(&dp);
	if (r >= 0 && d->pipewire)
		r = plan_pipewire(&dp);
	if (r >= 0 && (r = dbus_preflight(spec, dp.run, uid, dbus, bus_env)) > 0)
		dp.any = true; /* the last step: it stops its proxy when it fails */
	if (r < 0) {
		size_t i;
		for (i = first; i < spec->n_ops; i++)
			if (spec->ops[i].by_fd && spec->ops[i].fd >= 0)
				close(spec->ops[i].fd);
		spec->n_ops = first;
		free(dp.run);
		desktop_stop(xephyr);
		return r;
	}
	plan_devices(spec);
	unset_unshared(&dp, x11, wayland);
	set_env(&dp, bus_env[0].name, bus_env[0].value);
	set_env(&dp, bus_env[1].name, bus_env[1].value);
	if (dp.any) {
		spec->ops[first].opt = x11 ? "--x11" : wayland ? "--wayland" :
				       d->pulseaudio ? "--pulseaudio" : d->pipewire ? "--pipewire" :
				       spec->dbus.user.mode ? "--dbus-user" : "--dbus-system";
		set_env(&dp, "XDG_RUNTIME_DIR", dp.run);
	} else {
		memmove(spec->ops + first, spec->ops + first + 1,
			(spec->n_ops - first - 1) * sizeof *spec->ops);
		spec->n_ops--;
		free(dp.run);
	}
	/* ours first: the user's own settings come after and win */
	spec->env_ops = xrealloc(spec->env_ops, (spec->n_env_ops + dp.n_env) * sizeof dp.env[0]);
	memmove(spec->env_ops + dp.n_env, spec->env_ops, spec->n_env_ops * sizeof dp.env[0]);
	memcpy(spec->env_ops, dp.env, dp.n_env * sizeof dp.env[0]);
	spec->n_env_ops += dp.n_env;
	return 0;
}
