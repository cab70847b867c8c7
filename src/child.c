/* child.c - the user-namespace child, cloned by the setup process.
 *
 * It joins or waits for its user namespace's maps (GO on the sync socket,
 * or --userns-block-fd), unshares mount, net, ipc, uts and cgroup, sets the
 * hostname and brings lo up; with a network helper it makes eth0, reports
 * NETNS and loads the egress rules; it builds the staging root and the
 * root filesystem (mounts.c, fuse-overlayfs started here), stops being
 * dumpable, enters the pid namespace (--pidns, the intermediate process,
 * CLONE_NEWPID, --unshare-time), forks pid 1 (pid1.c), reports its pid and
 * waits for it, supervising fuse-overlayfs.
 *
 * The network helper joins our namespaces through our /proc entries, so
 * we stay dumpable until it has (netwait.c: it configured eth0).  That
 * wait comes after pid 1's fork, so that pid 1 builds the rest of the
 * root meanwhile (it makes itself not dumpable first); pid 1 starts the
 * payload only when we open the net gate.  With --pidns (the
 * intermediate process) the wait comes before, as the rest does.
 *
 * Must not touch: the setup process's side (id maps, the network helper,
 * the status fds, which it closes first).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sandbox.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

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
static int linger_pipe(struct run *run)
{
	if (pipe2(run->linger_fd, O_CLOEXEC) < 0)
		return sb_err(errno, "pipe: %s", strerror(errno));
	if (fcntl(run->linger_fd[0], F_SETOWN, getpid()) < 0 ||
	    fcntl(run->linger_fd[0], F_SETSIG, SIGCHLD) < 0 ||
	    fcntl(run->linger_fd[0], F_SETFL, O_NONBLOCK | O_ASYNC) < 0)
		return sb_err(errno, "cannot set up the exit-status pipe: %s", strerror(errno));
	return 0;
}

/* Into the user namespace: --userns, or the maps the setup process (or,
 * with --userns-block-fd, an outside program) writes; then the sandbox's
 * other namespaces.  IP's payload ids follow someone else's maps. */
static void child_enter_userns(const struct sandbox_spec *spec, const struct run *run,
			       struct idplan *ip)
{
	struct sync_msg m;
	ssize_t n;

	if (spec->userns_fd >= 0) {
		if (setns(spec->userns_fd, CLONE_NEWUSER) < 0) {
			if (spec->personality != PERSONALITY_BWRAP)
				sb_err(errno, "--userns: cannot join the user namespace: %s",
				       strerror(errno));
			else if (errno == EINVAL) /* bubblewrap's words */
				sb_err(EINVAL, "Joining the specified user namespace failed, it "
				       "might not be a descendant of the current user namespace.");
			else
				sb_err(errno, "Joining specified user namespace failed: %s",
				       strerror(errno));
			child_fail(run->sync_fd);
		}
		close(spec->userns_fd);
	}
	if (spec->userns_block_fd >= 0) {
		/* an outside program writes our maps: namespaces first so the
		 * info it reads is complete, then wait for it */
		char b;
		if (child_unshare(spec) < 0)
			child_fail(run->sync_fd);
		send_msg(run->sync_fd, MSG_NS_READY, 0, 0, NULL);
		while (read(spec->userns_block_fd, &b, 1) < 0 && errno == EINTR)
			;
		close(spec->userns_block_fd);
	} else {
		n = recv_msg(run->sync_fd, &m);
		if (n <= 0 || m.type != MSG_GO)
			_exit(sb_exit_setup); /* the setup process failed and said so */
		sb_step("ids mapped, inside the user namespace");
		if (take_mapped_ids(ip) < 0 || child_unshare(spec) < 0)
			child_fail(run->sync_fd);
	}
	if (spec->userns_fd >= 0 || spec->userns_block_fd >= 0) {
		/* someone else's maps: we are whoever they made us */
		if (!spec->uid_set)
			ip->uid_ = getuid();
		if (!spec->gid_set)
			ip->gid_ = getgid();
	}
}

/* Does the wait for the network helper come after pid 1's fork? */
static bool net_waits_late(const struct sandbox_spec *spec)
{
	return net_uses_helper(spec) && spec->pidns_fd < 0;
}

/* The network helper's part, the root filesystem; then (unless the
 * helper's wait comes later) we stop being dumpable; bwrap's exit-status
 * pipe. */
static void child_build(const struct sandbox_spec *spec, struct run *run,
			const struct mount_plan *mp, struct overlay_run *ov)
{
	if (net_uses_helper(spec)) {
		/* the setup process starts the helper against our namespaces
		 * while we load the egress rules and build the root; it
		 * attaches to our tap device */
		if (net_child_tap(spec) < 0 || net_child_watch(spec) < 0)
			child_fail(run->sync_fd);
		send_msg(run->sync_fd, MSG_NETNS, 0, 0, NULL);
		if (net_child_setup(spec) < 0)
			child_fail(run->sync_fd);
	}
	/* The root filesystem, and fuse-overlayfs, before the pid namespace:
	 * the payload can neither see nor signal the server. */
	if (mounts_stage(spec, mp, ov) < 0)
		child_fail(run->sync_fd);
	if (net_waits_late(spec)) {
		if (pipe2(run->net_gate, O_CLOEXEC) < 0) {
			sb_err(errno, "pipe: %s", strerror(errno));
			child_fail(run->sync_fd);
		}
	} else {
		if (net_uses_helper(spec) && net_child_wait(spec, run->sync_fd) < 0)
			child_fail(run->sync_fd);
		/* Nothing reads our /proc entries from outside any more (the
		 * maps are written, the network helper has our namespaces),
		 * and the payload will exist: this process, the one --pidns
		 * adds and pid 1 (which inherit it) are not dumpable, in both
		 * personalities.  As bwrap, pid 1 makes itself dumpable again
		 * (see pid1_main). */
		set_dumpable(false);
	}
	if (bwrap_lingers(spec) && linger_pipe(run) < 0)
		child_fail(run->sync_fd);
}

/* After pid 1's fork: the helper has configured eth0 (it joined our
 * namespaces), we stop being dumpable, pid 1 may start the payload. */
static void child_net_late(const struct sandbox_spec *spec, struct run *run)
{
	close(run->net_gate[0]);
	if (net_child_wait(spec, run->sync_fd) < 0)
		child_fail(run->sync_fd); /* pid 1 dies with us */
	set_dumpable(false);
	if (write(run->net_gate[1], "1", 1) != 1) {
		sb_err(errno, "the net gate: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	close(run->net_gate[1]);
}

/* --pidns: join it; without --share-pid, fork the intermediate process
 * that creates the new pid namespace under it.  Returns the intermediate
 * process's pid (in its parent), 0 in it, -1 when there is none. */
static pid_t child_join_pidns(const struct sandbox_spec *spec, struct run *run,
			      struct overlay_run *ov)
{
	pid_t waited = -1;

	if (setns(spec->pidns_fd, CLONE_NEWPID) < 0) {
		sb_err(errno, spec->personality == PERSONALITY_BWRAP ? "Setting pidns failed: %s" :
		       "--pidns: cannot join the pid namespace: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	close(spec->pidns_fd);
	if (spec->share_pid)
		return -1;
	/* a new pid namespace under that one: the kernel wants a process
	 * that is already in it to create it */
	waited = fork();
	if (waited < 0) {
		sb_err(errno, "fork: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	if (waited == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		ov->fuse_pid = -1; /* the parent supervises it */
		if (run->linger_fd[0] >= 0)
			close(run->linger_fd[0]); /* the parent reads it */
		run->linger_fd[0] = -1;
	}
	return waited;
}

/* The pid (and time) namespace, and pid 1 in it; its pid goes to the
 * setup process. */
static pid_t child_spawn_pid1(const struct sandbox_spec *spec, struct run *run,
			      const struct mount_plan *mp, const struct idplan *ip,
			      bool fuse_running)
{
	int flags = 0, self_pidfd;
	pid_t pid1;

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
		child_fail(run->sync_fd);
	}

	self_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	pid1 = fork();
	if (pid1 < 0) {
		sb_err(errno, "fork: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	if (pid1 == 0)
		pid1_main(spec, run, mp, ip, self_pidfd, fuse_running);
	if (self_pidfd >= 0)
		close(self_pidfd);
	send_msg(run->sync_fd, MSG_PID1, 0, (int32_t)pid1, NULL);
	return pid1;
}

/* Wait for PID1 (or the intermediate process WAITED), forwarding signals,
 * while fuse-overlayfs (OV) serves the root; exit as it did. */
static __attribute__((noreturn)) void child_wait(const struct sandbox_spec *spec,
						 struct run *run, pid_t pid1,
						 pid_t waited, const struct overlay_run *ov)
{
	int code, wst = 0;

	close(run->sync_fd);
	if (spec->sync_fd >= 0)
		close(spec->sync_fd);
	if (spec->block_fd >= 0)
		close(spec->block_fd);
	if (run->linger_fd[1] >= 0)
		close(run->linger_fd[1]);
	enter_gate_close(run); /* pid 1's and the setup process's */
	code = forward_and_wait_fd(pid1, ov->fuse_pid, false, false, &wst, run->linger_fd[0]);
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
	if (ov->fuse_pid > 0) {
		kill(ov->fuse_pid, SIGTERM);
		(void)wait_child(ov->fuse_pid, NULL);
	}
	_exit(code);
}

__attribute__((noreturn)) void child_main(const struct sandbox_spec *spec, struct run *run,
					  const struct mount_plan *mp, const struct idplan *ip_in)
{
	struct overlay_run ov = { .fuse_pid = -1 };
	struct idplan ip = *ip_in;
	pid_t pid1, waited = -1;
	bool fuse_running;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != run->setup_pid)
		_exit(sb_exit_setup);
	setup_signals_close(); /* the setup process's */
	/* the setup process's ends of the status protocols: EOF on them must
	 * not wait for the sandbox */
	if (spec->info_fd >= 0)
		close(spec->info_fd);
	if (spec->json_status_fd >= 0)
		close(spec->json_status_fd);
	child_enter_userns(spec, run, &ip);
	child_build(spec, run, mp, &ov);
	fuse_running = ov.fuse_pid > 0;
	if (spec->pidns_fd >= 0)
		waited = child_join_pidns(spec, run, &ov);
	if (waited <= 0)
		pid1 = child_spawn_pid1(spec, run, mp, &ip, fuse_running);
	else
		pid1 = waited; /* the intermediate process; it forwards in turn */
	if (run->net_gate[1] >= 0)
		child_net_late(spec, run);
	child_wait(spec, run, pid1, waited, &ov);
}
