/* fuzz-cli: the option parser, both personalities, with --args (and the
 * other options that read a descriptor) fed from pipes.
 *
 * The input: the first byte picks the personality (odd: bwrap), then
 * NUL-separated words of the command line, then, after a 0xff byte, what
 * the pipe at fd 100 holds (for --args 100: NUL-separated words), and
 * after another 0xff, what the pipe at fd 101 holds.  In a fuzzing build
 * cli.c takes only descriptors from 100 on, so the fuzzer's own are safe.
 */
#include "fuzz.h"

#include <fcntl.h>
#include <sanitizer/lsan_interface.h>

#define MAX_WORDS 256
#define PIPE_MAX 60000 /* below a pipe's capacity: writing never blocks */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_WRONLY);

	/* --help and --version print to standard output */
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	return 0;
}

static void feed(int target, const uint8_t *data, size_t len)
{
	int p[2];

	if (pipe(p) < 0)
		abort();
	if (len > PIPE_MAX)
		len = PIPE_MAX;
	if (len && write(p[1], data, len) != (ssize_t)len)
		abort();
	close(p[1]);
	if (dup2(p[0], target) < 0)
		abort();
	close(p[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *sep1, *sep2;
	struct sandbox_spec spec;
	char *words, *argv[MAX_WORDS + 2];
	int argc = 0;
	size_t wlen, i;

	if (size < 1)
		return 0;
	memset(&spec, 0, sizeof spec);
	spec.personality = (data[0] & 1) ? PERSONALITY_BWRAP : PERSONALITY_SANDBOX;
	data++;
	sep1 = memchr(data, 0xff, (size_t)(end - data));
	sep2 = sep1 ? memchr(sep1 + 1, 0xff, (size_t)(end - sep1 - 1)) : NULL;
	wlen = (size_t)((sep1 ? sep1 : end) - data);
	feed(100, sep1 ? sep1 + 1 : data, sep1 ? (size_t)((sep2 ? sep2 : end) - sep1 - 1) : 0);
	feed(101, sep2 ? sep2 + 1 : data, sep2 ? (size_t)(end - sep2 - 1) : 0);

	words = malloc(wlen + 1);
	if (!words)
		abort();
	memcpy(words, data, wlen);
	words[wlen] = '\0';
	argv[argc++] = spec.personality == PERSONALITY_BWRAP ? "bwrap" : "sandbox";
	for (i = 0; i <= wlen && argc < MAX_WORDS + 1;) {
		argv[argc++] = words + i;
		i += strlen(words + i) + 1;
		if (i > wlen)
			break;
	}
	argv[argc] = NULL;

	/* the plan lives as long as the process that parsed it: what the
	 * parser allocates is not freed by design, so it is not a leak here */
	__lsan_disable();
	spec.caller_uid = getuid();
	(void)cli_parse(argc, argv, &spec);
	__lsan_enable();

	close(100);
	close(101);
	free(words);
	return 0;
}
