/* probe.h - shared by the escape probes (tests/escape-tests.sh).
 *
 * A probe tries one way out of the sandbox and says what happened on one
 * line: "BLOCKED: ..." (exit 0), "OPEN: ..." (exit 1: the way out worked),
 * or "ERROR: ..." (exit 2: the probe could not even try).  The tests run
 * each probe with the protection on (expect BLOCKED) and, where an option
 * turns it off, without it (expect OPEN), which proves the probe can see
 * the hole it looks for.
 */
#ifndef PROBE_H
#define PROBE_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static inline __attribute__((noreturn, format(printf, 2, 3)))
void verdict(int code, const char *fmt, ...)
{
	static const char *const word[] = { "BLOCKED", "OPEN", "ERROR" };
	va_list ap;

	printf("%s: ", word[code]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	_exit(code);
}

#define BLOCKED(...) verdict(0, __VA_ARGS__)
#define OPEN(...) verdict(1, __VA_ARGS__)
#define ERROR(...) verdict(2, __VA_ARGS__)

#endif
