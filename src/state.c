/* state.c - named sandboxes: --name, and the state that --list and --stop
 * read.
 *
 * Owns the state directory, $XDG_RUNTIME_DIR/sandbox/NAME/ (else
 * /tmp/sandbox-UID/NAME/; each level mode 0700 and ours, or refused), and
 * the two files in it:
 *   lock   flock()ed by the running sandbox for its whole life (the setup
 *          process and, through the inherited descriptor, its children):
 *          the kernel drops the lock when the last of them is gone, even
 *          after kill -9, so a lock that can be taken means a dead sandbox,
 *          whose state is then removed, never a pid that was reused;
 *   state  "key value" lines, written to a temporary name and renamed:
 *          the setup process's and pid 1's pids with their start times,
 *          the uid, the start time, the root and the command.
 * Only the native personality names sandboxes.  The commands that read
 * the state (--list, --stop) are in enter.c; nothing here signals a
 * process.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "sandbox.h"

#define NAME_MAX_LEN 64

/* 1-64 of [A-Za-z0-9_.-], not starting with a dot or a dash */
bool state_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > NAME_MAX_LEN || name[0] == '.' || name[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || strchr("_.-", name[i])))
			return false;
	return true;
}

/* A directory NAME in DIRFD that is ours and 0700, made when missing;
 * never a link.  Returns its fd or -errno. */
static int own_dir_at(int dirfd, const char *name, const char *shown)
{
	struct stat st;
	int fd = -1, tries;

	/* another sandbox's exit, or a --list, removes an empty directory
	 * when it is done with it: between our mkdir and our open, say */
	for (tries = 0; tries < 10 && fd < 0; tries++) {
		if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
			return sb_err(errno, "cannot create %s: %s", shown, strerror(errno));
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT)
			break;
	}
	if (fd < 0)
		return sb_err(errno, "cannot open %s: %s", shown, strerror(errno));
	if (fstat(fd, &st) < 0 || st.st_uid != getuid() || (st.st_mode & 077)) {
		close(fd);
		return sb_err(EPERM, "%s is not a directory of yours with mode 0700: refusing "
			      "to keep sandbox state there", shown);
	}
	return fd;
}

/* The directory that holds every named sandbox of this user: its fd, and
 * its path in PATH. */
int state_base(char *path, size_t len)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char name[32];
	int parent, fd;

	/* the runtime dir when it is there and ours (in a nested sandbox, or
	 * after su, the variable may name the outer one's), else /tmp */
	if (rt && rt[0] == '/' &&
	    (parent = open(rt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		struct stat st;
		if (fstat(parent, &st) == 0 && st.st_uid == getuid()) {
			snprintf(path, len, "%s/sandbox", rt);
			fd = own_dir_at(parent, "sandbox", path);
			close(parent);
			return fd;
		}
		close(parent);
	}
	snprintf(name, sizeof name, "sandbox-%u", (unsigned)getuid());
	snprintf(path, len, "/tmp/%s", name);
	parent = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return sb_err(errno, "/tmp: %s", strerror(errno));
	fd = own_dir_at(parent, name, path);
	close(parent);
	return fd;
}

/* The lock of NAME in BASE, taken without waiting: 1 when we hold it now
 * (the sandbox is dead, or NAME is new), 0 when a live sandbox holds it. */
static int take_lock(int dirfd, int *lockfd)
{
	*lockfd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*lockfd < 0)
		return -errno;
	if (flock(*lockfd, LOCK_EX | LOCK_NB) == 0)
		return 1;
	if (errno != EWOULDBLOCK)
		return -errno;
	close(*lockfd);
	*lockfd = -1;
	return 0;
}

/* Remove NAME's directory in BASE (its files and itself), then BASE
 * itself when it is empty. */
void state_remove(int basefd, const char *base, const char *name)
{
	int fd = openat(basefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		(void)unlinkat(fd, "state", 0);
		(void)unlinkat(fd, "enter", 0);
		(void)unlinkat(fd, "lock", 0);
		close(fd);
	}
	(void)unlinkat(basefd, name, AT_REMOVEDIR);
	if (base && rmdir(base) < 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
		sb_warn("cannot remove %s: %s", base, strerror(errno));
}

/* Is NAME in BASEFD a live sandbox?  1 yes, 0 no (and its stale state is
 * removed), -errno when it cannot be told. */
int state_alive(int basefd, const char *name)
{
	int fd = openat(basefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), lk, r;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = take_lock(fd, &lk);
	close(fd);
	if (r < 0)
		return r;
	if (r == 0)
		return 1;
	state_remove(basefd, NULL, name); /* ours now: nobody else can be using it */
	close(lk);
	return 0;
}

/* The default name: the command's base name (other characters as _) and
 * the setup process's pid, unique among running sandboxes. */
static void default_name(const struct sandbox_spec *spec, char *out, size_t len)
{
	const char *cmd = spec->argc ? spec->argv[0] : "sandbox", *b = strrchr(cmd, '/');
	char word[33];
	size_t i;

	b = b ? b + 1 : cmd;
	for (i = 0; b[i] && i < sizeof word - 1; i++)
		word[i] = strchr("_.-", b[i]) || (b[i] >= 'a' && b[i] <= 'z') ||
			  (b[i] >= 'A' && b[i] <= 'Z') || (b[i] >= '0' && b[i] <= '9') ? b[i] : '_';
	word[i] = '\0';
	if (!i || word[0] == '.' || word[0] == '-')
		snprintf(word, sizeof word, "sandbox");
	snprintf(out, len, "%s-%d", word, (int)getpid());
}

/* A locked directory, made under a private name: 0, or -errno (the
 * message set).  Its lock is held before any other process can see it. */
static int locked_dir(struct state_run *st, const char *tmp)
{
	int r;

	st->dirfd = own_dir_at(st->basefd, tmp, st->name);
	if (st->dirfd < 0)
		return st->dirfd;
	r = take_lock(st->dirfd, &st->lockfd);
	if (r == 1) {
		(void)unlinkat(st->dirfd, "state", 0); /* a dead one's, if any */
		(void)unlinkat(st->dirfd, "enter", 0);
		return 0;
	}
	close(st->dirfd);
	st->dirfd = -1;
	return sb_err(r < 0 ? -r : EBUSY, "%s/%s/lock: %s", st->base, tmp,
		      strerror(r < 0 ? -r : EBUSY));
}

/* Setup process, once the plan is checked: take NAME (or a generated
 * one).  The directory is made and locked under a name --list skips
 * (.new-PID), then renamed into place without replacing anything: so a
 * directory under a sandbox's name always has its lock held while the
 * sandbox lives, and a free lock always means a dead one.  A live sandbox
 * of that name is an error; a dead one's state is cleared first. */
int state_claim(const struct sandbox_spec *spec, struct state_run *st)
{
	char tmp[32];
	int r, tries;

	st->basefd = st->dirfd = st->lockfd = -1;
	if (spec->personality == PERSONALITY_BWRAP)
		return 0;
	if (spec->name)
		snprintf(st->name, sizeof st->name, "%s", spec->name);
	else
		default_name(spec, st->name, sizeof st->name);
	if ((st->basefd = state_base(st->base, sizeof st->base)) < 0) {
		if (spec->name)
			return st->basefd;
		/* unnamed: it runs all the same, only --list will not show it */
		sb_step("no state kept: %s", sb_errmsg());
		st->basefd = -1;
		return 0;
	}
	snprintf(tmp, sizeof tmp, ".new-%d", (int)getpid());
	for (tries = 0; tries < 5; tries++) {
		if ((r = locked_dir(st, tmp)) < 0) {
			if (sb_errnum() != ENOENT)
				goto fail;
			/* the base went away under us (another one's exit, a
			 * --list): open it again */
			close(st->basefd);
			if ((st->basefd = state_base(st->base, sizeof st->base)) < 0)
				return st->basefd;
			continue;
		}
		if (renameat2(st->basefd, tmp, st->basefd, st->name, RENAME_NOREPLACE) == 0) {
			sb_step("named %s (%s/%s)", st->name, st->base, st->name);
			return 0;
		}
		r = errno;
		state_remove(st->basefd, NULL, tmp);
		close(st->lockfd);
		close(st->dirfd);
		st->lockfd = st->dirfd = -1;
		if (r == EEXIST && (r = state_alive(st->basefd, st->name)) == 0)
			continue; /* a dead one's, removed now: again */
		if (r == 1)
			r = sb_err(EEXIST, "--name %s: a sandbox of that name is running (see "
				   "sandbox --list)", st->name);
		else if (r == ENOENT)
			continue;
		else
			r = sb_err(r < 0 ? -r : r, "%s/%s: %s", st->base, st->name,
				   strerror(r < 0 ? -r : r));
		goto fail;
	}
	r = sb_err(EAGAIN, "%s: cannot create the state of %s", st->base, st->name);
fail:
	close(st->basefd);
	st->basefd = -1;
	if (!spec->name) {
		/* unnamed: it runs all the same, only --list will not show it */
		sb_step("no state kept: %s", sb_errmsg());
		return 0;
	}
	return r;
}

/* The start time of PID (clock ticks since boot, field 22 of its stat),
 * or 0: with the pid, what tells this process from a later one. */
unsigned long long state_start_time(pid_t pid)
{
	char path[32], buf[1024], *p;
	unsigned long long v = 0;
	int i;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_small_file(path, buf, sizeof buf) < 0 || !(p = strrchr(buf, ')')))
		return 0;
	for (i = 2; i < 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoull(p + 1, NULL, 10);
	return v;
}

/* S as one word: bytes below 0x21, 0x7f and backslash as \ooo */
static void put_word(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c == 0x7f || c == '\\')
			sbuf_add(b, "\\%03o", c);
		else
			sbuf_add(b, "%c", c);
	}
}

/* Setup process, once pid 1 is known: the state, atomically. */
int state_write(const struct sandbox_spec *spec, const struct state_run *st, pid_t pid1,
		const char *nsids)
{
	struct sbuf b = { 0 };
	int fd, r = 0, i;

	if (st->dirfd < 0)
		return 0;
	sbuf_add(&b, "version 1\nname %s\nsetup %d %llu\npid1 %d %llu\nuid %u\nstarted %lld\nroot ",
		 st->name, (int)getpid(), state_start_time(getpid()), (int)pid1,
		 state_start_time(pid1), (unsigned)getuid(), (long long)time(NULL));
	put_word(&b, spec->rootfs ? spec->rootfs : "/");
	sbuf_add(&b, "\ncommand");
	for (i = 0; i < spec->argc; i++) {
		sbuf_add(&b, " ");
		put_word(&b, spec->argv[i]);
	}
	sbuf_add(&b, "\n");
	/* pid 1's namespaces, cgroup ipc mnt net pid uts (status.c's order) */
	if (nsids && nsids[0])
		sbuf_add(&b, "namespaces %s\n", nsids);
	fd = openat(st->dirfd, "state.new", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0 || write_all(fd, b.p, b.len) < 0 ||
	    renameat(st->dirfd, "state.new", st->dirfd, "state") < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	free(b.p);
	if (r < 0)
		sb_warn("%s/%s/state: %s (--list will not show it)", st->base, st->name, strerror(-r));
	return r;
}

/* Setup process, at the end: the state goes, and the base when empty. */
void state_release(struct state_run *st)
{
	if (st->basefd < 0)
		return;
	if (st->dirfd >= 0) {
		(void)unlinkat(st->dirfd, "state.new", 0);
		close(st->dirfd);
	}
	state_remove(st->basefd, st->base, st->name);
	if (st->lockfd >= 0)
		close(st->lockfd);
	close(st->basefd);
	st->basefd = st->dirfd = st->lockfd = -1;
}

/* undo put_word in place */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Read NAME's state in BASEFD into INFO (its strings point into
 * INFO->text, to free with state_info_free). */
int state_read(int basefd, const char *name, struct state_info *info)
{
	char path[NAME_MAX_LEN + 8], *line, *save = NULL;
	size_t len;
	int fd, r;

	memset(info, 0, sizeof *info);
	snprintf(path, sizeof path, "%s/state", name);
	fd = openat(basefd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if ((r = read_fd_all(fd, &info->text, &len, 1u << 20)) < 0)
		return r;
	for (line = strtok_r(info->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = '\0';
		if (strcmp(line, "setup") == 0)
			sscanf(v, "%d %llu", &info->setup_pid, &info->setup_start);
		else if (strcmp(line, "pid1") == 0)
			sscanf(v, "%d %llu", &info->pid1, &info->pid1_start);
		else if (strcmp(line, "started") == 0)
			info->started = strtoll(v, NULL, 10);
		else if (strcmp(line, "uid") == 0)
			info->uid = (uid_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "root") == 0)
			unescape(info->root = v);
		else if (strcmp(line, "command") == 0)
			info->command = v; /* words, each escaped */
		else if (strcmp(line, "namespaces") == 0)
			info->namespaces = v;
	}
	if (info->setup_pid <= 0 || !info->command || !info->root) {
		free(info->text);
		info->text = NULL;
		return -EINVAL;
	}
	return 0;
}

/* The next word of an escaped command line, unescaped in place */
char *state_next_word(char **p)
{
	char *w;

	while (**p == ' ')
		(*p)++;
	if (!**p)
		return NULL;
	w = *p;
	*p += strcspn(*p, " ");
	if (**p)
		*(*p)++ = '\0';
	unescape(w);
	return w;
}

void state_info_free(struct state_info *info)
{
	free(info->text);
	info->text = NULL;
}
