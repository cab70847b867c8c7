/* enter.c - the commands that act on running sandboxes: --list [--json],
 * --stop NAME [--grace SECONDS] and --enter NAME COMMAND (the caller's
 * side; the sandbox's is enterd.c).
 *
 * Owns reading every state of this user (state.c keeps them), telling a
 * live sandbox from a dead one by its lock, and stopping one: SIGTERM to
 * its setup process (which forwards it down to the command), SIGKILL to
 * its pid 1 (which takes the whole pid namespace) after the grace period,
 * and waiting until the setup process, which reaps its helpers and
 * removes the state, is gone.  A process is signalled only through a
 * pidfd whose start time matches the state's, so a reused pid is never
 * hit.  It runs nothing inside a sandbox.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

#include "sandbox.h"

/* A pidfd for PID if it is still the process that started at START */
static int pidfd_of(pid_t pid, unsigned long long start)
{
	int fd;

	if (pid <= 0)
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	/* checked after the open: the fd now pins this very process */
	if (start && state_start_time(pid) != start) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

static void uptime_text(long long s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s / 3600 % 24);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void print_entry(FILE *f, const char *name, struct state_info *in, bool json,
			bool first)
{
	char up[32], *p = in->command, *w;
	long long age = (long long)time(NULL) - in->started;

	if (json) {
		fprintf(f, "%s\n  { \"name\": ", first ? "" : ",");
		json_string(f, name);
		fprintf(f, ", \"pid\": %d, \"pid1\": %d, \"started\": %lld, \"uptime-s\": %lld, "
			"\"root\": ", (int)in->setup_pid, (int)in->pid1, in->started, age);
		json_string(f, in->root);
		if (in->namespaces) {
			static const char *const ns[] = { "cgroup", "ipc", "mnt", "net", "pid", "uts" };
			unsigned long long id[6];
			if (sscanf(in->namespaces, "%llu %llu %llu %llu %llu %llu", &id[0], &id[1],
				   &id[2], &id[3], &id[4], &id[5]) == 6) {
				fprintf(f, ", \"namespaces\": {");
				for (int k = 0; k < 6; k++)
					fprintf(f, "%s\"%s\": %llu", k ? ", " : " ", ns[k], id[k]);
				fprintf(f, " }");
			}
		}
		fprintf(f, ", \"command\": [");
		for (bool one = true; (w = state_next_word(&p)); one = false) {
			fprintf(f, "%s", one ? " " : ", ");
			json_string(f, w);
		}
		fprintf(f, " ] }");
		return;
	}
	uptime_text(age, up, sizeof up);
	fprintf(f, "%-24s %-8d %-8s ", name, (int)in->setup_pid, up);
	for (bool one = true; (w = state_next_word(&p)); one = false)
		fprintf(f, "%s%s", one ? "" : " ", w);
	fprintf(f, "  %s\n", in->root);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in BASEFD, sorted (to free) */
static size_t list_names(int basefd, char ***out)
{
	DIR *d = fdopendir(dup(basefd));
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (state_name_ok(e->d_name)) { /* not .new-PID: one taking its name */
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = xstrdup(e->d_name);
		}
	closedir(d);
	qsort(v, n, sizeof *v, cmp_names);
	*out = v;
	return n;
}

/* sandbox --list [--json]: this user's running sandboxes; dead ones'
 * states are removed on the way. */
int state_list(const struct sandbox_spec *spec)
{
	char base[PATH_MAX], **names = NULL;
	size_t n, i, shown = 0;
	int basefd = state_base(base, sizeof base);

	if (basefd < 0) {
		sb_print_error();
		return sb_exit_setup;
	}
	n = list_names(basefd, &names);
	if (spec->json)
		printf("[");
	else
		printf("%-24s %-8s %-8s COMMAND  ROOT\n", "NAME", "PID", "UPTIME");
	for (i = 0; i < n; i++) {
		struct state_info in;
		if (state_alive(basefd, names[i]) == 1 &&
		    state_read(basefd, names[i], &in) == 0) {
			print_entry(stdout, names[i], &in, spec->json, shown++ == 0);
			state_info_free(&in);
		}
		free(names[i]);
	}
	free(names);
	if (spec->json)
		printf("%s]\n", shown ? "\n" : "");
	(void)rmdir(base); /* empty now that the dead ones went */
	close(basefd);
	return fflush(stdout) == 0 ? 0 : sb_exit_setup;
}

/* Wait for the process of PIDFD to end, at most MS milliseconds: true if
 * it did. */
static bool wait_gone(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return r > 0;
}

static int stop_one(const struct sandbox_spec *spec, struct state_info *in)
{
	int setup = pidfd_of(in->setup_pid, in->setup_start), pid1;
	int grace_ms = (int)(spec->grace_ns / 1000000);

	if (setup < 0)
		return sb_err(ESRCH, "--stop %s: its process %d is gone", spec->stop_name,
			      (int)in->setup_pid);
	if (syscall(SYS_pidfd_send_signal, setup, SIGTERM, NULL, 0) < 0) {
		int e = errno;
		close(setup);
		return sb_err(e, "--stop %s: cannot signal process %d: %s", spec->stop_name,
			      (int)in->setup_pid, strerror(e));
	}
	sb_step("SIGTERM sent to %d", (int)in->setup_pid);
	if (!wait_gone(setup, grace_ms)) {
		pid1 = pidfd_of(in->pid1, in->pid1_start);
		sb_step("grace period over: SIGKILL to pid 1 (%d)", (int)in->pid1);
		if (pid1 >= 0) {
			(void)syscall(SYS_pidfd_send_signal, pid1, SIGKILL, NULL, 0);
			close(pid1);
		}
		/* the setup process reaps the helpers and tidies up: give it
		 * time, then take it down too */
		if (!wait_gone(setup, 10000)) {
			(void)syscall(SYS_pidfd_send_signal, setup, SIGKILL, NULL, 0);
			(void)wait_gone(setup, -1);
		}
	}
	close(setup);
	return 0;
}

/* The running sandbox SPEC->stop_name, for OPT (--stop, --enter): FN on
 * its state, FN's result; or -errno with the message set.  Dead states
 * are cleaned on the way, and the base when it is empty. */
static int on_running(const struct sandbox_spec *spec, const char *opt,
		      int (*fn)(const struct sandbox_spec *, int, struct state_info *, void *),
		      void *arg)
{
	char base[PATH_MAX];
	struct state_info in;
	int basefd = state_base(base, sizeof base), r;

	if (basefd < 0)
		return basefd;
	r = state_alive(basefd, spec->stop_name);
	if (r == 1 && (r = state_read(basefd, spec->stop_name, &in)) == 0) {
		r = fn(spec, basefd, &in, arg);
		state_info_free(&in);
	} else if (r >= 0) {
		r = sb_err(ENOENT, "%s %s: no sandbox of that name is running (see sandbox "
			   "--list)", opt, spec->stop_name);
	} else {
		r = sb_err(-r, "%s %s: %s/%s: %s", opt, spec->stop_name, base, spec->stop_name,
			   strerror(-r));
	}
	(void)rmdir(base);
	close(basefd);
	return r;
}

static int stop_found(const struct sandbox_spec *spec, int basefd, struct state_info *in,
		      void *arg)
{
	return stop_one(spec, in);
}

/* sandbox --stop NAME [--grace SECONDS] */
int state_stop(const struct sandbox_spec *spec)
{
	if (on_running(spec, "--stop", stop_found, NULL) < 0) {
		sb_print_error();
		return sb_exit_setup;
	}
	return 0;
}

/* ---- sandbox --enter NAME [OPTION...] COMMAND ---- */

/* Connect to NAME's gate, and make sure it is NAME's setup process that
 * answers (pid, start time and uid): 0 with *CONN, or -errno (message). */
static int enter_connect(const struct sandbox_spec *spec, int basefd,
			 struct state_info *in, void *arg)
{
	int *conn = arg;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct ucred cr;
	socklen_t cl = sizeof cr;
	int dfd, s, e;

	dfd = openat(basefd, spec->stop_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return sb_err(errno, "--enter %s: %s", spec->stop_name, strerror(errno));
	snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d/enter", dfd);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		e = errno;
		close(dfd);
		if (s >= 0)
			close(s);
		if (e == ENOENT || e == ECONNREFUSED)
			return sb_err(e, "--enter %s: it cannot be entered (it runs its command "
				      "as pid 1 with --as-pid-1, or shares the host's pids with "
				      "--share-pid)", spec->stop_name);
		return sb_err(e, "--enter %s: %s", spec->stop_name, strerror(e));
	}
	close(dfd);
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0 || cr.pid != in->setup_pid ||
	    state_start_time(cr.pid) != in->setup_start || cr.uid != getuid()) {
		close(s);
		return sb_err(EPERM, "--enter %s: its socket is not served by its sandbox "
			      "(process %d of uid %u)", spec->stop_name, (int)in->setup_pid,
			      (unsigned)getuid());
	}
	*conn = s;
	return 0;
}

static void put_req_word(struct sbuf *b, char kind, const char *w)
{
	sbuf_add(b, "%c%s", kind, w);
	sbuf_add(b, "%c", 0);
}

/* The request (enterd.c reads it), with our fds 0-2 unless a pty is asked */
static int enter_request(const struct sandbox_spec *spec, int conn)
{
	struct enter_req rq = { .magic = ENTER_MAGIC };
	union { struct cmsghdr h; char buf[CMSG_SPACE(3 * sizeof(int))]; } cm;
	struct sbuf b = { 0 };
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[3] = { 0, 1, 2 }, i, r = 0;

	sbuf_add(&b, "%*s", (int)sizeof rq, ""); /* the header's room */
	for (i = 0; i < spec->argc; i++, rq.nwords++)
		put_req_word(&b, 'a', spec->argv[i]);
	if (spec->chdir) {
		put_req_word(&b, 'c', spec->chdir);
		rq.nwords++;
	}
	for (size_t k = 0; k < spec->n_env_ops; k++, rq.nwords++) {
		const struct env_op *eo = &spec->env_ops[k];
		if (eo->kind == ENV_SET) {
			sbuf_add(&b, "s%s=%s", eo->name, eo->value);
			sbuf_add(&b, "%c", 0);
		} else {
			put_req_word(&b, 'u', eo->name);
		}
	}
	if (spec->tty) {
		rq.flags |= ENTER_TTY;
		tty_user_settings(&rq.tty);
	}
	if (spec->enter_uid_set) {
		rq.flags |= ENTER_UID;
		rq.uid = spec->uid;
	}
	if (b.len > ENTER_REQ_MAX) {
		free(b.p);
		return sb_err(E2BIG, "--enter %s: the command and environment are longer than "
			      "%d bytes", spec->stop_name, ENTER_REQ_MAX);
	}
	memcpy(b.p, &rq, sizeof rq);
	iov = (struct iovec){ .iov_base = b.p, .iov_len = b.len };
	if (!spec->tty) {
		memset(&cm, 0, sizeof cm);
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof cm.buf;
		CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof fds);
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), fds, sizeof fds);
	}
	if (sendmsg(conn, &mh, MSG_NOSIGNAL) < 0)
		r = sb_err(errno, "--enter %s: cannot send the request: %s", spec->stop_name,
			   strerror(errno));
	free(b.p);
	return r;
}

struct entering {
	const struct sandbox_spec *spec;
	int conn, code;
	bool exec_seen, done;
	struct tty_relay tr;
};

/* One message from pid 1 (or the gate) */
static void from_sandbox(struct entering *en)
{
	struct sync_msg m;
	int fd = -1, nf;
	ssize_t n = recv_msg_fds(en->conn, &m, sizeof m, &fd, 1, &nf, 0);

	if (n == -EINTR || n == -EAGAIN)
		return;
	if (n <= 0 || !msg_complete(&m, n)) {
		if (en->code < 0) {
			en->code = en->exec_seen ? 128 + SIGKILL : sb_exit_setup;
			fprintf(stderr, "%s: --enter %s: the sandbox ended %s\n", sb_prog,
				en->spec->stop_name, en->exec_seen ? "while the command ran"
								   : "before the command started");
		}
		en->done = true;
	} else if (m.type == MSG_PTY && nf == 1 && !en->tr.active) {
		if (tty_relay_start(&en->tr, fd) < 0)
			sb_print_error();
		else
			fd = -1;
	} else if (m.type == MSG_EXEC) {
		en->exec_seen = true;
		sb_step("entered: executing");
	} else if (m.type == MSG_ERROR || m.type == MSG_EXEC_ERROR) {
		sb_print_message(m.text);
		en->exec_seen = false;
	} else if (m.type == MSG_EXIT) {
		en->code = m.code;
		en->done = true;
	}
	if (fd >= 0)
		close(fd);
}

/* Until the entered command's exit: relay, pass signals on, read pid 1 */
static void entering_loop(struct entering *en)
{
	static const int passed[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	struct signalfd_siginfo si;
	sigset_t set;
	size_t i;
	int sfd;

	sigemptyset(&set);
	for (i = 0; i < sizeof passed / sizeof passed[0]; i++)
		sigaddset(&set, passed[i]);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	while (!en->done) {
		struct pollfd p[3] = { { .fd = en->conn, .events = POLLIN },
				       { .fd = sfd, .events = POLLIN },
				       { .fd = tty_relay_fd(&en->tr), .events = POLLIN } };
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[2].revents)
			tty_relay_ready(&en->tr);
		if (p[1].revents && read(sfd, &si, sizeof si) == sizeof si) {
			if (si.ssi_signo == SIGWINCH)
				tty_relay_resize(&en->tr);
			else
				send_msg(en->conn, MSG_SIGNAL, 0, (int)si.ssi_signo, NULL);
		}
		if (p[0].revents)
			from_sandbox(en);
	}
	if (sfd >= 0)
		close(sfd);
}

/* sandbox --enter NAME [--chdir DIR] [--setenv ...] [--uid N] [--tty ...]
 * [--] COMMAND: the entered command's exit code */
int state_enter(const struct sandbox_spec *spec)
{
	struct entering *en;
	int r, conn = -1;

	r = on_running(spec, "--enter", enter_connect, &conn);
	if (r == 0 && (r = enter_request(spec, conn)) < 0)
		close(conn);
	if (r < 0) {
		sb_print_error();
		return sb_exit_setup;
	}
	en = xcalloc(1, sizeof *en);
	en->spec = spec;
	en->conn = conn;
	en->code = -1;
	en->tr.epfd = -1;
	entering_loop(en);
	tty_relay_stop(&en->tr);
	close(conn);
	r = en->code < 0 ? sb_exit_setup : en->code;
	free(en);
	return r;
}
