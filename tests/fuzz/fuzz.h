/* fuzz.h - shared by the libFuzzer harnesses (tests/fuzz/fuzz-*.c).
 *
 * A harness is one file, fuzz-NAME.c, defining LLVMFuzzerTestOneInput;
 * `make fuzz` finds it, builds it with ASan and UBSan against the
 * sandbox's own sources, and runs it on tests/fuzz/corpus/NAME (and with
 * tests/fuzz/NAME.dict when there is one).  A property the parser must
 * keep is checked with CHECK, which aborts: libFuzzer then saves the input.
 */
#ifndef FUZZ_H
#define FUZZ_H
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__,   \
				__LINE__, #cond);                                   \
			abort();                                                    \
		}                                                                   \
	} while (0)

/* DATA as a NUL-terminated string (a NUL inside ends it early). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
