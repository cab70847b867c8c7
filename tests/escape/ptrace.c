/* ptrace: reach another process of the sandbox through ptrace and /proc:
 * attach to it, open /proc/PID/exe, read its memory, list its fds.
 *
 *   ptrace PID        try PID (pid 1: the sandbox's init)
 *   ptrace ancestors  try every ancestor (with --share-pid: the setup
 *                     processes and the host's shell)
 *   ptrace child      try a child of our own (the control: it works)
 */
#include "probe.h"
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

/* the outcome of one attempt: "open", or the errno's name */
static const char *outcome(int ok, int e, int *reached)
{
	if (ok) {
		*reached = 1;
		return "open";
	}
	return ename(e);
}

/* 1 when something of PID could be reached; what, in WHAT */
static int try_pid(pid_t pid, char *what, size_t n)
{
	char path[64];
	const char *exe, *mem, *fds, *at;
	int fd, reached = 0;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	exe = outcome(fd >= 0, errno, &reached);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	mem = outcome(fd >= 0, errno, &reached);
	if (fd >= 0)
		close(fd);
	/* the fd numbers may be listed (by the owner of a non-dumpable
	 * process's /proc entries: the host's root); what counts is opening
	 * one or reading its link */
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d) {
		fds = ename(errno);
	} else {
		struct dirent *de;
		int opened = 0, e = ENOENT;
		fds = "listed, none opened";
		while ((de = readdir(d)) && !opened) {
			char fp[400], link[256];
			if (de->d_name[0] == '.')
				continue;
			snprintf(fp, sizeof fp, "%s/%s", path, de->d_name);
			fd = open(fp, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			if (fd >= 0 || readlink(fp, link, sizeof link) >= 0) {
				opened = 1;
				if (fd >= 0)
					close(fd);
			} else {
				e = errno;
			}
		}
		closedir(d);
		if (opened)
			fds = outcome(1, 0, &reached);
		else if (e != ENOENT)
			fds = ename(e);
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) {
		at = outcome(1, 0, &reached);
		ptrace(PTRACE_DETACH, pid, 0, 0);
	} else {
		at = outcome(0, errno, &reached);
	}
	snprintf(what, n, "pid %d: exe %s, mem %s, fds %s, ptrace %s", (int)pid, exe, mem, fds, at);
	return reached;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int ppid = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof buf, f) && (p = strrchr(buf, ')')) && sscanf(p + 2, "%*c %d", &ppid) != 1)
		ppid = 0;
	fclose(f);
	return ppid;
}

int main(int argc, char **argv)
{
	char what[300], all[4096] = "";
	const char *mode = argc > 1 ? argv[1] : "1";

	if (strcmp(mode, "child") == 0) {
		int p[2];
		char c;
		pid_t k;
		if (pipe(p) < 0 || (k = fork()) < 0)
			ERROR("fork: %s", strerror(errno));
		if (k == 0) {
			close(p[1]);
			(void)!read(p[0], &c, 1);
			_exit(0);
		}
		close(p[0]);
		if (try_pid(k, what, sizeof what))
			OPEN("%s", what);
		BLOCKED("%s", what);
	}
	if (strcmp(mode, "ancestors") == 0) {
		pid_t pid = getppid();
		int any = 0, n = 0;
		while (pid > 0 && n++ < 16) {
			any |= try_pid(pid, what, sizeof what);
			strncat(all, what, sizeof all - strlen(all) - 3);
			strcat(all, "; ");
			pid = parent_of(pid);
		}
		if (n == 0)
			ERROR("no ancestor is visible");
		if (any)
			OPEN("%s", all);
		BLOCKED("%s", all);
	}
	if (try_pid(atoi(mode), what, sizeof what))
		OPEN("%s", what);
	BLOCKED("%s", what);
}
