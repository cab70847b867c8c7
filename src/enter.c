/* enter.c - the commands that act on running sandboxes: --list [--json]
 * and --stop NAME [--grace SECONDS].
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
#include <sys/syscall.h>
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

/* sandbox --stop NAME [--grace SECONDS] */
int state_stop(const struct sandbox_spec *spec)
{
	char base[PATH_MAX];
	struct state_info in;
	int basefd = state_base(base, sizeof base), r;

	if (basefd < 0) {
		sb_print_error();
		return sb_exit_setup;
	}
	r = state_alive(basefd, spec->stop_name);
	if (r == 1 && (r = state_read(basefd, spec->stop_name, &in)) == 0) {
		r = stop_one(spec, &in);
		state_info_free(&in);
	} else if (r >= 0) {
		r = sb_err(ENOENT, "--stop %s: no sandbox of that name is running (see sandbox "
			   "--list)", spec->stop_name);
	} else {
		r = sb_err(-r, "--stop %s: %s/%s: %s", spec->stop_name, base, spec->stop_name,
			   strerror(-r));
	}
	(void)rmdir(base);
	close(basefd);
	if (r < 0) {
		sb_print_error();
		return sb_exit_setup;
	}
	return 0;
}
