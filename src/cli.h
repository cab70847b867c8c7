/* cli.h - between cli.c (reading argv, --args, --help) and options.c
 * (the option table and its handlers), and profile.c, which checks a
 * profile's options against the table; nothing else includes it.
 *
 * Must not hold anything the rest of the program needs: the parser's entry
 * points are in sandbox.h's cli.c section, the plan is spec.h's.
 */
#ifndef SANDBOX_CLI_H
#define SANDBOX_CLI_H

#include "sandbox.h"

/* --perms/--size/--overlay-src waiting for the operation they qualify */
struct pending {
	bool perms_set;
	mode_t perms;
	uint64_t size;
	const char **lowers;
	size_t n_lowers;
	/* --seccomp/--add-seccomp-fd, read once every option is known (a
	 * conflict between them is said first, as bwrap does) */
	struct pending_sc { int fd; bool replace; const char *opt; } *sc;
	size_t n_sc;
	bool sc_add, sc_replace;
};

/* The parser's state, handed to every handler. */
struct cli {
	struct sandbox_spec *spec;
	struct pending pd;
	int argc;
	char **argv;
	int i;                  /* argv[i] is the option being handled */
	int next;               /* the last word it takes; a handler may move it */
	int depth;              /* --args nesting */
	struct mount_op *op;    /* an operation that --perms, --size or
				 * --overlay-src qualify, set by its handler */
	unsigned int bwrap_seen; /* bwrap: which once-only options were given */
};

/* Which personality an option belongs to.  Every option is read by both
 * personalities (bwrap takes sandbox's own options too); where two rows
 * share a name, the bwrap personality and the native one after
 * --overlay-src take bubblewrap's row (--overlay). */
enum opt_pers {
	P_NATIVE,   /* sandbox's own: in sandbox --help only */
	P_BWRAP,    /* bubblewrap's only: not read natively (none today) */
	P_BOTH,     /* bubblewrap's, and sandbox's: in both --help texts */
};

#define F_PERMS  (1u << 0) /* may follow --perms and --size */
#define F_LOWERS (1u << 1) /* may follow --overlay-src */
#define F_CMDLINE (1u << 3) /* not in a profile: the command line's only (the
			     * modes, --profile); options that take an FD
			     * (args "FD") are refused there too */
#define F_ENTER  (1u << 2) /* may be given with --enter (widens nothing) */

struct opt;
/* Returns 0, 1 to stop and exit 0 (--help, --version, --print-hides),
 * or -errno with a message.  V holds the option's NARGS arguments. */
typedef int opt_fn(struct cli *c, const struct opt *o, char **v);

struct opt {
	const char *name;       /* NULL: a row of --help text only (help) */
	const char *alias;      /* -p, -v, -h */
	const char *args;       /* the arguments' names in --help */
	int nargs;
	enum opt_pers pers;
	unsigned flags;         /* F_* */
	opt_fn *fn;
	const char *help;       /* NULL: not in --help; after a '\n' the text
				 * goes on in the help column */
};

/* options.c: the table, in --help's order */
extern const struct opt cli_opts[];
extern const size_t cli_n_opts;

/* cli.c: what the handlers share */
int cli_parse_fd(const char *opt, const char *val, int *out);
int cli_splice_args(struct cli *c, int fd);
int cli_run_profile(struct cli *c, const struct profile *p);
void cli_print_usage(const struct sandbox_spec *spec, const char *argv0, FILE *f);

#endif
