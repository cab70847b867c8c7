/* enterd.c - the running sandbox's side of --enter.
 *
 *   client (sandbox --enter NAME, enter.c)
 *     connects to NAME's "enter" socket in the state directory
 *   gate (the setup process, on the host)
 *     accepts; lets through only a caller of the sandbox's own uid in the
 *     sandbox's own user namespace (the host's: never a process inside
 *     this or another sandbox, which may see the socket); hands the
 *     connection to pid 1 over a socket pair made before the clone
 *   pid 1 (enterd_*)
 *     reads the request (command, --chdir, --setenv/--unsetenv, --uid,
 *     pty or the caller's stdio fds), forks the command as its own child
 *     and gives it what the sandbox's command got: the same namespaces,
 *     ids, capabilities, bounding set, no_new_privs, Landlock ruleset,
 *     rlimits and compiled seccomp filter (exec.c's payload_exec); sends
 *     back its errors, then its exit code; kills it if the caller goes.
 *
 * pid 1 starting it, rather than the caller joining the namespaces with
 * setns(), is what makes it a child of the sandbox's init and gives it
 * exactly the payload's confinement: nothing is re-derived from a state
 * file, and the caller needs no privilege over the sandbox.
 *
 * Must not touch: the payload, the sandbox's mounts; only the fds and
 * processes of the entered commands.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "sandbox.h"

/* ---- the gate, in the setup process ---- */

/* Before the clone: the listening socket in the state directory, and the
 * pair to pid 1.  Without a state (bwrap, unnamed without a runtime dir),
 * with --as-pid-1 (no init of ours) or --share-pid (no way to tell the
 * sandbox's processes from the host's), there is nothing to enter. */
void enter_gate_open(const struct sandbox_spec *spec, const struct state_run *st, struct run *run)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	run->enter_listen = run->enter_chan[0] = run->enter_chan[1] = -1;
	if (st->dirfd < 0 || payload_replaces_pid1(spec) || spec->share_pid)
		return;
	snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d/enter", st->dirfd);
	run->enter_listen = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (run->enter_listen < 0 ||
	    bind(run->enter_listen, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(run->enter_listen, 64) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, run->enter_chan) < 0) {
		sb_warn("%s/%s/enter: %s (sandbox --enter %s will not work)", st->base, st->name,
			strerror(errno), st->name);
		enter_gate_close(run);
	}
}

void enter_gate_close(struct run *run)
{
	int i;

	if (run->enter_listen >= 0)
		close(run->enter_listen);
	for (i = 0; i < 2; i++)
		if (run->enter_chan[i] >= 0)
			close(run->enter_chan[i]);
	run->enter_listen = run->enter_chan[0] = run->enter_chan[1] = -1;
}

/* Is the peer of CONN this user, in our user namespace?  0, or a refusal */
static int gate_check(int conn, char *why, size_t len)
{
	struct ucred cr;
	socklen_t cl = sizeof cr;
	struct stat ours, theirs;
	char path[64];

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0)
		return snprintf(why, len, "cannot tell who is asking: %s", strerror(errno)), -1;
	if (cr.uid != getuid())
		return snprintf(why, len, "only uid %u, who started the sandbox, may enter it",
				(unsigned)getuid()), -1;
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)cr.pid);
	if (cr.pid <= 0 || stat("/proc/self/ns/user", &ours) < 0 || stat(path, &theirs) < 0 ||
	    ours.st_ino != theirs.st_ino || ours.st_dev != theirs.st_dev)
		return snprintf(why, len, "a process inside a sandbox may not enter another "
				"one"), -1;
	return 0;
}

/* The listening socket is readable: every waiting caller, checked, to pid 1 */
void enter_gate_ready(void *arg)
{
	struct run *run = arg;
	char why[256];
	int conn;

	while ((conn = accept4(run->enter_listen, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (gate_check(conn, why, sizeof why) < 0)
			send_msg(conn, MSG_ERROR, EPERM, sb_exit_setup, why);
		else if (send_msg_fd(run->enter_chan[0], MSG_ENTER, 0, NULL, conn) < 0)
			send_msg(conn, MSG_ERROR, EPIPE, sb_exit_setup, "the sandbox is ending");
		close(conn);
	}
}

/* ---- pid 1 ---- */

struct entered {
	int conn;          /* to the caller, -1 once it went */
	pid_t pid;         /* the command, -1 before it is started */
};

struct enterd {
	const struct sandbox_spec *spec;
	const struct run *run;
	const struct idplan *ip;
	int epfd;
	struct entered *e;
	size_t n;
};

static void drop(struct enterd *d, size_t i)
{
	if (d->e[i].conn >= 0) {
		(void)epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->e[i].conn, NULL);
		close(d->e[i].conn);
	}
	d->e[i] = d->e[--d->n];
}

/* The request: its header, then words "aARG", "cDIR", "sNAME=VALUE",
 * "uNAME", each NUL-terminated.  Builds SP's command and environment. */
static int parse_request(char *buf, size_t len, struct enter_req *rq, struct sandbox_spec *sp,
			 const char **cwd)
{
	size_t off = sizeof *rq, k, nenv = sp->n_env_ops;
	char **argv;
	int argc = 0;

	if (len < sizeof *rq)
		return sb_err(EPROTO, "--enter: a short request");
	memcpy(rq, buf, sizeof *rq);
	if (rq->magic != ENTER_MAGIC || rq->nwords == 0 || rq->nwords > len)
		return sb_err(EPROTO, "--enter: a request of another version of sandbox");
	argv = xcalloc(rq->nwords + 1, sizeof *argv);
	sp->argv = argv; /* the caller frees */
	sp->argc = 0;
	{
		struct env_op *ops = xcalloc(nenv + rq->nwords, sizeof *ops);
		if (nenv)
			memcpy(ops, sp->env_ops, nenv * sizeof *ops);
		sp->env_ops = ops;
	}
	for (k = 0; k < rq->nwords; k++) {
		char *w = buf + off, *nul = memchr(w, '\0', len - off), *eq;
		if (!nul || nul == w)
			return sb_err(EPROTO, "--enter: a malformed request");
		off = (size_t)(nul - buf) + 1;
		if (w[0] == 'a') {
			argv[argc++] = w + 1;
		} else if (w[0] == 'c') {
			*cwd = w + 1;
		} else if (w[0] == 's' && (eq = strchr(w + 1, '='))) {
			*eq = '\0';
			sp->env_ops[nenv++] = (struct env_op){ ENV_SET, w + 1, eq + 1 };
		} else if (w[0] == 'u') {
			sp->env_ops[nenv++] = (struct env_op){ ENV_UNSET, w + 1, NULL };
		} else {
			return sb_err(EPROTO, "--enter: a malformed request");
		}
	}
	if (argc == 0)
		return sb_err(EPROTO, "--enter: no command");
	sp->argc = argc;
	sp->n_env_ops = nenv;
	return 0;
}

/* The forked command: its terminal or the caller's fds, its directory,
 * then what the sandbox's command got (payload_exec). */
static __attribute__((noreturn)) void entered_exec(struct sandbox_spec *sp, struct run *rc,
						   struct idplan *ip, int peer, const int *fds,
						   const char *cwd)
{
	int i;

	if (peer >= 0) {
		if (tty_take(peer) < 0)
			child_fail(rc->sync_fd);
	} else {
		for (i = 0; i < 3; i++)
			if (dup2(fds[i], i) < 0) {
				sb_err(errno, "dup2: %s", strerror(errno));
				child_fail(rc->sync_fd);
			}
		for (i = 0; i < 3; i++)
			if (fds[i] > 2)
				close(fds[i]);
	}
	if (cwd) {
		char buf[4096];
		if (chdir(cwd) < 0) {
			sb_err(errno, "--chdir %s: %s", cwd, strerror(errno));
			child_fail(rc->sync_fd);
		}
		setenv("PWD", getcwd(buf, sizeof buf) ? buf : cwd, 1);
	}
	payload_exec(sp, rc, ip);
}

/* The caller's request on E's connection: start the command. */
static void start(struct enterd *d, struct entered *e)
{
	struct sandbox_spec sp = *d->spec;
	struct run rc = *d->run;
	struct idplan ip = *d->ip;
	struct enter_req rq;
	char *buf = xmalloc(ENTER_REQ_MAX);
	const char *cwd = NULL;
	int fds[3] = { -1, -1, -1 }, nf = 0, master = -1, peer = -1, i;
	uint64_t keep = caps_kept(d->spec, d->ip->uid_);
	ssize_t n = recv_msg_fds(e->conn, buf, ENTER_REQ_MAX, fds, 3, &nf, MSG_DONTWAIT);

	if (n <= 0)
		goto out; /* the caller went */
	if (parse_request(buf, (size_t)n, &rq, &sp, &cwd) < 0)
		goto fail;
	if (!(rq.flags & ENTER_TTY) && nf != 3) {
		sb_err(EPROTO, "--enter: the request came without its fds");
		goto fail;
	}
	if ((rq.flags & ENTER_TTY) && tty_open_pair(&rq.tty, &master, &peer) < 0)
		goto fail;
	if (master >= 0 && send_msg_fd(e->conn, MSG_PTY, 0, NULL, master) < 0) {
		sb_err(EPIPE, "--enter: cannot pass the terminal");
		goto fail;
	}
	/* the command's own, as the payload's: no more */
	sp.caps_add = keep;
	sp.caps_drop = ~keep;
	sp.argv0 = NULL;
	sp.new_session = peer < 0; /* never the session of our caller's terminal */
	sp.keep_fds = NULL;
	sp.n_keep_fds = 0;
	sp.block_fd = sp.sync_fd = -1;
	sp.as_pid_1 = false;
	if (rq.flags & ENTER_UID)
		ip.uid_ = rq.uid;
	rc.sync_fd = e->conn;
	fflush(NULL);
	e->pid = fork();
	if (e->pid == 0)
		entered_exec(&sp, &rc, &ip, peer, fds, cwd);
	if (e->pid < 0) {
		sb_err(errno, "--enter: fork: %s", strerror(errno));
		goto fail;
	}
	goto out;
fail:
	send_msg(e->conn, MSG_ERROR, sb_errnum(), sb_exit_setup, sb_errmsg());
out:
	for (i = 0; i < nf; i++)
		close(fds[i]);
	if (master >= 0)
		close(master);
	if (peer >= 0)
		close(peer);
	free(sp.env_ops != d->spec->env_ops ? sp.env_ops : NULL);
	free(sp.argv != d->spec->argv ? sp.argv : NULL);
	free(buf);
}

/* After the request: a signal to pass on, or the caller gone. */
static void from_caller(struct enterd *d, size_t i)
{
	struct entered *e = &d->e[i];
	struct sync_msg m;
	ssize_t n = recv(e->conn, &m, sizeof m, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && msg_complete(&m, n) && m.type == MSG_SIGNAL) {
		if (m.code > 0 && m.code < NSIG && m.code != SIGKILL && m.code != SIGSTOP)
			kill(e->pid, m.code);
		return;
	}
	/* the caller went (or spoke out of turn): the command goes too */
	if (e->pid > 0)
		kill(e->pid, SIGKILL);
	(void)epoll_ctl(d->epfd, EPOLL_CTL_DEL, e->conn, NULL);
	close(e->conn);
	e->conn = -1;
}

/* A connection from the gate */
static void from_gate(struct enterd *d)
{
	struct sync_msg m;
	int conn = -1, nf;
	ssize_t n = recv_msg_fds(d->run->enter_chan[1], &m, sizeof m, &conn, 1, &nf, MSG_DONTWAIT);
	struct epoll_event ev = { .events = EPOLLIN };

	if (n == 0) { /* the setup process went: no more callers */
		(void)epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->run->enter_chan[1], NULL);
		return;
	}
	if (n < 0 || nf != 1)
		return;
	ev.data.fd = conn;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, conn, &ev) < 0) {
		close(conn);
		return;
	}
	d->e = xrealloc(d->e, (d->n + 1) * sizeof *d->e);
	d->e[d->n++] = (struct entered){ .conn = conn, .pid = -1 };
}

static void enterd_ready(void *arg)
{
	struct enterd *d = arg;
	struct epoll_event ev[8];
	int n, k;
	size_t i;

	n = epoll_wait(d->epfd, ev, 8, 0);
	for (k = 0; k < n; k++) {
		if (ev[k].data.fd == d->run->enter_chan[1]) {
			from_gate(d);
			continue;
		}
		for (i = 0; i < d->n && d->e[i].conn != ev[k].data.fd; i++)
			;
		if (i == d->n)
			continue;
		if (d->e[i].pid < 0) {
			start(d, &d->e[i]);
			if (d->e[i].pid < 0)
				drop(d, i);
		} else {
			from_caller(d, i);
		}
	}
}

static void enterd_reaped(void *arg, pid_t pid, int st)
{
	struct enterd *d = arg;
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->e[i].pid == pid) {
			if (d->e[i].conn >= 0)
				send_msg(d->e[i].conn, MSG_EXIT, 0,
					 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), NULL);
			drop(d, i);
			return;
		}
}

/* pid 1, the payload started: wait for it as before, and serve --enter */
int enterd_wait(const struct sandbox_spec *spec, const struct run *run, const struct idplan *ip,
		pid_t payload)
{
	struct enterd d = { .spec = spec, .run = run, .ip = ip, .epfd = -1 };
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = run->enter_chan[1] };
	struct wait_hooks h;

	wait_hooks_init(&h, NULL);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0 || epoll_ctl(d.epfd, EPOLL_CTL_ADD, run->enter_chan[1], &ev) < 0) {
		/* the sandbox runs on; it only cannot be entered */
		if (d.epfd >= 0)
			close(d.epfd);
		return forward_and_wait(payload, -1, false, true, NULL);
	}
	h.watch[0] = (struct wait_timer){ .fd = d.epfd, .fired = enterd_ready, .arg = &d };
	h.reaped = enterd_reaped;
	h.arg = &d;
	return forward_and_wait_hooks(payload, -1, false, true, NULL, &h);
}
