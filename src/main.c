/* main.c - personality dispatch and the top-level sequence. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/stat.h>

#include "sandbox.h"

int main(int argc, char **argv)
{
	struct sandbox_spec spec;
	const char *base;
	int r;

	memset(&spec, 0, sizeof spec);
	spec.caller_uid = getuid();
	base = argv[0] ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : argv[0] ? argv[0] : "sandbox";
	if (strcmp(base, "bwrap") == 0) {
		spec.personality = PERSONALITY_BWRAP;
		sb_prog = "bwrap";
		sb_exit_setup = 1;
		/* bwrap run by root keeps root's capabilities (caps.c) */
		if (spec.caller_uid == 0 && caps_bounding_set(&spec.caller_bset) < 0) {
			sb_print_error();
			return sb_exit_setup;
		}
	}
	r = cli_parse(argc, argv, &spec);
	sb_level_prefix = spec.level_prefix;
	if (r > 0)
		return 0;
	if (r < 0) {
		sb_print_error();
		return sb_exit_setup;
	}
	sb_verbose = spec.verbose;
	if (spec.mode == CMD_LIST)
		return state_list(&spec);
	if (spec.mode == CMD_STOP)
		return state_stop(&spec);
	if (spec.mode == CMD_ENTER)
		return state_enter(&spec);
	return sandbox_run(&spec);
}
