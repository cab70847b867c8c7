/* log.c - one error message per failure, printed by the top level. */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>

#include "sandbox.h"

const char *sb_prog = "sandbox";
int sb_verbose;
int sb_exit_setup = EXIT_SETUP;
bool sb_level_prefix;

static char errbuf[2048];
static int errnum;
static bool shown;

int sb_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof errbuf, fmt, ap);
	va_end(ap);
	errnum = err > 0 ? err : EINVAL;
	shown = false;
	return -errnum;
}

int sb_err_shown(int err)
{
	errbuf[0] = '\0';
	errnum = err > 0 ? err : EINVAL;
	shown = true;
	return -errnum;
}

int sb_errctx(int ret, const char *fmt, ...)
{
	char ctx[1024], old[sizeof errbuf];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof ctx, fmt, ap);
	va_end(ap);
	memcpy(old, errbuf, sizeof old);
	{
		size_t a = strnlen(ctx, sizeof ctx), b = strnlen(old, sizeof old);
		if (a + 2 + b >= sizeof errbuf)
			b = sizeof errbuf - a - 3;
		memcpy(errbuf, ctx, a);
		memcpy(errbuf + a, ": ", 2);
		memcpy(errbuf + a + 2, old, b);
		errbuf[a + 2 + b] = '\0';
	}
	return ret;
}

const char *sb_errmsg(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}

int sb_errnum(void)
{
	return errnum;
}

void sb_print_message(const char *text)
{
	fprintf(stderr, "%s%s: %s\n", sb_level_prefix ? "<3>" : "", sb_prog, text);
}

void sb_print_error(void)
{
	if (shown)
		return;
	sb_print_message(sb_errmsg());
}

void sb_warn(const char *fmt, ...)
{
	va_list ap;

	/* bwrap's warnings have no "warning: " (the level prefix says it) */
	fprintf(stderr, "%s%s: %s", sb_level_prefix ? "<4>" : "", sb_prog,
		sb_exit_setup == 1 ? "" : "warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void sb_step(const char *fmt, ...)
{
	static struct timespec last;
	struct timespec now;
	double ms;
	char line[512];
	va_list ap;
	int n;

	if (!sb_verbose)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (last.tv_sec == 0 && last.tv_nsec == 0)
		last = now;
	ms = (double)(now.tv_sec - last.tv_sec) * 1e3 +
	     (double)(now.tv_nsec - last.tv_nsec) / 1e6;
	last = now;
	n = snprintf(line, sizeof line, "%s: [%5d %8.3f ms] ", sb_prog, getpid(), ms);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	/* one write per line so lines of several processes do not mix */
	n = (int)strlen(line);
	if (n < (int)sizeof line - 1)
		line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
