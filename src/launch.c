/* launch.c - the clone/unshare choreography and the sync socket.
 *
 *   setup (host namespaces)
 *     clone3(CLONE_NEWUSER) -> child, blocked on the sync socket
 *     writes the child's id maps, sends GO
 *   child (new user namespace, all capabilities there)
 *     unshares mount, net, uts, ipc, cgroup; hostname; lo up
 *     with a network helper: reports NETNS, then loads the egress rules
 *     and builds the staging root and root filesystem (fuse-overlayfs
 *     started here) while the setup process starts the helper; then
 *     waits for NET_OK and checks eth0
 *     without: staging root and root filesystem
 *     unshares pid (and time), fork -> pid 1, reports pid 1's pid
 *   pid 1
 *     /proc, /dev, ..., the mount operations, pivot_root (mounts.c)
 *     fork -> payload, reaps, forwards signals
 *   payload
 *     ids, capabilities, no_new_privs, seccomp, environment, execve
 *
 * Every process reports a failure as {errno, message} over the sync socket
 * (SOCK_SEQPACKET, close-on-exec); EOF means the payload is running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sandbox.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

enum msg_type {
	MSG_GO = 1, MSG_ERROR, MSG_EXEC_ERROR, MSG_PID1, MSG_NS_READY, MSG_NSIDS,
	MSG_NETNS,      /* child -> setup: the network namespace exists */
	MSG_NET_OK,     /* setup -> child: the helper is ready, ports forwarded */
	MSG_EXEC,       /* payload -> setup: execve next (MSG_EXEC_ERROR if it fails) */
};

/* the namespaces --info-fd and --json-status-fd report, in bwrap's order */
static const char *const ns_names[] = { "cgroup", "ipc", "mnt", "net", "pid", "uts" };
#define N_NS (sizeof ns_names / sizeof ns_names[0])

/* "ino ino ino ..." of the namespaces of the process whose /proc
 * directory is DIRFD; 0 for one that cannot be read. */
static void ns_ids_text(int dirfd, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < N_NS; i++) {
		char path[32];
		struct stat st;
		snprintf(path, sizeof path, "ns/%s", ns_names[i]);
		if (buf_printf(buf, len, &off, "%s%llu", i ? " " : "",
			       fstatat(dirfd, path, &st, 0) == 0 ?
			       (unsigned long long)st.st_ino : 0ULL) < 0)
			break;
	}
}

struct sync_msg {
	int32_t type;
	int32_t err;
	int32_t code;
	char text[2036];
};

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

struct clone_args_ {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup; /* 5.5, 5.7 */
};

extern char **environ;

static int sync_fd = -1;
static int *lock_fds;   /* --lock-file, held open by pid 1 */
/* bwrap with a pid namespace: pid 1 writes the command's exit code on
 * [1] when the command exits; the user-namespace child reads it on [0] */
static int linger_fd[2] = { -1, -1 };

static void send_msg(int type, int err, int code, const char *text)
{
	struct sync_msg m;

	memset(&m, 0, sizeof m);
	m.type = type;
	m.err = err;
	m.code = code;
	snprintf(m.text, sizeof m.text, "%s", text ? text : "");
	(void)!send(sync_fd, &m, offsetof(struct sync_msg, text) + strlen(m.text) + 1, MSG_NOSIGNAL);
}


/* The setup stages must not be reachable from the payload: a process
 * that is not dumpable cannot be ptraced, and its /proc/PID/exe, mem,
 * fd/ and ns/ cannot be opened, by anything without CAP_SYS_PTRACE over
 * the user namespace its memory was created in, which for the setup
 * process, the child and pid 1 is the host's (none of them executes). */
static void set_dumpable(bool on)
{
	prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0);
}

/* In a child: report the recorded error to the setup process and exit. */
static __attribute__((noreturn)) void child_fail(void)
{
	send_msg(MSG_ERROR, sb_errnum(), sb_exit_setup, sb_errmsg());
	_exit(sb_exit_setup);
}

static int exec_search(const char *file, char **out);

static int load_filter(const struct seccomp_prog *p, const char *what, size_t i)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(p->len / sizeof(struct sock_filter)),
		.filter = p->filter,
	};

	if (p->len / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return sb_err(EINVAL, "%s %zu is longer than %d instructions", what, i,
			      BPF_MAXINSNS);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return sb_err(errno, "cannot load %s %zu: %s", what, i, strerror(errno));
	return 0;
}

/* The policy first, then bwrap's programs in their order: the kernel runs
 * every filter and the strictest answer wins, so they stack. */
static int install_seccomp(const struct sandbox_spec *spec)
{
	size_t i;

	if (spec->policy_prog.filter && load_filter(&spec->policy_prog, "seccomp policy", 1) < 0)
		return -EINVAL;
	for (i = 0; i < spec->n_seccomp_progs; i++)
		if (load_filter(&spec->seccomp_progs[i], "seccomp program", i + 1) < 0)
			return -EINVAL;
	return 0;
}

/* Report that COMMAND cannot be executed (errno E) and exit. */
static __attribute__((noreturn)) void exec_failed(const struct sandbox_spec *spec, int e)
{
	char msg[1024];
	int code = (e == ENOENT || e == ENOTDIR) ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;

	if (spec->personality == PERSONALITY_BWRAP) {
		code = sb_exit_setup;
		snprintf(msg, sizeof msg, "execvp %s: %s", spec->argv[0], strerror(e));
	} else {
		snprintf(msg, sizeof msg, "%s: %s", spec->argv[0],
			 e == ENOENT && !strchr(spec->argv[0], '/') ? "command not found"
								     : strerror(e));
	}
	send_msg(MSG_EXEC_ERROR, e, code, msg);
	_exit(code);
}

/* Does the command run in pid 1's place (--as-pid-1), without a reaper?
 * Also as bwrap without a pid namespace of its own, unless pid 1 has locks
 * or --sync-fd to hold: bubblewrap starts no init process there, and
 * nothing but the command shows in the pid namespace (the host's, or the
 * one --pidns joins). */
static bool payload_replaces_pid1(const struct sandbox_spec *spec)
{
	return spec->as_pid_1 ||
	       (spec->personality == PERSONALITY_BWRAP && spec->share_pid &&
		spec->n_lock_files == 0 && spec->sync_fd < 0);
}

static __attribute__((noreturn)) void payload_exec(const struct sandbox_spec *spec,
						   const struct idplan *ip)
{
	char **argv, *path = NULL;
	size_t i;
	int e;

	signals_reset();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (spec->new_session && setsid() < 0) {
		sb_err(errno, "--new-session: setsid: %s", strerror(errno));
		child_fail();
	}
	if (spec->userns2_fd >= 0 && setns(spec->userns2_fd, CLONE_NEWUSER) < 0) {
		sb_err(errno, "--userns2: cannot switch to the user namespace: %s", strerror(errno));
		child_fail();
	}
	if (caps_apply(spec, ip->uid_, ip->gid_) < 0)
		child_fail();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sb_err(errno, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		child_fail();
	}
	if (spec->assert_userns_disabled) {
		if (unshare(CLONE_NEWUSER) == 0) {
			sb_err(EPERM, "creation of new user namespaces was not disabled as requested");
			child_fail();
		}
	}
	if (landlock_apply(spec) < 0)
		child_fail();
	if (spec->clearenv) {
		char *pwd = getenv("PWD") ? xstrdup(getenv("PWD")) : NULL;
		clearenv();
		if (pwd && spec->personality == PERSONALITY_BWRAP)
			setenv("PWD", pwd, 1);
		free(pwd);
	}
	for (i = 0; i < spec->n_env_ops; i++) {
		const struct env_op *eo = &spec->env_ops[i];
		if (eo->kind == ENV_SET)
			setenv(eo->name, eo->value, 1);
		else
			unsetenv(eo->name);
	}
	/* the native sandbox passes only 0, 1, 2 and --keep-fd; bwrap passes all */
	if (spec->personality != PERSONALITY_BWRAP &&
	    fd_set_cloexec_all_except(spec->keep_fds, spec->n_keep_fds, 3) < 0) {
		sb_err(errno, "cannot mark inherited fds close-on-exec: %s", strerror(errno));
		child_fail();
	}
	/* with --as-pid-1 there is no pid 1 of ours to hold the locks and
	 * --sync-fd: the command inherits them */
	if (payload_replaces_pid1(spec) && lock_fds)
		for (i = 0; i < spec->n_lock_files; i++)
			fcntl(lock_fds[i], F_SETFD, 0);
	if (spec->as_pid_1 && spec->sync_fd >= 0)
		fcntl(spec->sync_fd, F_SETFD, 0);
	if (spec->block_fd >= 0) {
		/* nothing of the setup's is left to protect but an fd to the
		 * setup process: whoever starts us may watch us wait */
		char b;
		set_dumpable(true);
		while (read(spec->block_fd, &b, 1) < 0 && errno == EINTR)
			;
		close(spec->block_fd);
	}
	argv = xcalloc((size_t)spec->argc + 1, sizeof(char *));
	for (i = 0; i < (size_t)spec->argc; i++)
		argv[i] = spec->argv[i];
	if (spec->argv0)
		argv[0] = (char *)spec->argv0;
	/* PATH is searched now: under the filter only execve runs */
	if ((e = exec_search(spec->argv[0], &path)) != 0)
		exec_failed(spec, e);
	if (rlimits_apply(spec) < 0)
		child_fail();
	sb_step("executing %s", path);
	/* only the filter and execve are left: the payload runs unless
	 * MSG_ERROR or MSG_EXEC_ERROR follows (sent before the filter, which
	 * may forbid send) */
	send_msg(MSG_EXEC, 0, 0, NULL);
	if (install_seccomp(spec) < 0)
		child_fail();
	execve(path, argv, environ);
	exec_failed(spec, errno);
}

/* execvp's search, without executing: the first regular file of PATH we
 * may execute; a directory of PATH we may not search is skipped rather
 * than reported, EACCES only when a file by that name exists but cannot be
 * executed.  Returns 0 with *PATH set, or the errno to report. */
static int exec_search(const char *file, char **out)
{
	const char *path, *p;
	int found_eacces = 0, other = 0;

	if (strchr(file, '/')) {
		*out = (char *)file;
		return 0;
	}
	if (!*file)
		return ENOENT;
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; ) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
		char *cand;
		struct stat st;

		if (dlen == 0)
			cand = xstrdup(file);
		else
			cand = xasprintf("%.*s/%s", (int)dlen, p, file);
		if (stat(cand, &st) == 0) {
			if (S_ISREG(st.st_mode) && faccessat(AT_FDCWD, cand, X_OK, AT_EACCESS) == 0) {
				*out = cand;
				return 0;
			}
			found_eacces = 1;
		} else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP &&
			   errno != ENAMETOOLONG && errno != EACCES && !other) {
			other = errno;
		}
		free(cand);
		if (!colon)
			break;
		p = colon + 1;
	}
	if (found_eacces)
		return EACCES;
	return other ? other : ENOENT;
}

/* --lock-file: a read lock held by pid 1 (or the payload with --as-pid-1)
 * for as long as it lives. */
static int take_locks(const struct sandbox_spec *spec)
{
	size_t i;

	lock_fds = xcalloc(spec->n_lock_files, sizeof(int));
	for (i = 0; i < spec->n_lock_files; i++) {
		struct flock l = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
		/* in the new root, where an earlier payload may have left a
		 * FIFO: open never waits */
		int fd = open(spec->lock_files[i], O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

		if (fd < 0)
			return sb_err(errno, "--lock-file %s: %s", spec->lock_files[i], strerror(errno));
		if (fcntl(fd, F_OFD_SETLK, &l) < 0)
			return sb_err(errno, "--lock-file %s: cannot lock it: %s",
				      spec->lock_files[i], strerror(errno));
		lock_fds[i] = fd;
	}
	return 0;
}

/* pid 1 moves into a nested user namespace that maps every id of the
 * sandbox to itself, and a new mount namespace in it; a helper left in the
 * sandbox's namespace writes the maps.  The copy of the mount table in the
 * new mount namespace is locked by the kernel: its read-only, nosuid and
 * nodev flags cannot be cleared and no mount can be detached to show what
 * it covers, even by a payload holding every capability.  This is done
 * for --disable-userns (the sandbox namespace's limit was set to 1 before,
 * so nothing below can create another) and when the payload keeps
 * CAP_SYS_ADMIN or CAP_SYS_PTRACE: then it holds nothing over the sandbox's
 * own user namespace, where the setup processes live. */
static int enter_nested_userns(const struct idplan *ip, int procdir)
{
	int p[2], st, r = 0;
	bool was_dumpable;
	pid_t h;
	char b = 0;

	if (procdir < 0)
		return sb_err(ENOENT, "cannot enter a nested user namespace: no /proc of the host");
	if (pipe2(p, O_CLOEXEC) < 0)
		return sb_err(errno, "pipe: %s", strerror(errno));
	h = fork();
	if (h < 0)
		return sb_err(errno, "fork: %s", strerror(errno));
	if (h == 0) {
		/* each id to itself; the setup process checked that it fits */
		size_t len = idmap_text_max();
		char *buf = xmalloc(len);
		close(p[1]);
		if (read(p[0], &b, 1) != 1)
			_exit(1);
		if (idmap_text(&ip->uid, true, buf, len) < 0 ||
		    write_file_at(procdir, "uid_map", buf) < 0)
			_exit(2);
		if (idmap_text(&ip->gid, true, buf, len) < 0 ||
		    write_file_at(procdir, "gid_map", buf) < 0)
			_exit(3);
		_exit(0);
	}
	close(p[0]);
	/* The helper opens our uid_map as its owner: our /proc entries belong
	 * to us only while we are dumpable.  No payload exists yet. */
	was_dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1;
	set_dumpable(true);
	if (unshare(CLONE_NEWUSER) < 0)
		r = sb_err(errno, "cannot enter a nested user namespace: %s", strerror(errno));
	(void)!write(p[1], &b, 1);
	close(p[1]);
	(void)wait_child(h, &st);
	set_dumpable(was_dumpable);
	if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		r = sb_err(EPERM, "cannot map the nested user namespace");
	if (r == 0 && unshare(CLONE_NEWNS) < 0)
		r = sb_err(errno, "cannot lock the mounts in a new mount namespace: %s",
			   strerror(errno));
	return r;
}

/* VAR as the payload will see it: after --clearenv, --setenv, --unsetenv. */
static const char *payload_getenv(const struct sandbox_spec *spec, const char *var)
{
	const char *v = spec->clearenv ? NULL : getenv(var);
	size_t i;

	for (i = 0; i < spec->n_env_ops; i++)
		if (strcmp(spec->env_ops[i].name, var) == 0)
			v = spec->env_ops[i].kind == ENV_SET ? spec->env_ops[i].value : NULL;
	return v;
}

/* Does the payload keep a capability that would reach the setup
 * processes or the mounts in the sandbox's own namespaces? */
static bool needs_nesting(const struct sandbox_spec *spec, const struct idplan *ip)
{
	uint64_t keep;

	if (spec->disable_userns)
		return true;
	if (spec->personality == PERSONALITY_BWRAP || spec->userns_fd >= 0)
		return false;
	keep = caps_kept(spec, ip->uid_);
	return keep & ((1ULL << CAP_SYS_ADMIN_BIT) | (1ULL << CAP_SYS_PTRACE_BIT));
}


/* Where to start: --chdir; else the caller's directory where it exists
 * inside; else (bwrap) $HOME as the payload sees it; else /.  PWD follows. */
static int enter_cwd(const struct sandbox_spec *spec, const struct mount_plan *mp)
{
	const char *dir = NULL;

	if (spec->chdir) {
		if (chdir(spec->chdir) < 0)
			return sb_err(errno, "--chdir %s: %s", spec->chdir, strerror(errno));
		dir = spec->chdir;
	} else if (mp->cwd && chdir(mp->cwd) == 0) {
		dir = mp->cwd;
	} else if (spec->personality == PERSONALITY_BWRAP && payload_getenv(spec, "HOME") &&
		   chdir(payload_getenv(spec, "HOME")) == 0) {
		dir = payload_getenv(spec, "HOME");
	} else {
		if (chdir("/") < 0)
			return sb_err(errno, "chdir /: %s", strerror(errno));
		dir = "/";
	}
	{
		char buf[4096];
		setenv("PWD", getcwd(buf, sizeof buf) ? buf : dir, 1);
	}
	return 0;
}

/* As bwrap with a pid namespace of its own, the caller learns the
 * command's status when the command exits, and pid 1 stays to reap what
 * the command left running, as bubblewrap's does: the sandbox ends with
 * its last process.  (The native sandbox ends with its command; with
 * --die-with-parent so does this one, when the setup process exits.) */
static bool bwrap_lingers(const struct sandbox_spec *spec)
{
	return spec->personality == PERSONALITY_BWRAP && !spec->share_pid && !spec->as_pid_1;
}

/* The child is told through a pipe that raises SIGCHLD in it when
 * written: its wait loop reads the code from there. */
static int linger_pipe(void)
{
	if (pipe2(linger_fd, O_CLOEXEC) < 0)
		return sb_err(errno, "pipe: %s", strerror(errno));
	if (fcntl(linger_fd[0], F_SETOWN, getpid()) < 0 ||
	    fcntl(linger_fd[0], F_SETSIG, SIGCHLD) < 0 ||
	    fcntl(linger_fd[0], F_SETFL, O_NONBLOCK | O_ASYNC) < 0)
		return sb_err(errno, "cannot set up the exit-status pipe: %s", strerror(errno));
	return 0;
}

/* bwrap's pid 1 keeps, of what it inherited, stdio and --sync-fd only
 * (and its locks and the status pipe): an inherited pipe reaches EOF when
 * the processes that use it close it, not when the sandbox's last
 * process exits. */
static void pid1_close_inherited(const struct sandbox_spec *spec)
{
	size_t n = 0, i, j;
	int *keep = xcalloc(spec->n_lock_files + 2, sizeof(int));
	unsigned int from = 3;

	keep[n++] = spec->sync_fd;
	keep[n++] = linger_fd[1];
	for (i = 0; lock_fds && i < spec->n_lock_files; i++)
		keep[n++] = lock_fds[i];
	for (i = 1; i < n; i++)  /* a few fds: insertion sort */
		for (j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned int)keep[i] > from)
			close_range(from, (unsigned int)keep[i] - 1, 0);
		from = (unsigned int)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
	free(keep);
}

static __attribute__((noreturn)) void linger(const struct sandbox_spec *spec, int code)
{
	if (!spec->die_with_parent)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	(void)!write(linger_fd[1], &code, sizeof code);
	close(linger_fd[1]);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	_exit(code);
}

/* pid 1 lingers under the intermediate process of --pidns: that one is
 * not left behind for the host's init to reap, and pid 1 moves to the
 * reaper of the pid namespace --pidns joined.  WAITED is our child and
 * not reaped yet when waitpid says it still runs. */
static void end_intermediate(pid_t waited)
{
	if (waitpid(waited, NULL, WNOHANG) != 0)
		return;
	kill(waited, SIGKILL);
	(void)wait_child(waited, NULL);
}

static __attribute__((noreturn)) void pid1_main(const struct sandbox_spec *spec,
						const struct mount_plan *mp,
						const struct idplan *ip, int parent_pidfd,
						bool fuse_running)
{
	struct pollfd pfd = { .fd = parent_pidfd, .events = POLLIN };
	int procdir = -1;
	pid_t payload;
	int code;
	bool nest;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (parent_pidfd >= 0 && poll(&pfd, 1, 0) > 0)
		_exit(sb_exit_setup); /* the child died before PDEATHSIG was armed */
	/* bwrap's callers read /proc/CHILD-PID of the pid it reports, pid 1:
	 * Flatpak's portals resolve paths through its root, flatpak enter
	 * joins its namespaces; bubblewrap's pid 1 allows it. */
	if (spec->personality == PERSONALITY_BWRAP)
		set_dumpable(true);
	if (parent_pidfd >= 0)
		close(parent_pidfd);
	if (linger_fd[0] >= 0)
		close(linger_fd[0]);
	/* The final pivot detaches the staging root; the fuse-overlayfs server
	 * still works in it, so pid 1 takes its own copy of the namespace. */
	if (fuse_running && unshare(CLONE_NEWNS) < 0) {
		sb_err(errno, "cannot create pid 1's mount namespace: %s", strerror(errno));
		child_fail();
	}
	umask(0);
	nest = needs_nesting(spec, ip);
	if (spec->disable_userns) {
		/* the limit is per user namespace: ours, written through the
		 * host's procfs that the staging root still shows */
		if (write_file_at(AT_FDCWD, "/oldroot/proc/sys/user/max_user_namespaces", "1") < 0) {
			sb_err(errno, "--disable-userns: cannot limit user namespaces: %s",
			       strerror(errno));
			child_fail();
		}
	}
	if (nest || spec->info_fd >= 0 || spec->json_status_fd >= 0)
		procdir = open("/oldroot/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mounts_finish_root(spec, mp) < 0)
		child_fail();
	umask(mp->umask);
	if (enter_cwd(spec, mp) < 0 || take_locks(spec) < 0)
		child_fail();
	if (nest && enter_nested_userns(ip, procdir) < 0) {
		if (spec->disable_userns)
			sb_errctx(-EPERM, "--disable-userns");
		child_fail();
	}
	if (procdir >= 0) {
		/* our namespace ids for --info-fd, read by ourselves: we are not
		 * dumpable, so the setup process could not */
		char ids[256];
		ns_ids_text(procdir, ids, sizeof ids);
		send_msg(MSG_NSIDS, 0, 0, ids);
		close(procdir);
	}
	if (payload_replaces_pid1(spec))
		payload_exec(spec, ip);

	payload = fork();
	if (payload < 0) {
		sb_err(errno, "fork: %s", strerror(errno));
		child_fail();
	}
	if (payload == 0)
		payload_exec(spec, ip);
	close(sync_fd);
	if (spec->block_fd >= 0)
		close(spec->block_fd);
	if (spec->personality == PERSONALITY_BWRAP)
		pid1_close_inherited(spec);
	code = forward_and_wait(payload, -1, false, !spec->share_pid, NULL);
	if (linger_fd[1] >= 0)
		linger(spec, code);
	_exit(code);
}

/* A map without our own id leaves us the overflow id, which can create
 * nothing: take the payload's ids (all capabilities stay: none of the
 * ids was 0). */
static int take_mapped_ids(const struct idplan *ip)
{
	if (ip->own_gid_unmapped && setresgid(ip->gid_, ip->gid_, ip->gid_) < 0)
		return sb_err(errno, "--gid-map: cannot become gid %u: %s", ip->gid_,
			      strerror(errno));
	if (ip->own_uid_unmapped && setresuid(ip->uid_, ip->uid_, ip->uid_) < 0)
		return sb_err(errno, "--uid-map: cannot become uid %u: %s", ip->uid_,
			      strerror(errno));
	return 0;
}

static int child_unshare(const struct sandbox_spec *spec)
{
	int flags = CLONE_NEWNS;

	if (!spec->share_net)
		flags |= CLONE_NEWNET;
	if (!spec->share_ipc)
		flags |= CLONE_NEWIPC;
	if (!spec->share_uts)
		flags |= CLONE_NEWUTS;
	if (!spec->share_cgroup)
		flags |= CLONE_NEWCGROUP;
	if (unshare(flags) < 0) {
		int e = errno;
		return sb_err(e, "cannot create the sandbox's namespaces: %s%s%s", strerror(e),
			      e == EPERM ? "; " : "", e == EPERM ? userns_sysctl_hint() : "");
	}
	if (!spec->share_uts && spec->hostname &&
	    sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return sb_err(errno, "--hostname %s: %s", spec->hostname, strerror(errno));
	if (!spec->share_net && net_loopback_up() < 0)
		return -EPERM;
	sb_step("namespaces created");
	return 0;
}

/* Wait for the setup process's NET_OK, then check what the helper set up. */
static int child_net_join(const struct sandbox_spec *spec)
{
	struct sync_msg m;
	ssize_t n;

	do
		n = recv(sync_fd, &m, sizeof m, 0);
	while ((n < 0 && errno == EINTR) || (n > 0 && m.type == MSG_GO));
	if (n <= 0 || m.type != MSG_NET_OK)
		_exit(sb_exit_setup); /* the setup process failed and said so */
	return net_child_check(spec);
}

static __attribute__((noreturn)) void child_main(const struct sandbox_spec *spec,
						 const struct mount_plan *mp,
						 const struct idplan *ip_in, pid_t setup_pid)
{
	struct overlay_run ov = { .fuse_pid = -1 };
	struct idplan ip = *ip_in;
	struct sync_msg m;
	int flags, self_pidfd, code, wst = 0;
	pid_t pid1, waited;
	bool fuse_running;
	ssize_t n;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != setup_pid)
		_exit(sb_exit_setup);
	setup_signals_close(); /* the setup process's */
	/* the setup process's ends of the status protocols: EOF on them must
	 * not wait for the sandbox */
	if (spec->info_fd >= 0)
		close(spec->info_fd);
	if (spec->json_status_fd >= 0)
		close(spec->json_status_fd);
	if (spec->userns_fd >= 0) {
		if (setns(spec->userns_fd, CLONE_NEWUSER) < 0) {
			sb_err(errno, "--userns: cannot join the user namespace: %s", strerror(errno));
			child_fail();
		}
		close(spec->userns_fd);
	}
	if (spec->userns_block_fd >= 0) {
		/* an outside program writes our maps: namespaces first so the
		 * info it reads is complete, then wait for it */
		char b;
		if (child_unshare(spec) < 0)
			child_fail();
		send_msg(MSG_NS_READY, 0, 0, NULL);
		while (read(spec->userns_block_fd, &b, 1) < 0 && errno == EINTR)
			;
		close(spec->userns_block_fd);
	} else {
		do
			n = recv(sync_fd, &m, sizeof m, 0);
		while (n < 0 && errno == EINTR);
		if (n <= 0 || m.type != MSG_GO)
			_exit(sb_exit_setup); /* the setup process failed and said so */
		sb_step("ids mapped, inside the user namespace");
		if (take_mapped_ids(&ip) < 0)
			child_fail();
		if (child_unshare(spec) < 0)
			child_fail();
	}
	if (spec->userns_fd >= 0 || spec->userns_block_fd >= 0) {
		/* someone else's maps: we are whoever they made us */
		if (!spec->uid_set)
			ip.uid_ = getuid();
		if (!spec->gid_set)
			ip.gid_ = getgid();
	}
	if (net_uses_helper(spec)) {
		/* the setup process starts the helper against our namespaces
		 * while we load the egress rules and build the root */
		send_msg(MSG_NETNS, 0, 0, NULL);
		if (net_child_setup(spec) < 0)
			child_fail();
	}

	/* The root filesystem, and fuse-overlayfs, before the pid namespace:
	 * the payload can neither see nor signal the server. */
	if (mounts_stage(spec, mp, &ov) < 0)
		child_fail();
	fuse_running = ov.fuse_pid > 0;
	/* the helper joins our namespaces through our /proc entries: it is
	 * ready (NET_OK) before we stop being dumpable */
	if (net_uses_helper(spec) && child_net_join(spec) < 0)
		child_fail();
	/* Nothing reads our /proc entries from outside any more (the maps
	 * are written, the network helper has our namespaces), and the
	 * payload will exist: this process, the one --pidns adds and pid 1
	 * (which inherit it) are not dumpable, in both personalities.  As
	 * bwrap, pid 1 makes itself dumpable again (see pid1_main). */
	set_dumpable(false);
	if (bwrap_lingers(spec) && linger_pipe() < 0)
		child_fail();
	waited = -1;
	if (spec->pidns_fd >= 0) {
		if (setns(spec->pidns_fd, CLONE_NEWPID) < 0) {
			sb_err(errno, "--pidns: cannot join the pid namespace: %s", strerror(errno));
			child_fail();
		}
		close(spec->pidns_fd);
		if (!spec->share_pid) {
			/* a new pid namespace under that one: the kernel wants
			 * a process that is already in it to create it */
			waited = fork();
			if (waited < 0) {
				sb_err(errno, "fork: %s", strerror(errno));
				child_fail();
			}
			if (waited == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
				ov.fuse_pid = -1; /* the parent supervises it */
				if (linger_fd[0] >= 0)
					close(linger_fd[0]); /* the parent reads it */
				linger_fd[0] = -1;
			}
		}
	}
	if (waited <= 0) {
		flags = 0;
		if (!spec->share_pid)
			flags |= CLONE_NEWPID;
		if (spec->unshare_time)
			flags |= CLONE_NEWTIME;
		if (flags && unshare(flags) < 0) {
			int e = errno;
			if (e == EINVAL && spec->unshare_time)
				sb_err(e, "--unshare-time: this kernel has no time namespaces: %s",
				       strerror(e));
			else
				sb_err(e, "cannot create the pid namespace: %s", strerror(e));
			child_fail();
		}

		self_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
		pid1 = fork();
		if (pid1 < 0) {
			sb_err(errno, "fork: %s", strerror(errno));
			child_fail();
		}
		if (pid1 == 0)
			pid1_main(spec, mp, &ip, self_pidfd, fuse_running);
		if (self_pidfd >= 0)
			close(self_pidfd);
		send_msg(MSG_PID1, 0, (int32_t)pid1, NULL);
	} else {
		pid1 = waited; /* the intermediate process; it forwards in turn */
	}
	close(sync_fd);
	if (spec->sync_fd >= 0)
		close(spec->sync_fd);
	if (spec->block_fd >= 0)
		close(spec->block_fd);
	if (linger_fd[1] >= 0)
		close(linger_fd[1]);
	code = forward_and_wait_fd(pid1, ov.fuse_pid, false, false, &wst, linger_fd[0]);
	if (code >= 0 && waited > 0)
		end_intermediate(waited);
	if (code < 0) {
		/* fuse-overlayfs died under a running sandbox: end it */
		kill(pid1, SIGKILL);
		fprintf(stderr, "%s: fuse-overlayfs (the root filesystem's server) %s %d while "
			"the sandbox was running; the sandbox was stopped\n", sb_prog,
			WIFSIGNALED(wst) ? "was killed by signal" : "exited with status",
			WIFSIGNALED(wst) ? WTERMSIG(wst) : WEXITSTATUS(wst));
		(void)wait_child(pid1, NULL);
		_exit(sb_exit_setup);
	}
	if (ov.fuse_pid > 0) {
		kill(ov.fuse_pid, SIGTERM);
		(void)wait_child(ov.fuse_pid, NULL);
	}
	_exit(code);
}

/* A rootfs owned by an id that is not mapped (a tree debootstrap made as
 * root, used without --uid 0 ranges) can be read but not changed. */
static void warn_unmapped_rootfs(const struct sandbox_spec *spec, const struct mount_plan *mp,
				 const struct idplan *ip)
{
	struct stat st;
	uint32_t in;

	if (!mp->rootfs_real || spec->rootfs_mode == ROOTFS_RO || spec->userns_fd >= 0 ||
	    stat(mp->rootfs_real, &st) < 0)
		return;
	if (idmap_inside_of(&ip->uid, st.st_uid, &in))
		return;
	sb_warn("--rootfs %s is owned by host uid %u, which is not mapped into the sandbox: "
		"its files show as nobody and changing them fails (the kernel overlay refuses "
		"to copy them up; fuse-overlayfs copies only what you can read, as nobody). "
		"Unpack the tree rootlessly instead: sandbox --subids --uid 0 --rw DIR -- "
		"tar -xpf ROOTFS.tar -C DIR", spec->rootfs, (unsigned)st.st_uid);
}

static void write_fd_text(int fd, const char *text)
{
	(void)write_all(fd, text, strlen(text)); /* the reader may be gone */
}

/* bwrap's --info-fd / --json-status-fd record: the pid, as seen from here,
 * and the ids of the namespaces the sandbox has of its own. */
static void write_status(const struct sandbox_spec *spec, pid_t pid, const char *ids)
{
	const bool own[N_NS] = { !spec->share_cgroup, !spec->share_ipc, true, !spec->share_net,
				 !spec->share_pid, !spec->share_uts };
	char info[1024], json[1024];
	const char *p = ids;
	size_t i, ni, nj;

	ni = (size_t)snprintf(info, sizeof info, "{\n    \"child-pid\": %d", (int)pid);
	nj = (size_t)snprintf(json, sizeof json, "{ \"child-pid\": %d", (int)pid);
	for (i = 0; i < N_NS && p && *p; i++) {
		char *end;
		unsigned long long ino = strtoull(p, &end, 10);
		p = end;
		if (!own[i] || ino == 0)
			continue;
		buf_printf(info, sizeof info, &ni, ",\n    \"%s-namespace\": %llu", ns_names[i], ino);
		buf_printf(json, sizeof json, &nj, ", \"%s-namespace\": %llu", ns_names[i], ino);
	}
	buf_printf(info, sizeof info, &ni, "\n}\n");
	buf_printf(json, sizeof json, &nj, " }\n");
	if (spec->info_fd >= 0) {
		write_fd_text(spec->info_fd, info);
		close(spec->info_fd);
	}
	if (spec->json_status_fd >= 0)
		write_fd_text(spec->json_status_fd, json);
}

/* The helper could not start.  When the child failed first (its error
 * is waiting on the socket), that is the cause to report. */
static int report_net_failure(void)
{
	char ours[2048];
	struct sync_msg m;
	ssize_t n;

	snprintf(ours, sizeof ours, "%s", sb_errmsg());
	while ((n = recv(sync_fd, &m, sizeof m, MSG_DONTWAIT)) > 0) {
		if ((size_t)n < offsetof(struct sync_msg, text) + 1)
			continue;
		m.text[sizeof m.text - 1] = '\0';
		if (m.type == MSG_ERROR) {
			sb_print_message(m.text);
			return m.code;
		}
	}
	sb_print_message(ours);
	return sb_exit_setup;
}

/* The next message from the children (0 at EOF: the payload runs), or
 * -EINTR when a signal that ends a program came first. */
static ssize_t next_msg(struct sync_msg *m)
{
	struct pollfd p[2] = { { .fd = sync_fd, .events = POLLIN },
			       { .fd = setup_signal_fd(), .events = POLLIN } };

	for (;;) {
		ssize_t n = recv(sync_fd, m, sizeof *m, MSG_DONTWAIT);
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (setup_signal_taken())
			return -EINTR;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -errno;
	}
}

/* A signal ended the setup: the child takes everything it started along
 * (pid 1 and the payload die with it), and we exit as the signal says. */
static int setup_interrupted(pid_t child)
{
	sb_step("setup interrupted by signal %d", setup_signal_taken());
	kill(child, SIGKILL);
	return 128 + setup_signal_taken();
}

static void mark_cloexec(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* The sandbox ended before its command's execve, without a word: a
 * setup process was killed (or exited) with CODE. That is a setup
 * failure, never the command's status. */
static int setup_died(int code)
{
	if (code > 128)
		sb_err(EINTR, "the sandbox's setup was killed by signal %d before the command started",
		       code - 128);
	else
		sb_err(EINTR, "the sandbox's setup ended with status %d before the command started",
		       code);
	sb_print_error();
	return sb_exit_setup;
}

#define NESTED(what) what ", in the nested user namespace (for --cap-add CAP_SYS_ADMIN " \
	"or CAP_SYS_PTRACE, or --disable-userns)"

/* The nested namespace maps each id to itself: a text of another length
 * than the sandbox's maps, which idmap_plan checked. */
static int check_nested_maps(const struct sandbox_spec *spec, const struct idplan *ip)
{
	int r;

	if (!needs_nesting(spec, ip))
		return 0;
	if ((r = idmap_check_text(&ip->uid, true, spec->uid_map_opt.n ? NESTED("--uid-map")
				  : NESTED("/etc/subuid"))) < 0)
		return r;
	return idmap_check_text(&ip->gid, true, spec->gid_map_opt.n ? NESTED("--gid-map")
				: NESTED("/etc/subgid"));
}

/* clone3, or clone where a seccomp policy answers clone3 with ENOSYS so
 * that the flags can be checked (ours does in a sandbox, as flatpak's) */
static pid_t clone_child(const struct clone_args_ *ca, bool *by_clone)
{
	/* clone takes 32 bits of flags: CLONE_INTO_CGROUP is the caller's to redo */
	unsigned long flags = (unsigned long)(ca->flags & 0xffffffffu) | SIGCHLD;
	long pid = syscall(SYS_clone3, ca, sizeof *ca);

	if (pid < 0 && errno == ENOSYS) {
		*by_clone = true;
#if defined(__s390__)
		pid = syscall(SYS_clone, 0UL, flags, 0UL, 0UL, 0UL);
#else
		pid = syscall(SYS_clone, flags, 0UL, 0UL, 0UL, 0UL);
#endif
	}
	return (pid_t)pid;
}

int sandbox_run(struct sandbox_spec *spec)
{
	struct clone_args_ ca = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	struct mount_plan mp;
	struct net_plan np;
	struct idplan ip;
	struct sync_msg m;
	struct limits_run lr;
	pid_t setup_pid = getpid(), child;
	int sv[2], r, result = -1, wst = 0;
	bool status_written = false, exec_seen = false, by_clone = false;
	char nsids[256] = "";
	pid_t pid1 = -1;
	ssize_t n;

	if (spec->die_with_parent) {
		pid_t ppid = getppid();
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != ppid)
			return sb_exit_setup;
	}
	limits_begin(spec, &lr);
	if ((r = cgroup_preflight(spec, &lr.cg)) < 0 || (r = rlimits_preflight(spec)) < 0 ||
	    (r = seccomp_prepare(spec)) < 0 || (r = landlock_preflight(spec)) < 0) {
		sb_print_error();
		return sb_exit_setup;
	}
	memset(&mp, 0, sizeof mp);
	if ((r = net_preflight(spec, &np)) < 0 ||
	    (r = mounts_preflight(spec, &mp)) < 0 ||
	    (spec->userns_fd < 0 && (r = idmap_plan(spec, &ip)) < 0) ||
	    (r = overlay_preflight(spec, &mp)) < 0) {
		sb_print_error();
		overlay_preflight_undo(&mp);
		return sb_exit_setup;
	}
	if (spec->userns_fd >= 0) {
		/* ids are whatever that namespace maps; the payload keeps ours
		 * unless --uid/--gid say otherwise */
		memset(&ip, 0, sizeof ip);
		ip.uid_ = spec->uid_set ? spec->uid : getuid();
		ip.gid_ = spec->gid_set ? spec->gid : getgid();
		ip.how = "--userns";
	} else {
		warn_unmapped_rootfs(spec, &mp, &ip);
	}
	if (check_nested_maps(spec, &ip) < 0) {
		sb_print_error();
		overlay_preflight_undo(&mp);
		return sb_exit_setup;
	}
	mp.payload_uid = ip.uid_;
	mp.payload_gid = ip.gid_;
	sb_step("preflight done: ids by %s", ip.how);
	/* Our own fds never reach the payload; the native personality also
	 * closes what it inherited (bwrap passes it through). */
	mark_cloexec(spec->info_fd);
	mark_cloexec(spec->json_status_fd);
	mark_cloexec(spec->sync_fd);
	mark_cloexec(spec->userns_fd);
	mark_cloexec(spec->userns2_fd);
	mark_cloexec(spec->pidns_fd);
	mark_cloexec(spec->userns_block_fd);
	mark_cloexec(spec->block_fd);
	if (spec->personality != PERSONALITY_BWRAP) {
		if (fd_set_cloexec_all_except(spec->keep_fds, spec->n_keep_fds, 3) < 0) {
			sb_err(errno, "cannot mark inherited fds close-on-exec: %s", strerror(errno));
			sb_print_error();
			return sb_exit_setup;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		sb_err(errno, "socketpair: %s", strerror(errno));
		sb_print_error();
		return sb_exit_setup;
	}
	signals_block();
	if ((r = setup_signals_open()) < 0) {
		sb_err(-r, "signalfd: %s", strerror(-r));
		sb_print_error();
		return sb_exit_setup;
	}
	if ((r = cgroup_setup(spec, &lr.cg)) < 0) {
		sb_print_error();
		overlay_preflight_undo(&mp);
		return sb_exit_setup;
	}
	fflush(NULL);
	if (spec->userns_fd >= 0)
		ca.flags = 0; /* the child joins that namespace instead */
	if (cgroup_clone_fd(&lr.cg) >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_clone_fd(&lr.cg);
	}
	child = clone_child(&ca, &by_clone);
	if (child < 0) {
		int e = errno;
		if (by_clone && e == EPERM && ca.flags)
			sb_err(e, "cannot create a user namespace: nested user namespaces are "
			       "refused by the outer sandbox (its seccomp policy); run the outer "
			       "one with --allow-userns (and without --disable-userns)");
		else
			sb_err(e, "cannot create a user namespace: %s; %s", strerror(e),
			       userns_sysctl_hint());
		sb_print_error();
		overlay_preflight_undo(&mp);
		limits_abort(&lr);
		return sb_exit_setup;
	}
	if (child == 0) {
		close(sv[0]);
		sync_fd = sv[1];
		child_main(spec, &mp, &ip, setup_pid);
	}
	set_dumpable(false);
	close(sv[1]);
	sync_fd = sv[0];
	if (spec->sync_fd >= 0)
		close(spec->sync_fd);
	if (spec->block_fd >= 0)
		close(spec->block_fd);
	if (spec->userns_block_fd >= 0)
		close(spec->userns_block_fd);
	sb_step("user namespace created (child pid %d)", (int)child);
	if (by_clone && cgroup_adopt(&lr.cg, child) < 0) {
		sb_print_error();
		overlay_preflight_undo(&mp);
		kill(child, SIGKILL);
		(void)wait_child(child, NULL);
		limits_abort(&lr);
		return sb_exit_setup;
	}

	if (spec->userns_fd < 0 && spec->userns_block_fd < 0) {
		if (idmap_apply(child, &ip) < 0) {
			sb_print_error();
			overlay_preflight_undo(&mp);
			kill(child, SIGKILL);
			(void)wait_child(child, NULL);
			limits_abort(&lr);
			return sb_exit_setup;
		}
		sb_step("ids mapped (%s)", ip.how);
	}
	if (spec->userns_block_fd < 0)
		send_msg(MSG_GO, 0, 0, NULL); /* else it waits on that fd */

	/* Until EOF: pid 1's pid, and errors from the child, pid 1 or the
	 * payload. */
	for (;;) {
		n = next_msg(&m);
		if (n == -EINTR) {
			result = setup_interrupted(child);
			break;
		}
		if (n <= 0)
			break;
		if ((size_t)n < offsetof(struct sync_msg, text) + 1)
			continue;
		m.text[sizeof m.text - 1] = '\0';
		if (m.type == MSG_NETNS && result < 0) {
			if (net_start(spec, &np, child) < 0) {
				result = setup_signal_taken() ? setup_interrupted(child)
							      : report_net_failure();
				kill(child, SIGKILL);
			} else {
				send_msg(MSG_NET_OK, 0, 0, NULL);
			}
		} else if (m.type == MSG_NS_READY && !status_written) {
			char dir[32], ids[256];
			int dfd;
			snprintf(dir, sizeof dir, "/proc/%d", (int)child);
			dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
			ns_ids_text(dfd, ids, sizeof ids);
			if (dfd >= 0)
				close(dfd);
			write_status(spec, child, ids);
			status_written = true;
		} else if (m.type == MSG_PID1) {
			pid1 = (pid_t)m.code;
		} else if (m.type == MSG_EXEC) {
			exec_seen = true;
		} else if (m.type == MSG_NSIDS) {
			size_t k = strnlen(m.text, sizeof nsids - 1);
			memcpy(nsids, m.text, k);
			nsids[k] = '\0';
		} else if (result < 0 && (m.type == MSG_ERROR || m.type == MSG_EXEC_ERROR)) {
			sb_print_message(m.text);
			result = m.code;
			exec_seen = false;
		}
		if (!status_written && pid1 > 0 && nsids[0]) {
			write_status(spec, pid1, nsids);
			status_written = true;
		}
	}
	close(sync_fd);
	setup_signals_close(); /* the payload's now: forwarded from here on */
	sb_step("payload started");
	r = forward_and_wait_timed(child, np.pid, spec->new_session, &wst, limits_arm(&lr, child));
	if (r < 0) {
		if (result < 0) /* else the setup failed and said why */
			net_helper_died(&np, wst);
		np.pid = -1;
		r = forward_and_wait_timed(child, -1, spec->new_session, NULL, limits_arm(&lr, child));
	}
	net_stop(&np);
	if (result < 0 && !exec_seen)
		result = setup_died(r);
	overlay_tidy_workdir(&mp);
	if (result == sb_exit_setup || setup_signal_taken())
		overlay_preflight_undo(&mp);
	if (result >= 0)
		r = result;
	r = limits_finish(&lr, r, result < 0 && exec_seen, status_written && exec_seen && result < 0);
	/* bwrap writes "exit-code" only for a command that ran */
	if (spec->json_status_fd >= 0 && status_written && exec_seen && result < 0) {
		char line[64];
		snprintf(line, sizeof line, "{ \"exit-code\": %d }\n", r);
		write_fd_text(spec->json_status_fd, line);
		close(spec->json_status_fd);
	}
	return r;
}
