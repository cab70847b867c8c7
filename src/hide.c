/* hide.c - --hide, the built-in hide list of the host view, and --home.
 *
 * A hidden path gets an empty node of mode 000 mounted over it, read-only:
 * an empty directory over a directory, an empty file over anything else
 * (systemd's InaccessiblePaths).  The two nodes are made once in the
 * staging tmpfs and every hide is a bind of one of them, so a hide costs
 * a few system calls and no new filesystem.  A missing path is skipped.
 *
 * The built-in list (credentials, agents' sockets: $SSH_AUTH_SOCK and
 * every socket directly in the home directory, browser profiles, the
 * other users' homes, and the running sandboxes' state directory) is built by the setup process, in the host's
 * view, and applied after the command line's operations, so that a
 * writable bind of a parent (--rw ~) cannot bring the keys back.  An
 * operation whose destination is exactly a listed path wins: the user
 * asked for that path by name.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "sandbox.h"

/* Under the caller's home directory. */
static const char *const home_hides[] = {
	".ssh", ".gnupg", ".aws", ".azure", ".config/gcloud", ".kube", ".docker",
	".netrc", ".git-credentials", ".password-store", ".local/share/keyrings",
	".pki", ".mozilla", ".config/google-chrome", ".config/chromium",
	".config/BraveSoftware", ".thunderbird", ".config/sandbox",
	".config/gh", ".config/hub", ".npmrc", ".pypirc", ".cargo/credentials",
	".cargo/credentials.toml", ".vault-token", ".terraform.d/credentials.tfrc.json",
	".config/keybase", ".local/share/keybase",
	/* the display's and the sound server's cookies: --x11 passes a
	 * filtered copy, --pulseaudio none (the server knows the uid) */
	".Xauthority", ".ICEauthority", ".config/pulse/cookie", ".pulse-cookie",
};

#define HIDE_NODE_DIR "/.hidden-dir"
#define HIDE_NODE_FILE "/.hidden-file"

static const char *caller_home(void)
{
	const char *h = getenv("HOME");

	return h && h[0] == '/' && h[1] ? h : NULL;
}

static void push(char ***list, size_t *n, char *s)
{
	*list = xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[(*n)++] = s;
}

/* P is HOME or one of its parents (/, /home): never a home to hide. */
static bool holds_home(const char *p, const char *home)
{
	size_t l = strlen(p);

	while (l > 1 && p[l - 1] == '/')
		l--;
	if (!home)
		return l == 1 && p[0] == '/';
	return (l == 1 && p[0] == '/') ||
	       (strncmp(home, p, l) == 0 && (home[l] == '/' || home[l] == '\0'));
}

/* The homes of root and of ordinary users (uid 1000 up to 60000, the
 * range useradd gives) other than the caller, from /etc/passwd. */
static void other_homes(char ***list, size_t *n, const char *home)
{
	char *text, *line, *save = NULL;
	size_t len;
	uid_t me = getuid();

	if (read_file_all("/etc/passwd", &text, &len, 16u << 20) < 0) /* NUL-terminated */
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[7], *p = line;
		uint32_t uid;
		int k;

		for (k = 0; k < 7 && p; k++) {
			f[k] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (k < 7 || parse_u32(f[2], &uid) < 0 || uid == me)
			continue;
		if (uid != 0 && (uid < 1000 || uid > 60000))
			continue;
		if (f[5][0] != '/' || holds_home(f[5], home))
			continue;
		push(list, n, xstrdup(f[5]));
	}
	free(text);
}

/* Sockets directly in HOME (an agent's ~/.agent.sock): one directory
 * read, the type from the directory entry. */
static void home_sockets(char ***list, size_t *n, const char *home)
{
	DIR *d = opendir(home);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_type == DT_SOCK)
			push(list, n, xasprintf("%s/%s", home, e->d_name));
	closedir(d);
}

/* The built-in list, expanded for this user. */
void default_hides(char ***list, size_t *n)
{
	const char *home = caller_home(), *agent = getenv("SSH_AUTH_SOCK");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	size_t i;

	*list = NULL;
	*n = 0;
	for (i = 0; home && i < sizeof home_hides / sizeof home_hides[0]; i++)
		push(list, n, xasprintf("%s/%s", home, home_hides[i]));
	if (home)
		home_sockets(list, n, home);
	if (agent && agent[0] == '/')
		push(list, n, xstrdup(agent));
	/* the running sandboxes' states and --enter sockets (state.c) */
	if (rt && rt[0] == '/')
		push(list, n, xasprintf("%s/sandbox", rt));
	other_homes(list, n, home);
}

int print_default_hides(FILE *f)
{
	char **list;
	size_t n, i;

	default_hides(&list, &n);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\n", list[i]);
		free(list[i]);
	}
	free(list);
	return fflush(f) == 0 ? 0 : -EIO;
}

static bool same_path(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

/* The directory ABS, with no symbolic link anywhere on its path, made
 * (mode 0700) where it or a parent is missing: an O_PATH fd, or -errno.
 * Each level is reached from the one before, held open. */
static int open_dir_nofollow(const char *abs)
{
	char *copy = xstrdup(abs), *p = copy, *name;
	int fd = openat2_(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC,
			  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

	while (fd >= 0 && (name = strsep(&p, "/"))) {
		int next;
		if (!*name || strcmp(name, ".") == 0)
			continue;
		next = openat2_(fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC,
				RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		if (next == -ENOENT)
			next = mkdirat(fd, name, 0700) < 0 && errno != EEXIST ? -errno :
			       openat2_(fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC,
					RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		close(fd);
		fd = next;
	}
	free(copy);
	return fd;
}

/* --home persist:DIR: DIR (created, mode 0700, with its missing parents)
 * with no symbolic link anywhere on its path, owned by the caller; held
 * open. */
static int open_persist_home(const char *dir, const char *cwd, struct mount_plan *mp)
{
	char *abs = dir[0] == '/' || !cwd ? xstrdup(dir) : xasprintf("%s/%s", cwd, dir);
	struct stat st;
	int fd = open_dir_nofollow(abs);

	if (fd < 0) {
		int e = -fd;
		free(abs);
		return sb_err(e, "--home persist:%s: %s", dir, e == ELOOP ?
			      "the directory or a directory on its path is a symbolic link" :
			      strerror(e));
	}
	if (fstat(fd, &st) < 0 || st.st_uid != getuid()) {
		close(fd);
		free(abs);
		return sb_err(EPERM, "--home persist:%s: the directory is not yours", dir);
	}
	mp->home_fd = fd;
	mp->home_dir = abs;
	return 0;
}

/* The setup process, before anything is created. */
int hide_preflight(const struct sandbox_spec *spec, struct mount_plan *mp)
{
	size_t i, j;
	int r;

	mp->home_fd = -1;
	if (spec->personality == PERSONALITY_BWRAP)
		return 0;
	mp->home = caller_home();
	if (spec->home != HOME_RO && !mp->home)
		return sb_err(EINVAL, "--home: $HOME is not set to an absolute path");
	if (spec->home == HOME_PERSIST && (r = open_persist_home(spec->home_dir, mp->cwd, mp)) < 0)
		return r;
	if (spec->rootfs_mode != ROOTFS_HOST || spec->no_default_hide)
		return 0;
	default_hides(&mp->hides, &mp->n_hides);
	for (i = 0; i < mp->n_hides; i++) {
		for (j = 0; j < spec->n_ops; j++)
			if (spec->ops[j].kind != MOP_HIDE && spec->ops[j].dest &&
			    same_path(spec->ops[j].dest, mp->hides[i]))
				break;
		if (j < spec->n_ops || (spec->home != HOME_RO &&
					str_has_prefix(mp->hides[i], mp->home) &&
					mp->hides[i][strlen(mp->home)] == '/')) {
			free(mp->hides[i]);
			mp->hides[i] = NULL; /* asked for by name, or not in this home */
		}
	}
	return 0;
}

/* In pid 1, in the staging root: the two empty nodes. */
static int make_nodes(void)
{
	static bool made;
	int fd;

	if (made)
		return 0;
	if (mkdir(HIDE_NODE_DIR, 0) < 0 && errno != EEXIST)
		return -errno;
	fd = open(HIDE_NODE_FILE, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	if (chmod(HIDE_NODE_DIR, 0) < 0 || chmod(HIDE_NODE_FILE, 0) < 0)
		return -errno;
	made = true;
	return 0;
}

/* PATH inside the new root, the final symbolic link followed (in the root):
 * an empty mode-000 node over it.  Missing: nothing. */
int hide_path(int rootfd, const char *path, const char *opt)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	struct stat st;
	int dfd, mfd, r;

	dfd = openat2_(rootfd, path, O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (dfd == -ENOENT || dfd == -ENOTDIR)
		return 0;
	if (dfd < 0)
		return sb_err(-dfd, "%s %s: %s", opt, path, strerror(-dfd));
	r = fstat(dfd, &st) < 0 ? -errno : make_nodes();
	mfd = r < 0 ? r : open_tree(AT_FDCWD, S_ISDIR(st.st_mode) ? HIDE_NODE_DIR : HIDE_NODE_FILE,
				    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (mfd < 0)
		r = r < 0 ? r : -errno;
	else if (mount_setattr(mfd, "", AT_EMPTY_PATH, &ma, sizeof ma) < 0 ||
		 move_mount(mfd, "", dfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		r = -errno;
	if (mfd >= 0)
		close(mfd);
	close(dfd);
	if (r < 0)
		return sb_err(-r, "%s %s: cannot hide it: %s", opt, path, strerror(-r));
	return 0;
}

/* The built-in list, after the command line's operations. */
int hide_defaults(int rootfd, const struct mount_plan *mp)
{
	size_t i;
	int r;

	for (i = 0; i < mp->n_hides; i++) {
		if (!mp->hides[i])
			continue;
		r = hide_path(rootfd, mp->hides[i], "built-in hide list:");
		if (r == -EACCES) {
			/* a path the sandbox cannot reach (another user's $HOME,
			 * say) needs no cover: its payload cannot reach it either */
			sb_step("built-in hide list: %s: not reachable, nothing to hide",
				mp->hides[i]);
			continue;
		}
		if (r < 0)
			return r;
	}
	if (mp->n_hides)
		sb_step("built-in hide list applied (%zu paths checked)", mp->n_hides);
	return 0;
}

/* DIR of persist:DIR, found again from the host's root (the fd held since
 * the preflight belongs to the host's mount namespace, where a bind of it
 * cannot be made) and checked to be the same directory. */
static int persist_tree(const struct mount_plan *mp)
{
	struct stat held, now;
	int ofd, fd, mfd;

	ofd = open("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ofd < 0)
		return -errno;
	fd = openat2_(ofd, mp->home_dir, O_PATH | O_DIRECTORY | O_CLOEXEC,
		      RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	close(ofd);
	if (fd < 0)
		return fd;
	if (fstat(mp->home_fd, &held) < 0 || fstat(fd, &now) < 0 ||
	    held.st_dev != now.st_dev || held.st_ino != now.st_ino) {
		close(fd);
		return -ESTALE; /* replaced since the preflight */
	}
	mfd = open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	close(fd);
	return mfd < 0 ? -errno : mfd;
}

/* --home, before the command line's operations. */
int home_apply(int rootfd, const struct sandbox_spec *spec, const struct mount_plan *mp)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	char uid[16], gid[16];
	const char *opts[] = { "mode", "0700", "uid", uid, "gid", gid, NULL };
	int dfd, mfd, r;

	if (spec->home == HOME_RO || spec->personality == PERSONALITY_BWRAP)
		return 0;
	if (spec->home == HOME_NONE)
		return hide_path(rootfd, mp->home, "--home none:");
	dfd = mkdir_in_root(rootfd, mp->home);
	if (dfd < 0)
		return sb_err(-dfd, "--home: cannot create %s: %s", mp->home, strerror(-dfd));
	snprintf(uid, sizeof uid, "%u", (unsigned)mp->payload_uid);
	snprintf(gid, sizeof gid, "%u", (unsigned)mp->payload_gid);
	if (spec->home == HOME_TMPFS) {
		mfd = new_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	} else {
		mfd = persist_tree(mp);
		if (mfd >= 0 && mount_setattr(mfd, "", AT_EMPTY_PATH, &ma, sizeof ma) < 0) {
			r = -errno;
			close(mfd);
			mfd = r;
		}
	}
	r = mfd < 0 ? mfd : move_mount(mfd, "", dfd, "", MOVE_MOUNT_F_EMPTY_PATH |
				       MOVE_MOUNT_T_EMPTY_PATH) < 0 ? -errno : 0;
	if (mfd >= 0)
		close(mfd);
	close(dfd);
	if (r < 0)
		return sb_err(-r, "--home %s%s: cannot mount it on %s: %s",
			      spec->home == HOME_TMPFS ? "tmpfs" : "persist:",
			      spec->home == HOME_TMPFS ? "" : spec->home_dir, mp->home,
			      r == -ESTALE ? "the directory was replaced during the setup" :
			      strerror(-r));
	sb_step("--home %s on %s", spec->home == HOME_TMPFS ? "tmpfs" : mp->home_dir, mp->home);
	return 0;
}
