/* status.c - what the caller learns on --info-fd and --json-status-fd.
 *
 * bwrap's records: the sandbox's pid as seen from the setup process and
 * the ids of the namespaces it has of its own (write_status, once the
 * namespaces exist), then "exit-code" once the command has ended
 * (status_exit_code).  The native personality's "usage" line follows
 * from rlimit.c (limits_finish), which measures it.  ns_ids_text reads the
 * ids, in pid 1 (which is not dumpable: only it can read its /proc) or in
 * the setup process.
 *
 * Must not touch: anything but the status fds it writes and the /proc
 * directory it is given.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>

#include "sandbox.h"

/* the namespaces --info-fd and --json-status-fd report, in bwrap's order */
static const char *const ns_names[] = { "cgroup", "ipc", "mnt", "net", "pid", "uts" };
#define N_NS (sizeof ns_names / sizeof ns_names[0])

/* "ino ino ino ..." of the namespaces of the process whose /proc
 * directory is DIRFD; 0 for one that cannot be read. */
void ns_ids_text(int dirfd, char *buf, size_t len)
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

static void write_fd_text(int fd, const char *text)
{
	(void)write_all(fd, text, strlen(text)); /* the reader may be gone */
}

/* bwrap's --info-fd / --json-status-fd record: the pid, as seen from here,
 * and the ids of the namespaces the sandbox has of its own. */
void write_status(const struct sandbox_spec *spec, pid_t pid, const char *ids)
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

/* The status of the sandbox whose user-namespace child is CHILD, read
 * from its /proc entries (when the child is still dumpable). */
void write_status_of(const struct sandbox_spec *spec, pid_t child)
{
	char dir[32], ids[256];
	int dfd;

	snprintf(dir, sizeof dir, "/proc/%d", (int)child);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ns_ids_text(dfd, ids, sizeof ids);
	if (dfd >= 0)
		close(dfd);
	write_status(spec, child, ids);
}

/* bwrap writes "exit-code" only for a command that ran; the fd is done. */
void status_exit_code(const struct sandbox_spec *spec, int code)
{
	char line[64];

	if (spec->json_status_fd < 0)
		return;
	snprintf(line, sizeof line, "{ \"exit-code\": %d }\n", code);
	write_fd_text(spec->json_status_fd, line);
	close(spec->json_status_fd);
}
