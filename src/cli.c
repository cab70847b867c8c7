/* cli.c - argv -> struct sandbox_spec, for both personalities: reading
 * the words, --args, and --help; the options themselves are the table's
 * (options.c), the checks between them spec.c's.
 *
 * Options are read until "--" or the first word that is not an option;
 * everything after is the command.  Mount operations keep their order.
 * --args FD splices NUL-separated arguments read from FD in its place, so
 * it nests.  --perms and --size qualify the next operation only.  Must
 * not touch anything but the plan and the fds named on the command line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include "cli.h"

static bool bwrap(const struct sandbox_spec *spec)
{
	return spec->personality == PERSONALITY_BWRAP;
}

/* ---- values ---- */

/* "IN:OUT:COUNT", each a 32-bit decimal, COUNT > 0, no wrap-around. */
int parse_id_map_entry(const char *s, struct id_range *out)
{
	char buf[64], *a, *b, *c;

	if (strlen(s) >= sizeof buf)
		return -EINVAL;
	strcpy(buf, s);
	a = buf;
	b = strchr(a, ':');
	if (!b)
		return -EINVAL;
	*b++ = '\0';
	c = strchr(b, ':');
	if (!c)
		return -EINVAL;
	*c++ = '\0';
	if (parse_u32(a, &out->inside) < 0 || parse_u32(b, &out->outside) < 0 ||
	    parse_u32(c, &out->count) < 0 || out->count == 0)
		return -EINVAL;
	if ((uint64_t)out->inside + out->count > (uint64_t)UINT32_MAX + 1 ||
	    (uint64_t)out->outside + out->count > (uint64_t)UINT32_MAX + 1)
		return -ERANGE;
	return 0;
}

/* OCTAL: 1 to 4 octal digits, at most 07777. */
int parse_octal(const char *s, mode_t *out)
{
	unsigned v = 0;
	size_t n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '7' || n >= 5)
			return -EINVAL;
		v = v * 8 + (unsigned)(*s - '0');
	}
	if (v > 07777)
		return -ERANGE;
	*out = (mode_t)v;
	return 0;
}

/* BYTES: a decimal number, optionally with k, M or G (powers of 1024). */
int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	const char *p = s;

	if (!*p)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -EINVAL;
	if (*p) {
		if (p[1])
			return -EINVAL;
		switch (*p) {
		case 'k': case 'K': mul = 1ULL << 10; break;
		case 'm': case 'M': mul = 1ULL << 20; break;
		case 'g': case 'G': mul = 1ULL << 30; break;
		default: return -EINVAL;
		}
	}
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

int cli_parse_fd(const char *opt, const char *val, int *out)
{
	uint32_t fd;

	if ((parse_u32(val, &fd) < 0 || fd > INT_MAX) && sb_exit_setup == 1)
		return sb_err(EINVAL, "Invalid fd: %s", val); /* bwrap's words */
	if (parse_u32(val, &fd) < 0 || fd > INT_MAX)
		return sb_err(EINVAL, "%s: invalid file descriptor '%s'", opt, val);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* tests/fuzz/fuzz-cli.c: the fuzzer's own descriptors are below 100,
	 * the harness offers its pipes from 100 on */
	if (fd < 100)
		return sb_err(EBADF, "%s %s: not a descriptor of the harness", opt, val);
#endif
	if (fcntl((int)fd, F_GETFD) < 0 && sb_exit_setup == 1) {
		/* bwrap's words where it reads the fd; elsewhere ours */
		if (strcmp(opt, "--args") == 0)
			return sb_err(EBADF, "Can't read --args data: %s", strerror(EBADF));
		if (strcmp(opt, "--seccomp") == 0 || strcmp(opt, "--add-seccomp-fd") == 0)
			return sb_err(EBADF, "Can't read seccomp data: %s", strerror(EBADF));
	}
	if (fcntl((int)fd, F_GETFD) < 0)
		return sb_err(EBADF, "%s %s: file descriptor %s is not open", opt, val, val);
	*out = (int)fd;
	return 0;
}

/* Read FD to its end (the --file, --bind-data, --seccomp and --args
 * payloads), then close it as bwrap does. */
int read_fd_all(int fd, char **data, size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t k;
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return -e;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	*data = buf;
	*len = n;
	return 0;
}

#define MAX_ARGS_BYTES (64u << 20)

/* Replace argv[i] and argv[i+1] ("--args FD") by the NUL-separated words
 * read from FD. */
int cli_splice_args(struct cli *c, int fd)
{
	char *data, **nv;
	size_t len, nwords = 0, k;
	int r, j, n;

	if ((r = read_fd_all(fd, &data, &len, MAX_ARGS_BYTES)) < 0)
		return c->spec->personality == PERSONALITY_BWRAP ?
			       sb_err(-r, "Can't read --args data: %s", strerror(-r)) :
			       sb_err(-r, "--args %d: cannot read the arguments: %s", fd, strerror(-r));
	for (k = 0; k < len; k++)
		if (data[k] == '\0')
			nwords++;
	if (len > 0 && data[len - 1] != '\0')
		nwords++; /* a last word without its NUL */
	data = xrealloc(data, len + 1);
	data[len] = '\0';
	nv = xcalloc((size_t)c->argc - 2 + nwords + 1, sizeof(char *));
	for (j = 0; j < c->i; j++)
		nv[j] = c->argv[j];
	n = c->i;
	for (k = 0; k < len; k += strlen(data + k) + 1)
		nv[n++] = data + k;
	for (j = c->i + 2; j < c->argc; j++)
		nv[n++] = c->argv[j];
	nv[n] = NULL;
	c->argc = n;
	c->argv = nv;
	return 0;
}

static int read_seccomp(struct sandbox_spec *spec, const char *opt, int fd, bool replace)
{
	char *data;
	size_t len;
	int r;

	if (spec->personality == PERSONALITY_BWRAP) {
		/* bwrap reads the fd once and closes it; an empty program is
		 * refused by the kernel when loaded */
		if ((r = read_fd_all(fd, &data, &len, 1 << 20)) < 0) /* closes fd */
			return sb_err(-r, "Can't read seccomp data: %s", strerror(-r));
		if (len % 8 != 0) {
			free(data);
			return sb_err(EINVAL, "Invalid seccomp data, must be multiple of 8");
		}
	} else if ((r = read_fd_all(fd, &data, &len, 1 << 20)) < 0) {
		return sb_err(-r, "%s %d: cannot read the seccomp program: %s", opt, fd, strerror(-r));
	}
	if ((len == 0 && spec->personality != PERSONALITY_BWRAP) || len % 8 != 0)
		return sb_err(EINVAL, "%s %d: %zu bytes is not a compiled BPF program "
			      "(a multiple of 8 bytes, as seccomp_export_bpf writes)", opt, fd, len);
	if (replace)
		spec->n_seccomp_progs = 0;
	spec->seccomp_progs = xrealloc(spec->seccomp_progs,
				       (spec->n_seccomp_progs + 1) * sizeof *spec->seccomp_progs);
	spec->seccomp_progs[spec->n_seccomp_progs].filter = data;
	spec->seccomp_progs[spec->n_seccomp_progs].len = len;
	spec->n_seccomp_progs++;
	return 0;
}

/* ---- --help ---- */

/* --help when invoked as bwrap, after "usage: ARGV0": bubblewrap 0.12's
 * options, then ours. */
static const char bwrap_usage[] =
	" [OPTIONS...] [--] COMMAND [ARGS...]\n"
	"\n"
	"    --help                       Print this help\n"
	"    --version                    Print version\n"
	"    --args FD                    Parse NUL-separated arguments from FD\n"
	"    --argv0 VALUE                argv[0] for the program\n"
	"    --level-prefix               Prefix diagnostics with a syslog level (<3>, <4>)\n"
	"    --unshare-all                Unshare every namespace possible\n"
	"    --share-net                  Keep the network namespace (after --unshare-all)\n"
	"    --unshare-user               New user namespace\n"
	"    --unshare-user-try           New user namespace if possible\n"
	"    --unshare-ipc                New ipc namespace\n"
	"    --unshare-pid                New pid namespace\n"
	"    --unshare-net                New network namespace\n"
	"    --unshare-uts                New uts namespace\n"
	"    --unshare-cgroup             New cgroup namespace\n"
	"    --unshare-cgroup-try         New cgroup namespace if possible\n"
	"    --userns FD                  Use this user namespace instead of a new one\n"
	"    --userns2 FD                 Switch to this user namespace after setup\n"
	"    --disable-userns             The sandbox may not create user namespaces\n"
	"    --assert-userns-disabled     Fail unless user namespaces are already disabled\n"
	"    --pidns FD                   Use this pid namespace (as the parent with --unshare-pid)\n"
	"    --uid UID                    Uid inside the sandbox\n"
	"    --gid GID                    Gid inside the sandbox\n"
	"    --hostname NAME              Hostname (needs --unshare-uts)\n"
	"    --chdir DIR                  Working directory\n"
	"    --clearenv                   Empty the environment (PWD is kept)\n"
	"    --setenv VAR VALUE           Set an environment variable\n"
	"    --unsetenv VAR               Unset an environment variable\n"
	"    --lock-file DEST             Hold a lock on DEST while the sandbox runs\n"
	"    --sync-fd FD                 Keep FD open while the sandbox runs\n"
	"    --perms OCTAL                Mode of the next --tmpfs, --dir, --file or --bind-data\n"
	"    --size BYTES                 Size of the next --tmpfs\n"
	"    --bind SRC DEST              Bind SRC on DEST\n"
	"    --bind-try SRC DEST          Same, nothing if SRC is missing\n"
	"    --dev-bind SRC DEST          Bind SRC on DEST, devices usable\n"
	"    --dev-bind-try SRC DEST      Same, nothing if SRC is missing\n"
	"    --ro-bind SRC DEST           Bind SRC on DEST read-only\n"
	"    --ro-bind-try SRC DEST       Same, nothing if SRC is missing\n"
	"    --bind-fd FD DEST            Bind the directory open at FD on DEST\n"
	"    --ro-bind-fd FD DEST         Same, read-only\n"
	"    --remount-ro DEST            Make the mount at DEST read-only\n"
	"    --overlay-src SRC            A lower layer for the next overlay\n"
	"    --overlay RWSRC WORKDIR DEST Overlay with RWSRC as the writable layer\n"
	"    --tmp-overlay DEST           Overlay whose writes are thrown away\n"
	"    --ro-overlay DEST            Read-only overlay of two or more sources\n"
	"    --exec-label LABEL           SELinux label for the program\n"
	"    --file-label LABEL           SELinux label for files created\n"
	"    --proc DEST                  New procfs on DEST\n"
	"    --dev DEST                   New minimal /dev on DEST\n"
	"    --tmpfs DEST                 New tmpfs on DEST\n"
	"    --mqueue DEST                New mqueue on DEST\n"
	"    --dir DEST                   Create directory DEST\n"
	"    --file FD DEST               Copy FD's content to the new file DEST\n"
	"    --bind-data FD DEST          Copy FD's content to a file bound on DEST\n"
	"    --ro-bind-data FD DEST       Same, read-only\n"
	"    --symlink SRC DEST           Create symlink DEST to SRC\n"
	"    --chmod OCTAL PATH           Set the mode of PATH\n"
	"    --seccomp FD                 Load a compiled seccomp program from FD\n"
	"    --add-seccomp-fd FD          Add a compiled seccomp program (repeatable)\n"
	"    --block-fd FD                Wait for data on FD before running the program\n"
	"    --userns-block-fd FD         Wait on FD for the user namespace to be set up\n"
	"    --info-fd FD                 Write information about the sandbox to FD as JSON\n"
	"    --json-status-fd FD          Write JSON lines about the sandbox's state to FD\n"
	"    --new-session                New terminal session (setsid)\n"
	"    --die-with-parent            Kill the sandbox when bwrap's parent dies\n"
	"    --as-pid-1                   No reaper: the program is pid 1\n"
	"    --cap-add CAP                Keep capability CAP (ALL for all)\n"
	"    --cap-drop CAP               Drop capability CAP (ALL for all)\n"
	"    --not-a-security-boundary    A failed read-only remount of a submount only warns\n"
	"\n"
	"sandbox's own options work here too; see sandbox --help and sandbox(1).\n";

#define HELP_COLUMN 30

/* "      --name ARGS" then the help text from HELP_COLUMN on */
static void print_option_help(const struct opt *o, FILE *f)
{
	const char *p;
	int w;

	if (o->alias)
		w = fprintf(f, "  %s, %s", o->alias, o->name);
	else
		w = fprintf(f, "      %s", o->name);
	if (o->args)
		w += fprintf(f, " %s", o->args);
	if (*o->help && *o->help != '\n')
		fprintf(f, "%*s", w < HELP_COLUMN ? HELP_COLUMN - w : 2, "");
	for (p = o->help; *p; p++) {
		if (*p == '\n')
			fprintf(f, "\n%*s", HELP_COLUMN, "");
		else
			fputc(*p, f);
	}
	fputc('\n', f);
}

/* The native --help is the table's; bwrap's usage line names the program
 * as invoked (ARGV0). */
void cli_print_usage(const struct sandbox_spec *spec, const char *argv0, FILE *f)
{
	size_t k;

	if (bwrap(spec)) {
		fprintf(f, "usage: %s%s", argv0 ? argv0 : "bwrap", bwrap_usage);
		return;
	}
	for (k = 0; k < cli_n_opts; k++) {
		const struct opt *o = &cli_opts[k];

		if (!o->help)
			continue;
		if (o->name)
			print_option_help(o, f);
		else
			fputs(o->help, f);
	}
}

/* ---- reading argv ---- */

/* The row for ARG.  Where two rows share a name (--overlay), the bwrap
 * personality and the native one after --overlay-src (BUBBLEWRAP_FORM)
 * take bubblewrap's. */
static const struct opt *find_opt(const char *arg, bool bwrap_personality,
				  bool bubblewrap_form)
{
	const struct opt *found = NULL;
	size_t k;

	for (k = 0; k < cli_n_opts; k++) {
		const struct opt *o = &cli_opts[k];

		if (!o->name || (strcmp(arg, o->name) != 0 &&
				 (!o->alias || strcmp(arg, o->alias) != 0)))
			continue;
		if (o->pers == P_BWRAP && !bwrap_personality)
			continue;
		if (!bubblewrap_form || o->pers != P_NATIVE)
			return o;
		if (!found)
			found = o;
	}
	return found;
}

/* Options that only qualify the next operation must be followed by one. */
static int take_pending(struct cli *c, struct mount_op *op, const char *opt)
{
	struct pending *pd = &c->pd;
	bool perms_ok = op->kind == MOP_TMPFS || op->kind == MOP_DIR || op->kind == MOP_FILE ||
			op->kind == MOP_BIND_DATA;

	if (bwrap(c->spec) && ((pd->perms_set && !perms_ok) ||
			       (pd->size && op->kind != MOP_TMPFS)))
		return sb_err(EINVAL, pd->perms_set && !perms_ok ?
			      "--perms must be followed by an option that creates a file" :
			      "--size must be followed by --tmpfs");
	if (pd->perms_set && !perms_ok)
		return sb_err(EINVAL, "--perms must be followed by an option that creates a file "
			      "or directory (--tmpfs, --dir, --file, --bind-data, --ro-bind-data), "
			      "not %s", opt);
	if (pd->size && op->kind != MOP_TMPFS)
		return sb_err(EINVAL, "--size must be followed by --tmpfs, not %s", opt);
	if (pd->perms_set) {
		op->perms_set = true;
		op->perms = pd->perms;
	}
	if (pd->size)
		op->size = pd->size;
	pd->perms_set = false;
	pd->size = 0;
	return 0;
}

/* bubblewrap 0.12's words for an option given without its arguments:
 * "takes an argument", "two" or "three arguments", a few say "one
 * argument", --ro-bind-fd borrows --bind-fd's name, and a trailing
 * --overlay-src is reported as an unfollowed one. */
static int bwrap_missing_args(const struct opt *o, const char *arg)
{
	static const char *const one[] = { "--argv0", "--chdir", "--remount-ro" };
	static const char *const count[] = { "an argument", "two arguments", "three arguments" };
	size_t k;

	if (strcmp(arg, "--overlay-src") == 0)
		return sb_err(EINVAL, "--overlay-src must be followed by another --overlay-src "
			      "or one of --overlay, --tmp-overlay, or --ro-overlay");
	if (strcmp(arg, "--ro-bind-fd") == 0)
		arg = "--bind-fd";
	for (k = 0; k < sizeof one / sizeof one[0]; k++)
		if (strcmp(arg, one[k]) == 0)
			return sb_err(EINVAL, "%s takes one argument", arg);
	return sb_err(EINVAL, "%s takes %s", arg, count[o->nargs > 3 ? 2 : o->nargs - 1]);
}

/* bubblewrap warns when one of these is given again (--chdir: its
 * handler does). */
static void bwrap_warn_again(struct cli *c, const char *arg)
{
	static const char *const once[] = {
		"--exec-label", "--file-label", "--sync-fd", "--block-fd", "--userns-block-fd",
		"--info-fd", "--json-status-fd", "--seccomp", "--userns", "--userns2", "--pidns",
		"--uid", "--gid", "--hostname",
	};
	size_t k;

	for (k = 0; k < sizeof once / sizeof once[0]; k++) {
		if (strcmp(arg, once[k]) != 0)
			continue;
		if (c->bwrap_seen & (1u << k))
			sb_warn("Only the last %s option will take effect", arg);
		c->bwrap_seen |= 1u << k;
	}
}

/* argv[c->i], an option: its row, its arguments, its handler. */
static int one_option(struct cli *c)
{
	struct pending *pd = &c->pd;
	const char *arg = c->argv[c->i];
	const struct opt *o;
	int r;

	o = find_opt(arg, bwrap(c->spec), bwrap(c->spec) || pd->n_lowers > 0);
	if (!o && bwrap(c->spec))
		return sb_err(EINVAL, "Unknown option %s", arg);
	if (!o)
		return sb_err(EINVAL, "Unknown option %s (see '%s --help')", arg, sb_prog);
	if (c->i + o->nargs >= c->argc && bwrap(c->spec))
		return bwrap_missing_args(o, arg);
	if (c->i + o->nargs >= c->argc)
		return sb_err(EINVAL, "%s takes %d argument%s", o->name, o->nargs,
			      o->nargs > 1 ? "s" : "");
	if (pd->n_lowers > 0 && !(o->flags & F_LOWERS))
		return sb_err(EINVAL, "--overlay-src must be followed by another "
			      "--overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay");
	if ((pd->perms_set || pd->size) && !(o->flags & F_PERMS) && bwrap(c->spec))
		return sb_err(EINVAL, pd->perms_set ?
			      "--perms must be followed by an option that creates a file" :
			      "--size must be followed by --tmpfs");
	if ((pd->perms_set || pd->size) && !(o->flags & F_PERMS))
		return sb_err(EINVAL, "%s must be followed by an option that creates a file "
			      "or directory, not %s", pd->size ? "--size" : "--perms", o->name);
	if (bwrap(c->spec))
		bwrap_warn_again(c, arg);
	if (!(o->flags & F_ENTER) && !c->spec->not_for_enter)
		c->spec->not_for_enter = o->name;
	c->op = NULL;
	c->next = c->i + o->nargs;
	if ((r = o->fn(c, o, &c->argv[c->i + 1])) != 0)
		return r;
	c->i = c->next;
	if (!c->op)
		return 0;
	if ((r = take_pending(c, c->op, o->name)) < 0)
		return r;
	if (c->op->kind == MOP_OVERLAY) {
		c->op->lowers = pd->lowers;
		c->op->n_lowers = pd->n_lowers;
		pd->lowers = NULL;
		pd->n_lowers = 0;
	}
	return 0;
}

/* A profile's lines, read as options at --profile's place: each line
 * must be one option with exactly its arguments; an error names the
 * line. */
int cli_run_profile(struct cli *c, const struct profile *p)
{
	char **argv = c->argv;
	int argc = c->argc, i = c->i, next = c->next, r = 0;
	size_t k;

	for (k = 0; k < p->n && r == 0; k++) {
		const struct profile_line *pl = &p->lines[k];

		c->argv = pl->words;
		c->argc = (int)pl->n;
		c->i = 0;
		r = one_option(c);
		if (r == 0 && c->i != c->argc - 1)
			r = sb_err(EINVAL, "%s takes %d argument%s", pl->words[0],
				   c->i, c->i == 1 ? "" : "s");
		if (r != 0)
			r = sb_errctx(r < 0 ? r : -EINVAL, "%s:%u", pl->file, pl->line);
	}
	c->argv = argv;
	c->argc = argc;
	c->i = i;
	c->next = next;
	c->op = NULL; /* the last line's operation is qualified already */
	return r;
}

/* Once the options end: nothing may wait for an operation, and the
 * seccomp programs are read. */
static int end_of_options(struct cli *c)
{
	struct pending *pd = &c->pd;
	size_t k;
	int r = 0;

	/* bubblewrap lets a last --perms or --size qualify nothing */
	if ((pd->perms_set || pd->size) && !bwrap(c->spec))
		return sb_err(EINVAL, "%s must be followed by an operation",
			      pd->size ? "--size" : "--perms");
	if (pd->n_lowers)
		return sb_err(EINVAL, "--overlay-src must be followed by another --overlay-src or "
			      "one of --overlay, --tmp-overlay, or --ro-overlay");
	for (k = 0; k < pd->n_sc; k++)
		if ((r = read_seccomp(c->spec, pd->sc[k].opt, pd->sc[k].fd, pd->sc[k].replace)) < 0)
			break;
	free(pd->sc);
	return r;
}

int cli_parse(int argc, char **argv, struct sandbox_spec *spec)
{
	struct cli c = { .spec = spec, .argc = argc, .argv = argv };
	int r;

	spec_defaults(spec);
	if (bwrap(spec) && argc < 2) {
		cli_print_usage(spec, argv[0], stderr);
		return sb_err_shown(EINVAL);
	}
	for (c.i = 1; c.i < c.argc; c.i++) {
		const char *arg = c.argv[c.i];

		if (strcmp(arg, "--") == 0) {
			c.i++;
			break;
		}
		if (arg[0] != '-')
			break;
		if ((r = one_option(&c)) != 0)
			return r;
	}
	if ((r = end_of_options(&c)) < 0)
		return r;
	spec->argv = &c.argv[c.i];
	spec->argc = c.argc - c.i;
	/* bubblewrap: no command, only its usage on stderr */
	if (bwrap(spec) && spec->argc == 0 && spec->mode == CMD_RUN) {
		cli_print_usage(spec, argv[0], stderr);
		return sb_err_shown(EINVAL);
	}
	return spec_finish(spec);
}
