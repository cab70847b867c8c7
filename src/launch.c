/* launch.c - the setup process: prepare, spawn, supervise, finish.
 *
 *   setup (host namespaces; this file)
 *     preflight of every part, the compiled seccomp policy (struct run)
 *     clone3(CLONE_NEWUSER) -> child, blocked on the sync socket
 *     writes the child's id maps, sends GO; starts the network helper on
 *     NETNS and answers NET_OK; writes --info-fd/--json-status-fd
 *     (status.c); reads errors until EOF, then waits for the child with
 *     --timeout armed, and tidies up
 *   child (new user namespace, all capabilities there; child.c)
 *     namespaces, network join, the staging root and root filesystem,
 *     the pid namespace, fork -> pid 1, reports pid 1's pid
 *   pid 1 (pid1.c)
 *     the rest of the mounts, pivot_root, locks, fork -> payload, reaps,
 *     forwards signals (init.c)
 *   payload (exec.c)
 *     ids, capabilities, no_new_privs, seccomp, environment, execve
 *
 * Every process reports a failure as {errno, message} over the sync socket
 * (syncmsg.c; SOCK_SEQPACKET, close-on-exec); EOF means the payload is
 * running.  The live resources (sync socket, locks, exit-status pipe, the
 * compiled policy) are in struct run, owned here and inherited by the
 * children through clone/fork; the plan (struct sandbox_spec) holds none
 * but the caller's fds.
 *
 * Must not touch: what the stages do inside the sandbox (child.c, pid1.c,
 * exec.c, mounts.c); the helpers' internals (net.c, overlay.c, idmap.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sandbox.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

struct clone_args_ {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup; /* 5.5, 5.7 */
};

/* What the setup process learns from the children until EOF. */
struct supervision {
	int result;                  /* the exit code of a failed setup, or -1 */
	bool status_written;         /* --info-fd/--json-status-fd record */
	bool exec_seen;              /* the payload's execve is next */
	char nsids[256];             /* pid 1's namespace ids (MSG_NSIDS) */
	pid_t pid1;                  /* pid 1, as seen from here, or -1 */
	struct state_run state;      /* --name, --list's entry (state.c) */
	bool state_written;
};

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

/* The helper could not start.  When the child failed first (its error
 * is waiting on the socket), that is the cause to report. */
static int report_net_failure(int sync_fd)
{
	char ours[2048];
	struct sync_msg m;
	ssize_t n;

	snprintf(ours, sizeof ours, "%s", sb_errmsg());
	while ((n = recv(sync_fd, &m, sizeof m, MSG_DONTWAIT)) > 0) {
		if (!msg_complete(&m, n))
			continue;
		if (m.type == MSG_ERROR) {
			sb_print_message(m.text);
			return m.code;
		}
	}
	sb_print_message(ours);
	return sb_exit_setup;
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

/* The desktop's helpers the setup process started: the nested X server,
 * the D-Bus proxy */
static void stop_helpers(struct run *run)
{
	desktop_stop(&run->xephyr);
	dbus_stop(&run->dbus);
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

/* Everything checked and resolved before anything is created: 0, or the
 * exit code (the error printed). */
static int prepare(struct sandbox_spec *spec, struct run *run, struct mount_plan *mp,
		   struct net_plan *np, struct idplan *ip, struct limits_run *lr)
{
	if (share_preflight(spec) < 0 ||
	    cgroup_preflight(spec, &lr->cg) < 0 || rlimits_preflight(spec) < 0 ||
	    seccomp_prepare(spec, &run->policy) < 0 || landlock_preflight(spec) < 0) {
		sb_print_error();
		return sb_exit_setup;
	}
	memset(mp, 0, sizeof *mp);
	if (net_preflight(spec, np) < 0 || (spec->userns_fd < 0 && idmap_plan(spec, ip) < 0) ||
	    desktop_preflight(spec, spec->userns_fd < 0 ? ip->uid_ : spec->uid_set ? spec->uid
								     : getuid(), &run->xephyr, &run->dbus) < 0 ||
	    mounts_preflight(spec, mp) < 0 || overlay_preflight(spec, mp) < 0) {
		sb_print_error();
		overlay_preflight_undo(mp);
		stop_helpers(run);
		return sb_exit_setup;
	}
	if (spec->userns_fd >= 0) {
		/* ids are whatever that namespace maps; the payload keeps ours
		 * unless --uid/--gid say otherwise */
		memset(ip, 0, sizeof *ip);
		ip->uid_ = spec->uid_set ? spec->uid : getuid();
		ip->gid_ = spec->gid_set ? spec->gid : getgid();
		ip->how = "--userns";
	} else {
		warn_unmapped_rootfs(spec, mp, ip);
	}
	if (check_nested_maps(spec, ip) < 0) {
		sb_print_error();
		overlay_preflight_undo(mp);
		stop_helpers(run);
		return sb_exit_setup;
	}
	mp->payload_uid = ip->uid_;
	mp->payload_gid = ip->gid_;
	sb_step("preflight done: ids by %s", ip->how);
	return 0;
}

/* Our own fds never reach the payload; the native personality also
 * closes what it inherited (bwrap passes it through).  Then the sync
 * socket (SV) and the setup process's signalfd. */
static int open_setup_fds(const struct sandbox_spec *spec, int sv[2])
{
	int r;

	mark_cloexec(spec->info_fd);
	mark_cloexec(spec->json_status_fd);
	mark_cloexec(spec->sync_fd);
	mark_cloexec(spec->userns_fd);
	mark_cloexec(spec->userns2_fd);
	mark_cloexec(spec->pidns_fd);
	mark_cloexec(spec->userns_block_fd);
	mark_cloexec(spec->block_fd);
	if (spec->personality != PERSONALITY_BWRAP) {
		if (fd_set_cloexec_all_except(spec->keep_fds, spec->n_keep_fds, 3) < 0)
			return sb_err(errno, "cannot mark inherited fds close-on-exec: %s",
				      strerror(errno));
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return sb_err(errno, "socketpair: %s", strerror(errno));
	signals_block();
	if ((r = setup_signals_open()) < 0)
		return sb_err(-r, "signalfd: %s", strerror(-r));
	return 0;
}

/* The child made, a later step failed (its message set): undo, 125 */
static int spawn_undo(struct run *run, const struct mount_plan *mp, struct limits_run *lr)
{
	sb_print_error();
	overlay_preflight_undo(mp);
	kill(run->child, SIGKILL);
	(void)wait_child(run->child, NULL);
	stop_helpers(run); /* the child held the proxy's pipe too */
	limits_abort(lr);
	return sb_exit_setup;
}

/* The user-namespace child, mapped and told to go: 0, or the exit code
 * (the error printed). */
static int spawn(const struct sandbox_spec *spec, struct run *run, const struct mount_plan *mp,
		 const struct idplan *ip, struct limits_run *lr)
{
	struct clone_args_ ca = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	bool by_clone = false;
	int sv[2];

	if (open_setup_fds(spec, sv) < 0 || cgroup_setup(spec, &lr->cg) < 0) {
		sb_print_error();
		overlay_preflight_undo(mp);
		stop_helpers(run);
		return sb_exit_setup;
	}
	fflush(NULL);
	if (spec->userns_fd >= 0)
		ca.flags = 0; /* the child joins that namespace instead */
	if (cgroup_clone_fd(&lr->cg) >= 0) {
		/* straight into the limits: nothing runs outside them */
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_clone_fd(&lr->cg);
	}
	run->child = clone_child(&ca, &by_clone);
	if (run->child < 0) {
		int e = errno;
		if (by_clone && e == EPERM && ca.flags)
			sb_err(e, "cannot create a user namespace: nested user namespaces are "
			       "refused by the outer sandbox (its seccomp policy); run the outer "
			       "one with --allow-userns (and without --disable-userns)");
		else
			sb_err(e, "cannot create a user namespace: %s; %s", strerror(e),
			       userns_sysctl_hint());
		sb_print_error();
		overlay_preflight_undo(mp);
		stop_helpers(run);
		limits_abort(lr);
		return sb_exit_setup;
	}
	if (run->child == 0) {
		close(sv[0]);
		run->sync_fd = sv[1];
		child_main(spec, run, mp, ip);
	}
	set_dumpable(false);
	close(sv[1]);
	run->sync_fd = sv[0];
	if (run->enter_chan[1] >= 0) {
		close(run->enter_chan[1]);
		run->enter_chan[1] = -1;
	}
	if (spec->sync_fd >= 0)
		close(spec->sync_fd);
	if (spec->block_fd >= 0)
		close(spec->block_fd);
	if (spec->userns_block_fd >= 0)
		close(spec->userns_block_fd);
	sb_step("user namespace created (child pid %d)", (int)run->child);
	if (by_clone && cgroup_adopt(&lr->cg, run->child) < 0)
		return spawn_undo(run, mp, lr);
	if (spec->userns_fd < 0 && spec->userns_block_fd < 0) {
		if (idmap_apply(run->child, ip) < 0)
			return spawn_undo(run, mp, lr);
		sb_step("ids mapped (%s)", ip->how);
	}
	if (spec->userns_block_fd < 0)
		send_msg(run->sync_fd, MSG_GO, 0, 0, NULL); /* else it waits on that fd */
	return 0;
}

/* One message M from the children. */
static void handle_msg(const struct sandbox_spec *spec, const struct run *run,
		       struct net_plan *np, struct supervision *s, const struct sync_msg *m)
{
	if (m->type == MSG_NETNS && s->result < 0) {
		if (net_start(spec, np, run->child) < 0) {
			s->result = setup_signal_taken() ? setup_interrupted(run->child)
							 : report_net_failure(run->sync_fd);
			kill(run->child, SIGKILL);
		} else {
			send_msg(run->sync_fd, MSG_NET_OK, 0, 0, NULL);
		}
	} else if (m->type == MSG_NS_READY && !s->status_written) {
		write_status_of(spec, run->child);
		s->status_written = true;
	} else if (m->type == MSG_PID1) {
		s->pid1 = (pid_t)m->code;
	} else if (m->type == MSG_EXEC) {
		s->exec_seen = true;
	} else if (m->type == MSG_NSIDS) {
		size_t k = strnlen(m->text, sizeof s->nsids - 1);
		memcpy(s->nsids, m->text, k);
		s->nsids[k] = '\0';
	} else if (s->result < 0 && (m->type == MSG_ERROR || m->type == MSG_EXEC_ERROR)) {
		sb_print_message(m->text);
		s->result = m->code;
		s->exec_seen = false;
	}
	/* the state once pid 1 is known; with --enter's gate open, pid 1 tells
	 * its namespaces right after, and the state waits for them */
	if (s->pid1 > 0 && !s->state_written && (run->enter_listen < 0 || s->nsids[0])) {
		(void)state_write(spec, &s->state, s->pid1, s->nsids);
		s->state_written = true;
	}
	if (!s->status_written && s->pid1 > 0 && s->nsids[0]) {
		write_status(spec, s->pid1, s->nsids);
		s->status_written = true;
	}
}

/* Until EOF: pid 1's pid, and errors from the child, pid 1 or the
 * payload. */
static void supervise(const struct sandbox_spec *spec, struct run *run,
		      struct net_plan *np, struct supervision *s)
{
	struct sync_msg m;
	ssize_t n;
	int passed;

	for (;;) {
		n = next_msg(run->sync_fd, &m, &passed, np->pidfd);
		if (passed >= 0 && m.type == MSG_PTY && run->pty_master < 0)
			run->pty_master = passed;
		else if (passed >= 0)
			close(passed);
		if (n == -EINTR) {
			s->result = setup_interrupted(run->child);
			break;
		}
		if (n == -ECHILD) { /* the network helper exited */
			if (s->result < 0 && !s->exec_seen) {
				net_helper_failed(np); /* before the payload: in its words */
				s->result = report_net_failure(run->sync_fd);
				kill(run->child, SIGKILL);
			} else {
				net_helper_unwatch(np); /* finish() reaps it and says so */
			}
			continue;
		}
		if (n <= 0)
			break;
		if (!msg_complete(&m, n))
			continue;
		handle_msg(spec, run, np, s, &m);
	}
	if (s->pid1 > 0 && !s->state_written) { /* the namespaces never came */
		(void)state_write(spec, &s->state, s->pid1, s->nsids);
		s->state_written = true;
	}
}

/* SIGWINCH with a pty: the user's terminal's size to it, not forwarded */
static bool relay_signal(void *arg, int signo, int code)
{
	if (signo != SIGWINCH)
		return false;
	tty_relay_resize(arg);
	return true;
}

/* What the setup process watches while the payload runs: --timeout's
 * timer, the pty relay, the --enter gate.  Whether the kernel's signals
 * are forwarded (with a pty, the user's terminal signals only us). */
static bool watch_payload(const struct sandbox_spec *spec, struct run *run,
			  struct limits_run *lr, struct wait_hooks *h, struct tty_relay **trp)
{
	bool fks = spec->new_session;

	wait_hooks_init(h, limits_arm(lr, run->child));
	if (run->pty_master >= 0) {
		/* 70 KiB of buffers: only when there is a pty */
		struct tty_relay *tr = *trp = xcalloc(1, sizeof *tr);
		if (tty_relay_start(tr, run->pty_master) < 0) {
			sb_print_error();
			close(run->pty_master);
		} else {
			h->watch[1] = (struct wait_timer){ .fd = tty_relay_fd(tr),
							   .fired = tty_relay_ready, .arg = tr };
			h->signal = relay_signal;
			h->arg = tr;
			fks = true;
		}
		run->pty_master = -1;
	}
	if (run->enter_listen >= 0)
		h->watch[2] = (struct wait_timer){ .fd = run->enter_listen,
						   .fired = enter_gate_ready, .arg = run };
	return fks;
}

/* The payload runs (or the setup failed): wait for the child with
 * --timeout armed, stop the network helper, tidy up; the exit code. */
static int finish(const struct sandbox_spec *spec, struct run *run, struct mount_plan *mp,
		  struct net_plan *np, struct limits_run *lr, const struct supervision *s)
{
	int r, wst = 0, result = s->result;
	bool ran, fks;
	struct wait_hooks h;
	struct tty_relay *tr = NULL;

	close(run->sync_fd);
	setup_signals_close(); /* the payload's now: forwarded from here on */
	sb_step("payload started");
	fks = watch_payload(spec, run, lr, &h, &tr);
	r = forward_and_wait_hooks(run->child, np->pid, fks, false, &wst, &h);
	if (r < 0) {
		if (result < 0) /* else the setup failed and said why */
			net_helper_died(np, wst);
		np->pid = -1;
		r = forward_and_wait_hooks(run->child, -1, fks, false, NULL, &h);
	}
	if (tr) {
		tty_relay_stop(tr);
		free(tr);
	}
	enter_gate_close(run);
	net_stop(np);
	stop_helpers(run);
	if (result < 0 && !s->exec_seen)
		result = setup_died(r);
	overlay_tidy_workdir(mp);
	if (result == sb_exit_setup || setup_signal_taken())
		overlay_preflight_undo(mp);
	if (result >= 0)
		r = result;
	ran = s->status_written && s->exec_seen && result < 0;
	r = limits_finish(lr, r, result < 0 && s->exec_seen, ran);
	if (ran)
		status_exit_code(spec, r);
	return r;
}

int sandbox_run(struct sandbox_spec *spec)
{
	struct run run = { .sync_fd = -1, .linger_fd = { -1, -1 }, .net_gate = { -1, -1 },
			   .setup_pid = getpid(),
			   .child = -1, .xephyr = -1, .pty_master = -1, .enter_listen = -1,
			   .enter_chan = { -1, -1 }, .dbus = { .keeper = -1, .hold = -1 } };
	struct supervision s = { .result = -1, .pid1 = -1 };
	struct mount_plan mp;
	struct net_plan np;
	struct idplan ip;
	struct limits_run lr;
	int r;

	if (spec->die_with_parent) {
		pid_t ppid = getppid();
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != ppid)
			return sb_exit_setup;
	}
	limits_begin(spec, &lr);
	if ((r = prepare(spec, &run, &mp, &np, &ip, &lr)) != 0)
		return r;
	if (state_claim(spec, &s.state) < 0) {
		sb_print_error();
		overlay_preflight_undo(&mp);
		stop_helpers(&run);
		return sb_exit_setup;
	}
	if (spec->tty)
		tty_user_settings(&run.tty);
	enter_gate_open(spec, &s.state, &run);
	if ((r = spawn(spec, &run, &mp, &ip, &lr)) != 0) {
		enter_gate_close(&run);
		state_release(&s.state);
		return r;
	}
	supervise(spec, &run, &np, &s);
	r = finish(spec, &run, &mp, &np, &lr, &s);
	state_release(&s.state);
	return r;
}
