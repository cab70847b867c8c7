/* exec.c - the payload's last steps, and the one PATH search.
 *
 * payload_exec runs in the payload's process (forked by pid 1, or pid 1
 * itself with --as-pid-1): session, --userns2, ids and capabilities,
 * no_new_privs, Landlock, environment, inherited fds, --block-fd, the
 * PATH search, rlimits, the seccomp filters, execve.  A failure goes to
 * the setup process over the sync socket (syncmsg.c) and ends the process.
 *
 * path_search is the only walk of $PATH: execvp's rules for the payload
 * (exec_search), the host's absolute entries for the helpers we start
 * (find_in_path, used by net.c and overlay.c).
 *
 * Must not touch: mounts, namespaces, the setup process's resources.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "sandbox.h"

extern char **environ;

/* The setup stages must not be reachable from the payload: a process
 * that is not dumpable cannot be ptraced, and its /proc/PID/exe, mem,
 * fd/ and ns/ cannot be opened, by anything without CAP_SYS_PTRACE over
 * the user namespace its memory was created in, which for the setup
 * process, the child and pid 1 is the host's (none of them executes). */
void set_dumpable(bool on)
{
	prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0);
}

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* FILE on $PATH (unset: DEFAULT_PATH): the first regular file we may
 * execute.  A directory of PATH we may not search is skipped rather than
 * reported; EACCES only when a file by that name exists but cannot be
 * executed.  Returns 0 with *OUT set (allocated), or the errno to report.
 *   the payload (HELPER false): execvp's rules, an empty entry is the
 *     current directory, relative entries count, the effective ids decide;
 *   a helper of ours (HELPER true): absolute entries only, an empty PATH
 *     is DEFAULT_PATH, the real ids decide (access(2)). */
static int path_search(const char *file, bool helper, char **out)
{
	const char *path = getenv("PATH"), *p;
	int found_eacces = 0, other = 0;

	if (!path || (helper && !*path))
		path = DEFAULT_PATH;
	for (p = path;; ) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : strlen(p);

		if (!helper || (dlen > 0 && p[0] == '/')) {
			char *cand = dlen == 0 ? xstrdup(file)
					       : xasprintf("%.*s/%s", (int)dlen, p, file);
			struct stat st;

			if (stat(cand, &st) == 0) {
				if (S_ISREG(st.st_mode) &&
				    faccessat(AT_FDCWD, cand, X_OK, helper ? 0 : AT_EACCESS) == 0) {
					*out = cand;
					return 0;
				}
				found_eacces = 1;
			} else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP &&
				   errno != ENAMETOOLONG && errno != EACCES && !other) {
				other = errno;
			}
			free(cand);
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	if (found_eacces)
		return EACCES;
	return other ? other : ENOENT;
}

/* The absolute path of an executable NAME on $PATH (absolute entries only),
 * or NULL.  Helpers we start are looked up this way, in the host's view. */
char *find_in_path(const char *name)
{
	char *found;

	return path_search(name, true, &found) == 0 ? found : NULL;
}

/* execvp's search, without executing: FILE itself when it has a slash. */
static int exec_search(const char *file, char **out)
{
	if (strchr(file, '/')) {
		*out = (char *)file;
		return 0;
	}
	if (!*file)
		return ENOENT;
	return path_search(file, false, out);
}

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
static int install_seccomp(const struct sandbox_spec *spec, const struct run *run)
{
	size_t i;

	if (run->policy.filter && load_filter(&run->policy, "seccomp policy", 1) < 0)
		return -EINVAL;
	for (i = 0; i < spec->n_seccomp_progs; i++)
		if (load_filter(&spec->seccomp_progs[i], "seccomp program", i + 1) < 0)
			return -EINVAL;
	return 0;
}

/* Report that COMMAND cannot be executed (errno E) and exit. */
static __attribute__((noreturn)) void exec_failed(const struct sandbox_spec *spec,
						  const struct run *run, int e)
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
	send_msg(run->sync_fd, MSG_EXEC_ERROR, e, code, msg);
	_exit(code);
}

/* Does the command run in pid 1's place (--as-pid-1), without a reaper?
 * Also as bwrap without a pid namespace of its own, unless pid 1 has locks
 * or --sync-fd to hold: bubblewrap starts no init process there, and
 * nothing but the command shows in the pid namespace (the host's, or the
 * one --pidns joins). */
bool payload_replaces_pid1(const struct sandbox_spec *spec)
{
	return spec->as_pid_1 ||
	       (spec->personality == PERSONALITY_BWRAP && spec->share_pid &&
		spec->n_lock_files == 0 && spec->sync_fd < 0);
}

/* VAR as the payload will see it: after --clearenv, --setenv, --unsetenv. */
const char *payload_getenv(const struct sandbox_spec *spec, const char *var)
{
	const char *v = spec->clearenv ? NULL : getenv(var);
	size_t i;

	for (i = 0; i < spec->n_env_ops; i++)
		if (strcmp(spec->env_ops[i].name, var) == 0)
			v = spec->env_ops[i].kind == ENV_SET ? spec->env_ops[i].value : NULL;
	return v;
}

/* Session, --userns2, ids and capabilities, no_new_privs, Landlock. */
static void payload_confine(const struct sandbox_spec *spec, const struct run *run,
			    const struct idplan *ip)
{
	if (spec->new_session && setsid() < 0) {
		sb_err(errno, "--new-session: setsid: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	if (spec->userns2_fd >= 0 && setns(spec->userns2_fd, CLONE_NEWUSER) < 0) {
		sb_err(errno, spec->personality == PERSONALITY_BWRAP ? "Setting userns2 failed: %s" :
		       "--userns2: cannot switch to the user namespace: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	if (caps_apply(spec, ip->uid_, ip->gid_) < 0)
		child_fail(run->sync_fd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sb_err(errno, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	if (spec->assert_userns_disabled) {
		if (unshare(CLONE_NEWUSER) == 0) {
			sb_err(EPERM, "creation of new user namespaces was not disabled as requested");
			child_fail(run->sync_fd);
		}
	}
	if (landlock_apply(spec) < 0)
		child_fail(run->sync_fd);
}

/* --clearenv, --setenv, --unsetenv */
static void payload_environment(const struct sandbox_spec *spec)
{
	size_t i;

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
}

/* Which fds the command inherits, then --block-fd. */
static void payload_fds(const struct sandbox_spec *spec, const struct run *run)
{
	size_t i;

	/* the native sandbox passes only 0, 1, 2 and --keep-fd; bwrap passes all */
	if (spec->personality != PERSONALITY_BWRAP &&
	    fd_set_cloexec_all_except(spec->keep_fds, spec->n_keep_fds, 3) < 0) {
		sb_err(errno, "cannot mark inherited fds close-on-exec: %s", strerror(errno));
		child_fail(run->sync_fd);
	}
	/* with --as-pid-1 there is no pid 1 of ours to hold the locks and
	 * --sync-fd: the command inherits them */
	if (payload_replaces_pid1(spec) && run->lock_fds)
		for (i = 0; i < spec->n_lock_files; i++)
			fcntl(run->lock_fds[i], F_SETFD, 0);
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
}

__attribute__((noreturn)) void payload_exec(const struct sandbox_spec *spec,
					    const struct run *run, const struct idplan *ip)
{
	char **argv, *path = NULL;
	size_t i;
	int e;

	signals_reset();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	payload_confine(spec, run, ip);
	payload_environment(spec);
	payload_fds(spec, run);
	argv = xcalloc((size_t)spec->argc + 1, sizeof(char *));
	for (i = 0; i < (size_t)spec->argc; i++)
		argv[i] = spec->argv[i];
	if (spec->argv0)
		argv[0] = (char *)spec->argv0;
	/* PATH is searched now: under the filter only execve runs */
	if ((e = exec_search(spec->argv[0], &path)) != 0)
		exec_failed(spec, run, e);
	if (rlimits_apply(spec) < 0)
		child_fail(run->sync_fd);
	sb_step("executing %s", path);
	/* only the filter and execve are left: the payload runs unless
	 * MSG_ERROR or MSG_EXEC_ERROR follows (sent before the filter, which
	 * may forbid send) */
	send_msg(run->sync_fd, MSG_EXEC, 0, 0, NULL);
	if (install_seccomp(spec, run) < 0)
		child_fail(run->sync_fd);
	execve(path, argv, environ);
	exec_failed(spec, run, errno);
}
