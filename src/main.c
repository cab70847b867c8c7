/* main.c - personality dispatch and the top-level sequence. */
#define _GNU_SOURCE
#include <errno.h>

#include "sandbox.h"

int main(int argc, char **argv)
{
	struct sandbox_spec spec;
	int r;

	memset(&spec, 0, sizeof spec);
	r = cli_parse(argc, argv, &spec);
	if (r > 0)
		return 0;
	if (r < 0) {
		sb_print_error();
		return EXIT_SETUP;
	}
	sb_verbose = spec.verbose;
	return sandbox_run(&spec);
}
