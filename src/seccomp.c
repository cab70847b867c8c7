/* seccomp.c - the payload's system call policy (libseccomp).
 *
 * A policy is text, one rule a line (the format is described in
 * sandbox(1), SECCOMP POLICY FILES):
 *
 *     # comment
 *     @default ACTION              what no rule matches gets (allow)
 *     @include default             the built-in default policy, here
 *     SYSCALL ACTION [CONDITION...]
 *
 * ACTION is allow, log, kill, kill-thread, trap, errno:NAME or errno:N;
 * CONDITION is argN==V, argN!=V, argN<V, argN<=V, argN>V, argN>=V or
 * argN&MASK==V (N from 0 to 5; V and MASK decimal or 0x hexadecimal), all
 * of a rule's conditions must hold.  A later rule for the same system call
 * with the same conditions replaces an earlier one, so a file can include
 * the default policy and relax one of its rules.
 *
 * The built-in default policy is written in the same language, so it goes
 * through the same parser.  The setup process parses and compiles the
 * policy for the native architecture and its compat ones (x86 and x32
 * beside x86_64, ...) before anything is created, and the payload only
 * loads the compiled program: no libseccomp code runs inside.
 *
 * The built-in policy is compiled at build time, so most starts need no
 * libseccomp at all: it is loaded (dlopen) only where a policy is parsed
 * or compiled at run time, which keeps it out of every other start's
 * loading time and memory (about 70 KiB of the setup process's peak).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "sandbox.h"

#include <dlfcn.h>

/* libseccomp's functions, once loaded */
static struct {
	void *handle;
	__typeof__(seccomp_syscall_resolve_name) *syscall_resolve_name;
	__typeof__(seccomp_arch_native) *arch_native;
	__typeof__(seccomp_arch_add) *arch_add;
	__typeof__(seccomp_init) *init;
	__typeof__(seccomp_attr_set) *attr_set;
	__typeof__(seccomp_rule_add_array) *rule_add_array;
	__typeof__(seccomp_export_bpf) *export_bpf;
	__typeof__(seccomp_release) *release;
} lsc;

#define LIBSECCOMP "libseccomp.so.2"

static int lsc_load(void)
{
	void *h;

	if (lsc.handle)
		return 0;
	h = dlopen(LIBSECCOMP, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return sb_err(ENOENT, "a seccomp policy other than the built-in one needs "
			      "libseccomp, which cannot be loaded: %s (Debian: apt-get install "
			      "libseccomp2)", dlerror());
#define LSC_SYM(f)                                                                          \
	if (!(*(void **)&lsc.f = dlsym(h, "seccomp_" #f))) {                                \
		dlclose(h);                                                                 \
		return sb_err(ENOENT, LIBSECCOMP " has no seccomp_" #f ": libseccomp older " \
			      "than 2.5?");                                                 \
	}
	LSC_SYM(syscall_resolve_name)
	LSC_SYM(arch_native)
	LSC_SYM(arch_add)
	LSC_SYM(init)
	LSC_SYM(attr_set)
	LSC_SYM(rule_add_array)
	LSC_SYM(export_bpf)
	LSC_SYM(release)
#undef LSC_SYM
	lsc.handle = h;
	return 0;
}

#define MAX_POLICY_BYTES (1u << 20)
#define MAX_RULES 20000
#define MAX_CONDS 6

struct sc_cond {
	unsigned int arg;
	enum scmp_compare op;
	uint64_t mask;   /* SCMP_CMP_MASKED_EQ only */
	uint64_t value;
};

struct sc_rule {
	int nr;                  /* libseccomp's number (native; may be a pseudo number) */
	uint32_t action;
	unsigned int n_conds;
	struct sc_cond c[MAX_CONDS];
	const char *origin;      /* for messages */
	unsigned int line;
	bool dead;               /* replaced by a later rule */
};

struct sc_policy {
	uint32_t default_action;
	bool default_set;
	bool userns_rules;       /* @include default brings the user namespace rules */
	size_t n, cap;
	struct sc_rule *rules;
};

static int perr(const char *origin, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(const char *origin, unsigned int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return sb_err(EINVAL, "%s:%u: %s", origin, line, msg);
}

/* V: decimal without leading zeros, or 0x followed by 1 to 16 hex digits. */
static int parse_value(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return -EINVAL;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (len - 2 > 16)
			return -ERANGE;
		for (i = 2; i < len; i++) {
			char c = s[i];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return -EINVAL;
			v = v << 4 | d;
		}
		*out = v;
		return 0;
	}
	if (len > 1 && s[0] == '0')
		return -EDOM; /* looks octal: refused, not guessed */
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int value_error(const char *origin, unsigned int line, const char *tok, int r)
{
	if (r == -EDOM)
		return perr(origin, line, "'%s': a number with a leading 0 is ambiguous "
			    "(octal is not accepted): write it in decimal or as 0x...", tok);
	if (r == -ERANGE)
		return perr(origin, line, "'%s': the number does not fit in 64 bits", tok);
	return perr(origin, line, "'%s': expected a decimal or 0x hexadecimal number", tok);
}

static int errno_by_name(const char *name)
{
	int e;

	for (e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);
		if (n && strcmp(n, name) == 0)
			return e;
	}
	return -1;
}

static int parse_action(const char *tok, const char *origin, unsigned int line, uint32_t *out)
{
	if (strcmp(tok, "allow") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(tok, "log") == 0)
		*out = SCMP_ACT_LOG;
	else if (strcmp(tok, "kill") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(tok, "kill-thread") == 0)
		*out = SCMP_ACT_KILL_THREAD;
	else if (strcmp(tok, "trap") == 0)
		*out = SCMP_ACT_TRAP;
	else if (str_has_prefix(tok, "errno:")) {
		const char *e = tok + 6;
		uint64_t v;
		int n;

		if (*e >= '0' && *e <= '9') {
			if (parse_value(e, strlen(e), &v) < 0 || v > 4095)
				return perr(origin, line, "'%s': the errno number must be from 0 to 4095",
					    tok);
			n = (int)v;
		} else if ((n = errno_by_name(e)) < 0) {
			return perr(origin, line, "'%s': unknown errno name '%s' (EPERM, ENOSYS, "
				    "EACCES, ... or a number)", tok, e);
		}
		*out = SCMP_ACT_ERRNO((uint32_t)n);
	} else {
		return perr(origin, line, "unknown action '%s' (allow, log, kill, kill-thread, "
			    "trap, errno:NAME or errno:NUMBER)", tok);
	}
	return 0;
}

/* argN OP V, or argN&MASK==V, as one word. */
static int parse_cond(const char *tok, const char *origin, unsigned int line, struct sc_cond *c)
{
	static const struct { const char *s; enum scmp_compare op; } ops[] = {
		{ "==", SCMP_CMP_EQ }, { "!=", SCMP_CMP_NE }, { "<=", SCMP_CMP_LE },
		{ ">=", SCMP_CMP_GE }, { "<", SCMP_CMP_LT }, { ">", SCMP_CMP_GT },
	};
	const char *p = tok, *opstart;
	size_t i;
	int r;

	if (strncmp(p, "arg", 3) != 0 || p[3] < '0' || p[3] > '5')
		return perr(origin, line, "'%s': a condition starts with arg0 to arg5 "
			    "(e.g. arg1==0x5412 or arg0&0x10000000==0x10000000)", tok);
	c->arg = (unsigned)(p[3] - '0');
	p += 4;
	c->mask = 0;
	if (*p == '&') {
		const char *m = ++p;
		while (*p && *p != '=' && *p != '!' && *p != '<' && *p != '>')
			p++;
		if ((r = parse_value(m, (size_t)(p - m), &c->mask)) < 0) {
			char tmp[128];
			snprintf(tmp, sizeof tmp, "%.*s", (int)(p - m), m);
			return value_error(origin, line, *tmp ? tmp : tok, r);
		}
		if (strncmp(p, "==", 2) != 0)
			return perr(origin, line, "'%s': a masked condition compares with ==", tok);
	}
	opstart = p;
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strncmp(p, ops[i].s, strlen(ops[i].s)) == 0)
			break;
	if (i == sizeof ops / sizeof ops[0])
		return perr(origin, line, "'%s': expected ==, !=, <, <=, > or >= after arg%u",
			    tok, c->arg);
	c->op = opstart != tok + 4 ? SCMP_CMP_MASKED_EQ : ops[i].op;
	p += strlen(ops[i].s);
	if ((r = parse_value(p, strlen(p), &c->value)) < 0)
		return value_error(origin, line, *p ? p : tok, r);
	return 0;
}

static bool same_conds(const struct sc_rule *a, const struct sc_rule *b)
{
	unsigned int i, j;

	if (a->n_conds != b->n_conds)
		return false;
	for (i = 0; i < a->n_conds; i++) {
		for (j = 0; j < b->n_conds; j++)
			if (a->c[i].arg == b->c[j].arg && a->c[i].op == b->c[j].op &&
			    a->c[i].mask == b->c[j].mask && a->c[i].value == b->c[j].value)
				break;
		if (j == b->n_conds)
			return false;
	}
	return true;
}

static void add_rule(struct sc_policy *p, const struct sc_rule *r)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!p->rules[i].dead && p->rules[i].nr == r->nr && same_conds(&p->rules[i], r))
			p->rules[i].dead = true;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->rules = xrealloc(p->rules, p->cap * sizeof *p->rules);
	}
	p->rules[p->n++] = *r;
}

static int parse_text(struct sc_policy *p, const char *text, size_t len, const char *origin,
		      int depth);

static int parse_line(struct sc_policy *p, char *s, const char *origin, unsigned int line,
		      int depth)
{
	char *tok[2 + MAX_CONDS + 1], *save = NULL, *w;
	struct sc_rule r;
	size_t n = 0, i;
	int e;

	w = strchr(s, '#'); /* a comment runs to the end of the line */
	if (w)
		*w = '\0';
	for (w = strtok_r(s, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
		if (n == sizeof tok / sizeof tok[0])
			return perr(origin, line, "too many words: a rule is SYSCALL ACTION and at "
				    "most %d conditions", MAX_CONDS);
		tok[n++] = w;
	}
	if (n == 0)
		return 0;

	if (tok[0][0] == '@') {
		if (strcmp(tok[0], "@default") == 0) {
			if (n != 2)
				return perr(origin, line, "@default takes one ACTION");
			if (p->default_set)
				return perr(origin, line, "@default given twice");
			if ((e = parse_action(tok[1], origin, line, &p->default_action)) < 0)
				return e;
			p->default_set = true;
			return 0;
		}
		if (strcmp(tok[0], "@include") == 0) {
			if (n != 2 || strcmp(tok[1], "default") != 0)
				return perr(origin, line, "@include takes one word: default "
					    "(the built-in policy)");
			if (depth > 0)
				return perr(origin, line, "@include default cannot nest");
			return seccomp_default_text_parse(p, p->userns_rules, depth + 1);
		}
		return perr(origin, line, "unknown directive '%s' (@default or @include)", tok[0]);
	}

	memset(&r, 0, sizeof r);
	r.origin = origin;
	r.line = line;
	for (w = tok[0]; *w; w++)
		if (!((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9') || *w == '_'))
			return perr(origin, line, "'%s' is not a system call name", tok[0]);
	r.nr = lsc.syscall_resolve_name(tok[0]);
	if (r.nr == __NR_SCMP_ERROR)
		return perr(origin, line, "unknown system call '%s'", tok[0]);
	if (n < 2)
		return perr(origin, line, "'%s' needs an ACTION (allow, errno:EPERM, kill, ...)",
			    tok[0]);
	if ((e = parse_action(tok[1], origin, line, &r.action)) < 0)
		return e;
	for (i = 2; i < n; i++) {
		unsigned int j;
		if ((e = parse_cond(tok[i], origin, line, &r.c[r.n_conds])) < 0)
			return e;
		for (j = 0; j < r.n_conds; j++)
			if (r.c[j].arg == r.c[r.n_conds].arg)
				return perr(origin, line, "arg%u is compared twice in one rule "
					    "(write two rules)", r.c[j].arg);
		r.n_conds++;
	}
	if (p->n >= MAX_RULES)
		return perr(origin, line, "too many rules (at most %d)", MAX_RULES);
	add_rule(p, &r);
	return 0;
}

static int parse_text(struct sc_policy *p, const char *text, size_t len, const char *origin,
		      int depth)
{
	unsigned int line = 0;
	size_t off = 0;
	int r;

	if ((r = lsc_load()) < 0) /* system call names are its */
		return r;
	if (len > MAX_POLICY_BYTES)
		return sb_err(EFBIG, "%s: the policy is larger than %u bytes", origin,
			      MAX_POLICY_BYTES);
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (text + off)) : len - off;
		char buf[4096];

		line++;
		if (l >= sizeof buf)
			return perr(origin, line, "the line is longer than %zu bytes", sizeof buf - 1);
		memcpy(buf, text + off, l);
		buf[l] = '\0';
		if (memchr(buf, '\0', l))
			return perr(origin, line, "a NUL byte in the policy text");
		if ((r = parse_line(p, buf, origin, line, depth)) < 0)
			return r;
		off += l + (nl ? 1 : 0);
	}
	return 0;
}

/* ---- the built-in default policy ---- */

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

/* personality(2): only PER_LINUX, PER_LINUX32, UNAME26 and their mix,
 * and the query 0xffffffff.  libseccomp compares an argument once per
 * rule, so the rest is denied bit by bit: with bit 31 clear, any bit but
 * those two; with bit 31 set (only the query has it), any bit clear. */
static size_t personality_rules(char *buf, size_t size)
{
	size_t off = 0;
	unsigned int b;

	for (b = 0; b < 31; b++) {
		uint32_t bit = 1u << b;
		if (bit == 0x0008 || bit == 0x20000)
			continue;
		buf_printf(buf, size, &off, "personality errno:EPERM arg0&0x%x==0x%x\n",
			   bit | 0x80000000u, bit);
	}
	for (b = 0; b < 31; b++)
		buf_printf(buf, size, &off, "personality errno:EPERM arg0&0x%x==0x80000000\n",
			   (1u << b) | 0x80000000u);
	return off;
}

static const char default_rules[] =
	"# kernel keyrings are not namespaced\n"
	"add_key errno:EPERM\n"
	"keyctl errno:EPERM\n"
	"request_key errno:EPERM\n"
	"# large kernel attack surface, or a way to read the host's activity\n"
	"perf_event_open errno:EPERM\n"
	"userfaultfd errno:EPERM\n"
	"bpf errno:EPERM\n"
	"open_by_handle_at errno:EPERM\n"
	"# io_uring: programs fall back to plain system calls on ENOSYS\n"
	"io_uring_setup errno:ENOSYS\n"
	"io_uring_enter errno:ENOSYS\n"
	"io_uring_register errno:ENOSYS\n"
	"# the host's kernel, modules, accounting, swap, power and clock\n"
	"kexec_load errno:EPERM\n"
	"kexec_file_load errno:EPERM\n"
	"init_module errno:EPERM\n"
	"finit_module errno:EPERM\n"
	"delete_module errno:EPERM\n"
	"acct errno:EPERM\n"
	"swapon errno:EPERM\n"
	"swapoff errno:EPERM\n"
	"reboot errno:EPERM\n"
	"settimeofday errno:EPERM\n"
	"stime errno:EPERM\n"
	"clock_settime errno:EPERM\n"
	"clock_settime64 errno:EPERM\n";

/* The flags of clone(2) are its first argument, except on s390. */
static unsigned int clone_flags_arg(void)
{
#if defined(__s390__) || defined(__s390x__)
	return 1;
#else
	return 0;
#endif
}

char *seccomp_default_text(bool disable_userns)
{
	size_t size = 16384, off = 0;
	char *buf = xmalloc(size);
	int r;

	r = buf_printf(buf, size, &off,
		       "# sandbox's built-in default seccomp policy\n"
		       "# terminal injection: push input into a terminal, drive the console\n"
		       "ioctl errno:EPERM arg1&0xffffffff==0x%lx\n"
		       "ioctl errno:EPERM arg1&0xffffffff==0x%lx\n",
		       (unsigned long)TIOCSTI, (unsigned long)TIOCLINUX);
	r |= buf_printf(buf, size, &off, "%s", default_rules);
	off += personality_rules(buf + off, size - off);
	if (disable_userns)
		r |= buf_printf(buf, size, &off,
				"# no new user namespace (native: unless --allow-userns; both: with\n"
				"# --disable-userns); clone3 hides its flags in memory: ENOSYS, and\n"
				"# the C library falls back to clone, whose flags are checked here\n"
				"unshare errno:EPERM arg0&0x%x==0x%x\n"
				"clone errno:EPERM arg%u&0x%x==0x%x\n"
				"clone3 errno:ENOSYS\n",
				CLONE_NEWUSER, CLONE_NEWUSER, clone_flags_arg(), CLONE_NEWUSER,
				CLONE_NEWUSER);
	if (r < 0 || off + 1 >= size) { /* a policy cut short must never load */
		fprintf(stderr, "%s: internal error: the default seccomp policy is longer "
			"than %zu bytes\n", sb_prog, size);
		abort();
	}
	return buf;
}

int seccomp_default_text_parse(struct sc_policy *p, bool disable_userns, int depth)
{
	char *text = seccomp_default_text(disable_userns);
	int r = parse_text(p, text, strlen(text), "built-in default policy", depth);

	/* the rules point at the origin string, which is static */
	free(text);
	return r;
}

struct sc_policy *sc_policy_new(void)
{
	struct sc_policy *p = xcalloc(1, sizeof *p);

	p->default_action = SCMP_ACT_ALLOW;
	return p;
}

void sc_policy_free(struct sc_policy *p)
{
	if (!p)
		return;
	free(p->rules);
	free(p);
}

int sc_policy_parse(struct sc_policy *p, const char *text, size_t len, const char *origin)
{
	return parse_text(p, text, len, origin, 0);
}

size_t sc_policy_rules(const struct sc_policy *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		n += !p->rules[i].dead;
	return n;
}

/* ---- compiling ---- */

static void add_compat_arches(scmp_filter_ctx ctx)
{
	uint32_t native = lsc.arch_native();
	static const uint32_t table[][3] = {
		{ SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 },
		{ SCMP_ARCH_AARCH64, SCMP_ARCH_ARM, 0 },
		{ SCMP_ARCH_PPC64, SCMP_ARCH_PPC, 0 },
		{ SCMP_ARCH_S390X, SCMP_ARCH_S390, 0 },
		{ SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32 },
		{ SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32 },
	};
	size_t i, j;

	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (table[i][0] != native)
			continue;
		for (j = 1; j < 3; j++)
			if (table[i][j])
				lsc.arch_add(ctx, table[i][j]); /* EEXIST is fine */
	}
}

/* Compile P to a BPF program for the native and compat architectures. */
int sc_policy_compile(const struct sc_policy *p, void **bpf, size_t *len)
{
	scmp_filter_ctx ctx;
	struct stat st;
	size_t i;
	int r = 0, fd = -1;

	*bpf = NULL;
	*len = 0;
	if ((r = lsc_load()) < 0)
		return r;
	ctx = lsc.init(p->default_action);
	if (!ctx)
		return sb_err(ENOMEM, "seccomp_init failed");
	/* we set no_new_privs ourselves, and export rather than load */
	lsc.attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	add_compat_arches(ctx);
	for (i = 0; i < p->n && r == 0; i++) {
		const struct sc_rule *ru = &p->rules[i];
		struct scmp_arg_cmp cmp[MAX_CONDS];
		unsigned int k;

		if (ru->dead || ru->action == p->default_action)
			continue; /* replaced, or the same as what no rule gets */
		for (k = 0; k < ru->n_conds; k++) {
			cmp[k].arg = ru->c[k].arg;
			cmp[k].op = ru->c[k].op;
			if (ru->c[k].op == SCMP_CMP_MASKED_EQ) {
				cmp[k].datum_a = ru->c[k].mask;
				cmp[k].datum_b = ru->c[k].value;
			} else {
				cmp[k].datum_a = ru->c[k].value;
				cmp[k].datum_b = 0;
			}
		}
		r = lsc.rule_add_array(ctx, ru->action, ru->nr, ru->n_conds, cmp);
		if (r < 0)
			r = perr(ru->origin, ru->line, "libseccomp refused the rule: %s",
				 strerror(-r));
	}
	if (r == 0) {
		fd = memfd_create("seccomp-policy", MFD_CLOEXEC);
		if (fd < 0)
			r = sb_err(errno, "memfd_create: %s", strerror(errno));
	}
	if (r == 0 && (r = lsc.export_bpf(ctx, fd)) < 0)
		r = sb_err(-r, "cannot compile the seccomp policy: %s", strerror(-r));
	if (r == 0 && (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_SET) < 0))
		r = sb_err(errno, "seccomp policy: %s", strerror(errno));
	if (r == 0) {
		char *data;
		size_t n;
		r = read_fd_all(fd, &data, &n, 16u << 20); /* closes fd */
		fd = -1;
		if (r < 0) {
			r = sb_err(-r, "seccomp policy: %s", strerror(-r));
		} else if (n == 0 || n % 8 != 0) {
			free(data);
			r = sb_err(EINVAL, "seccomp policy: libseccomp wrote %zu bytes", n);
		} else {
			*bpf = data;
			*len = n;
		}
	}
	if (fd >= 0)
		close(fd);
	lsc.release(ctx);
	return r < 0 ? r : 0;
}

#ifndef SECCOMP_NO_PREBUILT
/* The built-in policy, compiled at build time by build/gen-seccomp-default
 * from the same rules (the setup process then only copies it: compiling
 * it with libseccomp at every start cost more than the rest of the setup) */
#include "seccomp-default.h"
#endif

/* The native personality refuses nested user namespaces unless
 * --allow-userns; bubblewrap allows them unless --disable-userns. */
static bool refuse_userns(const struct sandbox_spec *spec)
{
	return spec->disable_userns ||
	       (spec->personality != PERSONALITY_BWRAP && !spec->allow_userns);
}

/* In the setup process, before anything is created: the policy the
 * payload gets, compiled.  The native personality's default is the
 * built-in policy; bwrap's is none. */
int seccomp_prepare(const struct sandbox_spec *spec, struct seccomp_prog *out)
{
	const char *pol = spec->seccomp_policy;

	if (!pol)
		pol = spec->personality == PERSONALITY_BWRAP ? "none" : "default";
	if (strcmp(pol, "none") == 0)
		return 0;
#ifndef SECCOMP_NO_PREBUILT
	if (strcmp(pol, "default") == 0) {
		bool no_userns = refuse_userns(spec);
		const unsigned char *bpf = no_userns ? seccomp_default_userns
						     : seccomp_default_plain;
		size_t len = no_userns ? sizeof seccomp_default_userns
				       : sizeof seccomp_default_plain;
		out->filter = xmalloc(len);
		memcpy(out->filter, bpf, len);
		out->len = len;
		return 0;
	}
#endif
	return seccomp_compile_policy(spec, pol, out);
}

/* POL ("default" or a file) compiled with libseccomp into OUT.  The built-in policy (alone, or where a file includes
 * it) has the user namespace rules unless they are allowed; any policy
 * gets them with --disable-userns. */
int seccomp_compile_policy(const struct sandbox_spec *spec, const char *pol,
			   struct seccomp_prog *out)
{
	struct sc_policy *p;
	int r;

	p = sc_policy_new();
	p->userns_rules = refuse_userns(spec);
	if (strcmp(pol, "default") == 0) {
		r = seccomp_default_text_parse(p, p->userns_rules, 0);
	} else {
		char *text;
		size_t len;
		int fd = open(pol, O_RDONLY | O_CLOEXEC | O_NOCTTY);

		if (fd < 0) {
			sc_policy_free(p);
			return sb_err(errno, "--seccomp-policy %s: %s", pol, strerror(errno));
		}
		r = read_fd_all(fd, &text, &len, MAX_POLICY_BYTES + 1);
		if (r < 0) {
			sc_policy_free(p);
			return sb_err(-r, "--seccomp-policy %s: %s", pol,
				      r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
		}
		r = sc_policy_parse(p, text, len, pol);
		free(text);
		if (r < 0)
			r = sb_errctx(r, "--seccomp-policy");
	}
	if (r == 0 && spec->disable_userns) {
		char *text = seccomp_default_text(true);
		const char *u = strstr(text, "# no new user namespace");
		r = parse_text(p, u, strlen(u), "built-in --disable-userns rules", 1);
		free(text);
	}
	if (r == 0)
		r = sc_policy_compile(p, &out->filter, &out->len);
	sc_policy_free(p);
	return r;
}
