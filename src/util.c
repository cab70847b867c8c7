/* util.c - small safe wrappers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "sandbox.h"

static void oom(void)
{
	static const char msg[] = "sandbox: out of memory\n";
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	_exit(EXIT_SETUP);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return p;
}

/* Strict decimal: digits only, no sign, no spaces, fits in 32 bits. */
int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

int read_small_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

/* All of DATA to FD, across short writes and EINTR; 0 or -errno (-EIO when
 * the fd takes nothing). */
int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* DATA as the whole of the existing file PATH (kernel files: /proc/PID/
 * uid_map and the like take one write, so one short write is -EIO). */
int write_file_at(int dirfd, const char *path, const char *data)
{
	size_t len = strlen(data);
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* waitpid(PID, STATUS, 0) across EINTR: PID on success, -errno otherwise. */
pid_t wait_child(pid_t pid, int *status)
{
	int st;
	pid_t r;

	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -errno;
	if (status)
		*status = st;
	return r;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Mark every fd >= FROM close-on-exec except those in KEEP (whose
 * close-on-exec flag is cleared).  KEEP may be as long as the caller
 * likes and in any order. */
int fd_set_cloexec_all_except(const int *keep, size_t n_keep, int from)
{
	int *sorted = n_keep ? xmalloc(n_keep * sizeof(int)) : NULL;
	unsigned int lo = (unsigned int)from;
	size_t i;
	int r = 0;

	if (n_keep) {
		memcpy(sorted, keep, n_keep * sizeof(int));
		qsort(sorted, n_keep, sizeof(int), cmp_int);
	}
	for (i = 0; i < n_keep && r == 0; i++) {
		int k = sorted[i], fl;
		if (k < from || (unsigned int)k < lo)
			continue; /* below FROM, or listed twice */
		if ((unsigned int)k > lo &&
		    syscall(SYS_close_range, lo, (unsigned int)k - 1, CLOSE_RANGE_CLOEXEC) < 0)
			r = -errno;
		fl = fcntl(k, F_GETFD);
		if (fl >= 0)
			fcntl(k, F_SETFD, fl & ~FD_CLOEXEC);
		lo = (unsigned int)k + 1;
	}
	free(sorted);
	if (r == 0 && syscall(SYS_close_range, lo, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		r = -errno;
	return r;
}

/* Append to BUF (SIZE bytes, *OFF used): the text is added whole or not
 * at all (-ENOSPC, BUF unchanged); BUF stays NUL-terminated. */
int buf_printf(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= size)
		return -ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, size - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *off) {
		buf[*off] = '\0';
		return n < 0 ? -EINVAL : -ENOSPC;
	}
	*off += (size_t)n;
	return 0;
}

/* A growing string: sbuf_add appends; p is NUL-terminated once anything
 * was added (NULL before); the caller frees p. */
void sbuf_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			oom(); /* only an invalid format fails, and formats are ours */
		if (b->p && (size_t)n < b->cap - b->len)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	b->len += (size_t)n;
}

/* The whole of PATH, NUL-terminated, in *DATA (to free); -EFBIG past MAX
 * bytes. */
int read_file_all(const char *path, char **data, size_t *len, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	if ((r = read_fd_all(fd, data, len, max)) < 0)
		return r;
	*data = xrealloc(*data, *len + 1);
	(*data)[*len] = '\0';
	return 0;
}

/* Which knob disables unprivileged user namespaces on this machine. */
const char *userns_sysctl_hint(void)
{
	char buf[32];

	if (read_small_file("/proc/sys/user/max_user_namespaces", buf, sizeof buf) > 0 &&
	    atoi(buf) == 0)
		return "user namespaces are disabled: sysctl user.max_user_namespaces is 0 "
		       "(an administrator can enable them: sysctl -w user.max_user_namespaces=15000)";
	if (read_small_file("/proc/sys/kernel/unprivileged_userns_clone", buf, sizeof buf) > 0 &&
	    atoi(buf) == 0)
		return "unprivileged user namespaces are disabled: sysctl kernel.unprivileged_userns_clone is 0 "
		       "(an administrator can enable them: sysctl -w kernel.unprivileged_userns_clone=1)";
	if (read_small_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", buf, sizeof buf) > 0 &&
	    atoi(buf) == 1)
		return "AppArmor restricts unprivileged user namespaces: sysctl "
		       "kernel.apparmor_restrict_unprivileged_userns is 1 (give sandbox an AppArmor "
		       "profile with 'userns,' or set the sysctl to 0)";
	return "check the sysctls user.max_user_namespaces, kernel.unprivileged_userns_clone "
	       "and kernel.apparmor_restrict_unprivileged_userns";
}

/* A helper's own words, when it failed: the last line it wrote to ERRFD
 * (a file it had as stderr), in BUF. */
void helper_words(int errfd, char *buf, size_t len)
{
	ssize_t n = pread(errfd, buf, len - 1, 0);
	char *p;

	buf[n > 0 ? n : 0] = '\0';
	while ((p = strrchr(buf, '\n')) && p[1] == '\0')
		*p = '\0';
	if ((p = strrchr(buf, '\n')))
		memmove(buf, p + 1, strlen(p + 1) + 1);
}

long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}
