/* pid1.c - the sandbox's init: pid 1 of its pid namespace.
 *
 * pid 1 finishes the root (mounts.c), enters the working directory, takes
 * the --lock-file locks, moves into a nested user namespace when the
 * payload keeps capabilities that would reach the sandbox's own, reports
 * its namespace ids for --info-fd, then forks the payload (exec.c), reaps
 * and forwards signals (init.c) and exits with the payload's status.  As
 * bwrap it lingers until the sandbox's last process is gone (linger), and
 * the intermediate process of --pidns is ended (end_intermediate).
 *
 * Must not touch: the setup process's resources (struct run's fds other
 * than its own end of the sync socket, locks and status pipe).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sandbox.h"

/* --lock-file: a read lock held by pid 1 (or the payload with --as-pid-1)
 * for as long as it lives. */
static int take_locks(const struct sandbox_spec *spec, struct run *run)
{
	size_t i;

	run->lock_fds = xcalloc(spec->n_lock_files, sizeof(int));
	for (i = 0; i < spec->n_lock_files; i++) {
		struct flock l = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
		/* in the new root, where an earlier payload may have left a
		 * FIFO: open never waits */
		int fd = open(spec->lock_files[i], O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

		bool bw = spec->personality == PERSONALITY_BWRAP;

		if (fd < 0)
			return sb_err(errno, bw ? "Unable to open lock file %s: %s" : "--lock-file %s: %s",
				      spec->lock_files[i], strerror(errno));
		if (fcntl(fd, F_OFD_SETLK, &l) < 0)
			return sb_err(errno, bw ? "Unable to lock file %s: %s" :
				      "--lock-file %s: cannot lock it: %s",
				      spec->lock_files[i], strerror(errno));
		run->lock_fds[i] = fd;
	}
	return 0;
}

/* The helper that writes the nested namespace's maps (each id to itself;
 * the setup process checked that it fits) once told through FD. */
static __attribute__((noreturn)) void nested_map_helper(const struct idplan *ip, int procdir,
							int fd)
{
	size_t len = idmap_text_max();
	char *buf = xmalloc(len);
	char b;

	if (read(fd, &b, 1) != 1)
		_exit(1);
	if (idmap_text(&ip->uid, true, buf, len) < 0 ||
	    write_file_at(procdir, "uid_map", buf) < 0)
		_exit(2);
	if (idmap_text(&ip->gid, true, buf, len) < 0 ||
	    write_file_at(procdir, "gid_map", buf) < 0)
		_exit(3);
	_exit(0);
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
		close(p[1]);
		nested_map_helper(ip, procdir, p[0]);
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

/* Does the payload keep a capability that would reach the setup
 * processes or the mounts in the sandbox's own namespaces? */
bool needs_nesting(const struct sandbox_spec *spec, const struct idplan *ip)
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
			return sb_err(errno, spec->personality == PERSONALITY_BWRAP ?
				      "Can't chdir to %s: %s" : "--chdir %s: %s",
				      spec->chdir, strerror(errno));
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

/* bwrap's pid 1 keeps, of what it inherited, stdio and --sync-fd only
 * (and its locks and the status pipe): an inherited pipe reaches EOF when
 * the processes that use it close it, not when the sandbox's last
 * process exits. */
static void pid1_close_inherited(const struct sandbox_spec *spec, const struct run *run)
{
	size_t n = 0, i, j;
	int *keep = xcalloc(spec->n_lock_files + 2, sizeof(int));
	unsigned int from = 3;

	keep[n++] = spec->sync_fd;
	keep[n++] = run->linger_fd[1];
	for (i = 0; run->lock_fds && i < spec->n_lock_files; i++)
		keep[n++] = run->lock_fds[i];
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

static __attribute__((noreturn)) void linger(const struct sandbox_spec *spec,
					     const struct run *run, int code)
{
	if (!spec->die_with_parent)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	(void)!write(run->linger_fd[1], &code, sizeof code);
	close(run->linger_fd[1]);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	_exit(code);
}

/* pid 1 lingers under the intermediate process of --pidns: that one is
 * not left behind for the host's init to reap, and pid 1 moves to the
 * reaper of the pid namespace --pidns joined.  WAITED is our child and
 * not reaped yet when waitpid says it still runs. */
void end_intermediate(pid_t waited)
{
	if (waitpid(waited, NULL, WNOHANG) != 0)
		return;
	kill(waited, SIGKILL);
	(void)wait_child(waited, NULL);
}

/* --disable-userns: the limit is per user namespace: ours, written
 * through the host's procfs that the staging root still shows */
static void limit_userns(const struct run *run)
{
	if (write_file_at(AT_FDCWD, "/oldroot/proc/sys/user/max_user_namespaces", "1") < 0) {
		sb_err(errno, "--disable-userns: cannot limit user namespaces: %s",
		       strerror(errno));
		child_fail(run->sync_fd);
	}
}

/* Everything pid 1 does before the payload: the root, the working
 * directory, the locks, the nested user namespace, --info-fd's ids. */
static void pid1_prepare(const struct sandbox_spec *spec, struct run *run,
			 const struct mount_plan *mp, const struct idplan *ip, bool fuse_running)
{
	int procdir = -1;
	bool nest;

	/* The final pivot detaches the staging root; the fuse-overlayfs server
	 * still works in it, so pid 1 takes its own copy of the namespace. */
	if (fuse_running && unshare(CLONE_NEWNS) < 0) {
		sb_err(errno, "cannot create pid 1's mount namespace: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	umask(0);
	nest = needs_nesting(spec, ip);
	if (spec->disable_userns)
		limit_userns(run);
	if (nest || spec->info_fd >= 0 || spec->json_status_fd >= 0 || run->enter_chan[1] >= 0)
		procdir = open("/oldroot/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mounts_finish_root(spec, mp) < 0)
		child_fail(run->sync_fd);
	umask(mp->umask);
	if (enter_cwd(spec, mp) < 0 || take_locks(spec, run) < 0)
		child_fail(run->sync_fd);
	if (nest && enter_nested_userns(ip, procdir) < 0) {
		if (spec->disable_userns)
			sb_errctx(-EPERM, "--disable-userns");
		child_fail(run->sync_fd);
	}
	if (procdir >= 0) {
		/* our namespace ids for --info-fd and the state, read by
		 * ourselves: we are not dumpable, so the setup process could not */
		char ids[256];
		ns_ids_text(procdir, ids, sizeof ids);
		send_msg(run->sync_fd, MSG_NSIDS, 0, 0, ids);
		close(procdir);
	}
}

/* --tty: a pty of the sandbox's devpts; its master to the setup process,
 * which relays it.  The peer for the payload, or -1. */
static int pid1_pty(const struct sandbox_spec *spec, const struct run *run)
{
	int master, peer;

	if (!spec->tty)
		return -1;
	if (tty_open_pair(&run->tty, &master, &peer) < 0)
		child_fail(run->sync_fd);
	if (send_msg_fd(run->sync_fd, MSG_PTY, 0, NULL, master) < 0) {
		sb_err(errno, "--tty: cannot pass the terminal to sandbox: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	close(master);
	return peer;
}

/* The child opens the net gate once the network helper has configured
 * eth0; EOF: the child failed, and said why. */
static void pid1_net_gate(struct run *run)
{
	char b;
	ssize_t n;

	while ((n = read(run->net_gate[0], &b, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(sb_exit_setup);
	close(run->net_gate[0]);
	run->net_gate[0] = -1;
}

static __attribute__((noreturn)) void payload_start(const struct sandbox_spec *spec,
						    const struct run *run, const struct idplan *ip,
						    int peer)
{
	if (peer >= 0 && tty_take(peer) < 0)
		child_fail(run->sync_fd);
	payload_exec(spec, run, ip);
}

__attribute__((noreturn)) void pid1_main(const struct sandbox_spec *spec, struct run *run,
					 const struct mount_plan *mp, const struct idplan *ip,
					 int parent_pidfd, bool fuse_running)
{
	struct pollfd pfd = { .fd = parent_pidfd, .events = POLLIN };
	pid_t payload;
	int code, peer;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (parent_pidfd >= 0 && poll(&pfd, 1, 0) > 0)
		_exit(sb_exit_setup); /* the child died before PDEATHSIG was armed */
	if (run->net_gate[1] >= 0) {
		/* the child stays dumpable for the network helper; we do not */
		set_dumpable(false);
		close(run->net_gate[1]);
	}
	/* bwrap's callers read /proc/CHILD-PID of the pid it reports, pid 1:
	 * Flatpak's portals resolve paths through its root, flatpak enter
	 * joins its namespaces; bubblewrap's pid 1 allows it. */
	if (spec->personality == PERSONALITY_BWRAP)
		set_dumpable(true);
	if (parent_pidfd >= 0)
		close(parent_pidfd);
	if (run->linger_fd[0] >= 0)
		close(run->linger_fd[0]);
	/* the gate is the setup process's */
	if (run->enter_listen >= 0)
		close(run->enter_listen);
	if (run->enter_chan[0] >= 0)
		close(run->enter_chan[0]);
	pid1_prepare(spec, run, mp, ip, fuse_running);
	peer = pid1_pty(spec, run);
	if (run->net_gate[0] >= 0)
		pid1_net_gate(run);
	if (payload_replaces_pid1(spec))
		payload_start(spec, run, ip, peer);

	payload = fork();
	if (payload < 0) {
		sb_err(errno, "fork: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	if (payload == 0)
		payload_start(spec, run, ip, peer);
	if (peer >= 0)
		close(peer);
	close(run->sync_fd);
	if (spec->block_fd >= 0)
		close(spec->block_fd);
	if (spec->personality == PERSONALITY_BWRAP)
		pid1_close_inherited(spec, run);
	if (run->enter_chan[1] >= 0)
		code = enterd_wait(spec, run, ip, payload);
	else
		code = forward_and_wait(payload, -1, false, !spec->share_pid, NULL);
	if (run->linger_fd[1] >= 0)
		linger(spec, run, code);
	_exit(code);
}
