/* launch.c - the clone/unshare choreography and the sync socket.
 *
 *   setup (host namespaces)
 *     clone3(CLONE_NEWUSER) -> child, blocked on the sync socket
 *     writes the child's id maps, sends GO
 *   child (new user namespace, all capabilities there)
 *     unshares mount, net, uts, ipc, cgroup, pid (, time); hostname; lo up
 *     fork -> pid 1
 *   pid 1
 *     builds the root (mounts.c), chdir, fork -> payload, reaps
 *   payload
 *     ids, capabilities, no_new_privs, environment, execve
 *
 * Every process reports a failure as {errno, message} over the sync socket
 * (SOCK_SEQPACKET, close-on-exec); EOF means the payload is running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

enum msg_type { MSG_GO = 1, MSG_ERROR, MSG_EXEC_ERROR };

struct sync_msg {
	int32_t type;
	int32_t err;
	int32_t code;
	char text[2036];
};

struct clone_args_ {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

extern char **environ;

static int sync_fd = -1;

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

/* In a child: report the recorded error to the setup process and exit. */
static __attribute__((noreturn)) void child_fail(int code)
{
	send_msg(MSG_ERROR, sb_errnum(), code, sb_errmsg());
	_exit(code);
}

static int exec_search(const char *file, char **argv);

static __attribute__((noreturn)) void payload_exec(const struct sandbox_spec *spec,
						   const struct idplan *ip)
{
	char **argv;
	size_t i;
	int e;

	signals_reset();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (spec->new_session && setsid() < 0) {
		sb_err(errno, "--new-session: setsid: %s", strerror(errno));
		child_fail(EXIT_SETUP);
	}
	if (caps_apply(spec, ip->uid_, ip->gid_) < 0)
		child_fail(EXIT_SETUP);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sb_err(errno, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		child_fail(EXIT_SETUP);
	}
	if (spec->clearenv)
		clearenv();
	for (i = 0; i < spec->n_env_ops; i++) {
		const struct env_op *eo = &spec->env_ops[i];
		if (eo->kind == ENV_SET)
			setenv(eo->name, eo->value, 1);
		else
			unsetenv(eo->name);
	}
	if (fd_set_cloexec_all_except(spec->keep_fds, spec->n_keep_fds, 3) < 0) {
		sb_err(errno, "cannot mark inherited fds close-on-exec: %s", strerror(errno));
		child_fail(EXIT_SETUP);
	}
	argv = xcalloc((size_t)spec->argc + 1, sizeof(char *));
	for (i = 0; i < (size_t)spec->argc; i++)
		argv[i] = spec->argv[i];
	if (spec->argv0)
		argv[0] = (char *)spec->argv0;
	sb_step("executing %s", spec->argv[0]);
	e = exec_search(spec->argv[0], argv);
	{
		char msg[1024];
		int code = (e == ENOENT || e == ENOTDIR) ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
		snprintf(msg, sizeof msg, "%s: %s", spec->argv[0],
			 e == ENOENT && !strchr(spec->argv[0], '/') ? "command not found" : strerror(e));
		send_msg(MSG_EXEC_ERROR, e, code, msg);
		_exit(code);
	}
}

/* execvp, except that a directory of PATH we may not search is skipped
 * rather than reported: EACCES only when a file by that name exists but
 * cannot be executed.  Returns the errno to report. */
static int exec_search(const char *file, char **argv)
{
	const char *path, *p;
	int found_eacces = 0, other = 0;

	if (strchr(file, '/')) {
		execve(file, argv, environ);
		return errno;
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; ) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
		char cand[4096];
		struct stat st;

		if (dlen + strlen(file) + 2 <= sizeof cand) {
			if (dlen == 0)
				snprintf(cand, sizeof cand, "%s", file);
			else
				snprintf(cand, sizeof cand, "%.*s/%s", (int)dlen, p, file);
			execve(cand, argv, environ);
			switch (errno) {
			case ENOENT:
			case ENOTDIR:
			case ELOOP:
			case ENAMETOOLONG:
				break;
			case EACCES:
				if (stat(cand, &st) == 0)
					found_eacces = 1;
				break;
			default:
				if (!other)
					other = errno;
				break;
			}
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	if (found_eacces)
		return EACCES;
	return other ? other : ENOENT;
}

static __attribute__((noreturn)) void pid1_main(const struct sandbox_spec *spec,
						const struct mount_plan *mp,
						const struct idplan *ip, int parent_pidfd,
						bool fuse_running)
{
	struct pollfd pfd = { .fd = parent_pidfd, .events = POLLIN };
	pid_t payload;
	int code;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (parent_pidfd >= 0 && poll(&pfd, 1, 0) > 0)
		_exit(EXIT_SETUP); /* the child died before PDEATHSIG was armed */
	if (parent_pidfd >= 0)
		close(parent_pidfd);
	/* The final pivot detaches the staging root; the fuse-overlayfs server
	 * still works in it, so pid 1 takes its own copy of the namespace. */
	if (fuse_running && unshare(CLONE_NEWNS) < 0) {
		sb_err(errno, "cannot create pid 1's mount namespace: %s", strerror(errno));
		child_fail(EXIT_SETUP);
	}

	if (mounts_finish_root(spec, mp) < 0)
		child_fail(EXIT_SETUP);
	if (spec->chdir) {
		if (chdir(spec->chdir) < 0) {
			sb_err(errno, "--chdir %s: %s", spec->chdir, strerror(errno));
			child_fail(EXIT_SETUP);
		}
	} else if (!mp->cwd || chdir(mp->cwd) < 0) {
		if (chdir("/") < 0) {
			sb_err(errno, "chdir /: %s", strerror(errno));
			child_fail(EXIT_SETUP);
		}
	}
	if (spec->as_pid_1)
		payload_exec(spec, ip);

	payload = fork();
	if (payload < 0) {
		sb_err(errno, "fork: %s", strerror(errno));
		child_fail(EXIT_SETUP);
	}
	if (payload == 0)
		payload_exec(spec, ip);
	close(sync_fd);
	code = forward_and_wait(payload, -1, false, !spec->share_pid, NULL);
	_exit(code);
}

static __attribute__((noreturn)) void child_main(const struct sandbox_spec *spec,
						 const struct mount_plan *mp,
						 const struct idplan *ip, pid_t setup_pid)
{
	struct overlay_run ov = { .fuse_pid = -1 };
	struct sync_msg m;
	int flags = CLONE_NEWNS, self_pidfd, code, wst = 0;
	ssize_t n;
	pid_t pid1;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != setup_pid)
		_exit(EXIT_SETUP);
	do
		n = recv(sync_fd, &m, sizeof m, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || m.type != MSG_GO)
		_exit(EXIT_SETUP); /* the setup process failed and said so */
	sb_step("ids mapped, inside the user namespace");

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
		sb_err(e, "cannot create the sandbox's namespaces: %s%s%s", strerror(e),
		       e == EPERM ? "; " : "", e == EPERM ? userns_sysctl_hint() : "");
		child_fail(EXIT_SETUP);
	}
	if (!spec->share_uts && sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
		sb_err(errno, "--hostname %s: %s", spec->hostname, strerror(errno));
		child_fail(EXIT_SETUP);
	}
	if (!spec->share_net && net_loopback_up() < 0)
		child_fail(EXIT_SETUP);
	sb_step("namespaces created");

	/* The root filesystem, and fuse-overlayfs, before the pid namespace:
	 * the payload can neither see nor signal the server. */
	if (mounts_stage(spec, mp, &ov) < 0)
		child_fail(EXIT_SETUP);
	flags = 0;
	if (!spec->share_pid)
		flags |= CLONE_NEWPID;
	if (spec->unshare_time)
		flags |= CLONE_NEWTIME;
	if (flags && unshare(flags) < 0) {
		int e = errno;
		if (e == EINVAL && spec->unshare_time)
			sb_err(e, "--unshare-time: this kernel has no time namespaces: %s", strerror(e));
		else
			sb_err(e, "cannot create the pid namespace: %s", strerror(e));
		child_fail(EXIT_SETUP);
	}

	self_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	pid1 = fork();
	if (pid1 < 0) {
		sb_err(errno, "fork: %s", strerror(errno));
		child_fail(EXIT_SETUP);
	}
	if (pid1 == 0)
		pid1_main(spec, mp, ip, self_pidfd, ov.fuse_pid > 0);
	if (self_pidfd >= 0)
		close(self_pidfd);
	close(sync_fd);
	code = forward_and_wait(pid1, ov.fuse_pid, false, false, &wst);
	if (code < 0) {
		/* fuse-overlayfs died under a running sandbox: end it */
		kill(pid1, SIGKILL);
		fprintf(stderr, "%s: fuse-overlayfs (the root filesystem's server) %s %d while "
			"the sandbox was running; the sandbox was stopped\n", sb_prog,
			WIFSIGNALED(wst) ? "was killed by signal" : "exited with status",
			WIFSIGNALED(wst) ? WTERMSIG(wst) : WEXITSTATUS(wst));
		while (waitpid(pid1, NULL, 0) < 0 && errno == EINTR)
			;
		_exit(EXIT_SETUP);
	}
	if (ov.fuse_pid > 0) {
		kill(ov.fuse_pid, SIGTERM);
		while (waitpid(ov.fuse_pid, NULL, 0) < 0 && errno == EINTR)
			;
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

	if (!mp->rootfs_real || spec->rootfs_mode == ROOTFS_RO || stat(mp->rootfs_real, &st) < 0)
		return;
	if (idmap_inside_of(&ip->uid, st.st_uid, &in))
		return;
	sb_warn("--rootfs %s is owned by host uid %u, which is not mapped into the sandbox: "
		"its files show as nobody and changing them fails (copy-up is refused). "
		"Unpack the tree rootlessly instead: sandbox --subids --uid 0 --rw DIR -- "
		"tar -xpf ROOTFS.tar -C DIR", spec->rootfs, (unsigned)st.st_uid);
}

int sandbox_run(struct sandbox_spec *spec)
{
	struct clone_args_ ca = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	struct mount_plan mp;
	struct idplan ip;
	struct sync_msg m;
	pid_t setup_pid = getpid(), child;
	int sv[2], r, result = -1;
	ssize_t n;

	if (spec->die_with_parent) {
		pid_t ppid = getppid();
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != ppid)
			return EXIT_SETUP;
	}
	if ((r = mounts_preflight(spec, &mp)) < 0 || (r = idmap_plan(spec, &ip)) < 0 ||
	    (r = overlay_preflight(spec, &mp)) < 0) {
		sb_print_error();
		overlay_preflight_undo(&mp);
		return EXIT_SETUP;
	}
	warn_unmapped_rootfs(spec, &mp, &ip);
	sb_step("preflight done: ids by %s", ip.how);
	if (fd_set_cloexec_all_except(spec->keep_fds, spec->n_keep_fds, 3) < 0) {
		sb_err(errno, "cannot mark inherited fds close-on-exec: %s", strerror(errno));
		sb_print_error();
		return EXIT_SETUP;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		sb_err(errno, "socketpair: %s", strerror(errno));
		sb_print_error();
		return EXIT_SETUP;
	}
	signals_block();
	fflush(NULL);
	child = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (child < 0) {
		int e = errno;
		sb_err(e, "cannot create a user namespace: %s; %s", strerror(e),
		       userns_sysctl_hint());
		sb_print_error();
		return EXIT_SETUP;
	}
	if (child == 0) {
		close(sv[0]);
		sync_fd = sv[1];
		child_main(spec, &mp, &ip, setup_pid);
	}
	close(sv[1]);
	sync_fd = sv[0];
	sb_step("user namespace created (child pid %d)", (int)child);

	if (idmap_apply(child, &ip) < 0) {
		sb_print_error();
		overlay_preflight_undo(&mp);
		kill(child, SIGKILL);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		return EXIT_SETUP;
	}
	sb_step("ids mapped (%s)", ip.how);
	send_msg(MSG_GO, 0, 0, NULL);

	/* Until EOF: errors from the child, pid 1 or the payload. */
	for (;;) {
		n = recv(sync_fd, &m, sizeof m, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)n < offsetof(struct sync_msg, text) + 1)
			continue;
		m.text[sizeof m.text - 1] = '\0';
		if (result < 0 && (m.type == MSG_ERROR || m.type == MSG_EXEC_ERROR)) {
			fprintf(stderr, "%s: %s\n", sb_prog, m.text);
			result = m.code;
		}
	}
	close(sync_fd);
	sb_step("payload started");
	r = forward_and_wait(child, -1, spec->new_session, false, NULL);
	if (result == EXIT_SETUP)
		overlay_preflight_undo(&mp);
	return result >= 0 ? result : r;
}
