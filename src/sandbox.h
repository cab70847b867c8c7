/* sandbox.h - internal interfaces between the source files.
 *
 * Convention: functions return 0 (or a non-negative value) on success and a
 * negative errno on failure, after recording a message with sb_err(); only
 * the top level (main.c, or the setup process for errors reported by a
 * child over the sync socket) prints it.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "spec.h"

#define SANDBOX_VERSION "0.1.0"
#define BWRAP_COMPAT_VERSION "0.12.0"
#define EXIT_SETUP 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127
#define EXIT_TIMEOUT 124            /* --timeout expired, as timeout(1) */

/* ---- log.c ---- */
extern const char *sb_prog;          /* "sandbox" or "bwrap" */
extern int sb_verbose;
extern int sb_exit_setup;            /* 125, or 1 as bwrap */
extern bool sb_level_prefix;         /* --level-prefix: "<3>" before errors */

/* Record an error message (printf-style) and return -err (err > 0). */
int sb_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the recorded message with more context: "CTX: old message". */
int sb_errctx(int ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failure already shown (bwrap's usage): sb_print_error prints nothing. */
int sb_err_shown(int err);
const char *sb_errmsg(void);
int sb_errnum(void);
void sb_print_error(void);
void sb_print_message(const char *text);
void sb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* -v: "sandbox: [   1.234 ms] STEP" measured from the previous step. */
void sb_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- util.c ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_u32(const char *s, uint32_t *out);
int read_small_file(const char *path, char *buf, size_t len);
int write_all(int fd, const void *data, size_t len);
/* milliseconds of CLOCK_MONOTONIC since *T0 */
long ms_since(const struct timespec *t0);
int write_file_at(int dirfd, const char *path, const char *data);
pid_t wait_child(pid_t pid, int *status);
void helper_words(int errfd, char *buf, size_t len);
bool str_has_prefix(const char *s, const char *prefix);
int fd_set_cloexec_all_except(const int *keep, size_t n_keep, int from);
int buf_printf(char *buf, size_t size, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
struct sbuf {
	char *p;
	size_t len, cap;
};
void sbuf_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int read_file_all(const char *path, char **data, size_t *len, size_t max);
const char *userns_sysctl_hint(void);

static inline void cleanup_free(void *p) { free(*(void **)p); }
static inline void cleanup_close(const int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_free_ __attribute__((cleanup(cleanup_free)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_close)))

/* ---- cli.c ---- */
/* Parse argv into spec (zeroed, with its personality): spec_defaults,
 * the options (options.c's table), then spec_finish.  Returns 0, 1 when
 * the caller should exit 0 (--help/--version were printed), or -errno
 * with a message. */
int cli_parse(int argc, char **argv, struct sandbox_spec *spec);
int parse_id_map_entry(const char *s, struct id_range *out);
int parse_octal(const char *s, mode_t *out);
int parse_size(const char *s, uint64_t *out);
int read_fd_all(int fd, char **data, size_t *len, size_t max);

/* ---- spec.c ---- */
struct mount_op *spec_add_op(struct sandbox_spec *spec, enum mount_op_kind kind, const char *opt,
			     const char *src, const char *dest);
/* The defaults, before the first option. */
void spec_defaults(struct sandbox_spec *spec);
/* The checks between options, once all are read; the plan is read-only
 * after it.  0 or -errno with a message. */
int spec_finish(struct sandbox_spec *spec);

/* ---- idmap.c ---- */
struct subid_ranges {
	size_t n;
	struct id_range r[MAX_ID_RANGES]; /* .inside unused; .outside = start */
};
/* Parse /etc/subuid-format TEXT for the entries of USER or UID. */
int subid_parse(const char *text, const char *user, uint32_t uid,
		struct subid_ranges *out);
/* The entries of USER or UID in FILE; a missing file has none. */
int subid_load(const char *file, const char *user, uint32_t id, struct subid_ranges *out);
/* Build the map that puts HOST_ID at WANT inside, with the subordinate
 * ranges filling the ids below and above it. */
int idmap_layout(uint32_t want, uint32_t host_id,
		 const struct subid_ranges *sub, struct id_map *out);
/* Is every outside range of MAP owned: HOST_ID itself or inside SUB? */
int idmap_check_owned(const struct id_map *map, uint32_t host_id,
		      const struct subid_ranges *sub, const char *what);
bool idmap_has_inside(const struct id_map *map, uint32_t id);
/* MAP as text for /proc/PID/uid_map (IDENTITY: each inside id to
 * itself); its length, or -E2BIG when longer than LEN - 1. */
int idmap_text(const struct id_map *m, bool identity, char *buf, size_t len);
size_t idmap_text_max(void);    /* the longest map the kernel takes, + 1 */
/* An error naming WHAT when the kernel cannot take MAP in one write. */
int idmap_check_text(const struct id_map *m, bool identity, const char *what);
bool idmap_inside_of(const struct id_map *map, uint32_t outside, uint32_t *inside);

struct idplan {
	struct id_map uid, gid;
	bool use_helpers;       /* newuidmap/newgidmap, else direct writes */
	uid_t uid_;             /* payload's ids inside */
	gid_t gid_;
	bool own_uid_unmapped;  /* the child becomes uid_ (gid_) once mapped, */
	bool own_gid_unmapped;  /* to own what it creates */
	const char *how;        /* for -v */
};
int idmap_plan(const struct sandbox_spec *spec, struct idplan *plan);
int idmap_apply(pid_t pid, const struct idplan *plan);

/* ---- tty.c ---- */
struct tty_settings {
	struct termios modes;
	struct winsize size;
	bool have_modes, have_size;
};
struct tty_relay {
	int master, in, out, epfd;
	bool active, raw;
	struct termios saved;
	size_t ilen, ioff;
	char ibuf[4096];
	char obuf[65536];
};
bool tty_wanted(enum tty_mode mode);
void tty_user_settings(struct tty_settings *ts);
int tty_open_pair(const struct tty_settings *ts, int *master, int *peer);
int tty_take(int peer);
int tty_relay_start(struct tty_relay *t, int master);
void tty_relay_ready(void *arg);
int tty_relay_fd(const struct tty_relay *t);
void tty_relay_resize(struct tty_relay *t);
void tty_relay_stop(struct tty_relay *t);
/* ---- dbus.c: the setup process's bus proxy ---- */
/* xdg-dbus-proxy, started by a keeper process that removes its private
 * directory once it exits; it exits when HOLD, the read end of its
 * readiness pipe, is closed in every process that has it. */
struct dbus_proxy {
	pid_t keeper;                /* -1: none */
	int hold;                    /* -1: none */
};

/* ---- launch.c ---- */
/* The live resources of the setup process and the children it starts
 * (inherited through clone/fork, each process with its own copy). */
struct run {
	int sync_fd;                 /* this process's end of the sync socket */
	int *lock_fds;               /* --lock-file, taken by pid 1 (n_lock_files), or NULL */
	int linger_fd[2];            /* bwrap's exit-status pipe: pid 1 writes [1],
	                                the child reads [0]; -1: none */
	int net_gate[2];             /* the child writes [1] once the network helper
	                                configured eth0, pid 1 reads [0] before the
	                                payload; -1: none (child.c) */
	struct seccomp_prog policy;  /* the compiled --seccomp-policy (filter NULL: none) */
	pid_t setup_pid;             /* the setup process */
	pid_t child;                 /* the user-namespace child, in the setup process */
	pid_t xephyr;                /* --x11=nested's server, or -1 */
	struct tty_settings tty;     /* the user's terminal, for the pty (--tty) */
	int pty_master;              /* in the setup process, from pid 1, or -1 */
	int enter_listen;            /* the state's "enter" socket (setup), or -1 */
	int enter_chan[2];           /* setup [0] -> pid 1 [1]: --enter connections */
	struct dbus_proxy dbus;      /* --dbus-user/--dbus-system=filter's proxy */
};
int sandbox_run(struct sandbox_spec *spec);

/* ---- syncmsg.c ---- */
enum msg_type {
	MSG_GO = 1, MSG_ERROR, MSG_EXEC_ERROR, MSG_PID1, MSG_NS_READY, MSG_NSIDS,
	MSG_NETNS,      /* child -> setup: the network namespace exists */
	MSG_NET_OK,     /* setup -> child: the helper is ready, ports forwarded */
	MSG_EXEC,       /* payload -> setup: execve next (MSG_EXEC_ERROR if it fails) */
	MSG_PTY,        /* pid 1 -> setup (or --enter): the pty's master, attached */
	MSG_ENTER,      /* setup -> pid 1: an --enter connection, attached */
	MSG_EXIT,       /* pid 1 -> --enter: the entered command's exit code */
	MSG_SIGNAL,     /* --enter -> pid 1: a signal for the entered command */
};
struct sync_msg {
	int32_t type;
	int32_t err;
	int32_t code;
	char text[2036];
};
void send_msg(int fd, int type, int err, int code, const char *text);
/* In a child: send the recorded error (MSG_ERROR) on FD and exit. */
__attribute__((noreturn)) void child_fail(int fd);
ssize_t recv_msg(int fd, struct sync_msg *m);
ssize_t next_msg(int fd, struct sync_msg *m, int *passed, int also);
int send_msg_fd(int fd, int type, int code, const char *text, int passfd);
ssize_t recv_msg_fds(int fd, void *buf, size_t len, int *fds, int max, int *nfds, int flags);
bool msg_complete(struct sync_msg *m, ssize_t n);

/* ---- status.c ---- */
void ns_ids_text(int dirfd, char *buf, size_t len);
void write_status(const struct sandbox_spec *spec, pid_t pid, const char *ids);
void write_status_of(const struct sandbox_spec *spec, pid_t child);
void status_exit_code(const struct sandbox_spec *spec, int code);

/* ---- child.c ---- */
struct mount_plan;
struct idplan;
__attribute__((noreturn)) void child_main(const struct sandbox_spec *spec, struct run *run,
					  const struct mount_plan *mp, const struct idplan *ip);

/* ---- pid1.c ---- */
__attribute__((noreturn)) void pid1_main(const struct sandbox_spec *spec, struct run *run,
					 const struct mount_plan *mp, const struct idplan *ip,
					 int parent_pidfd, bool fuse_running);
bool needs_nesting(const struct sandbox_spec *spec, const struct idplan *ip);
void end_intermediate(pid_t waited);

/* ---- exec.c ---- */
void set_dumpable(bool on);
bool payload_replaces_pid1(const struct sandbox_spec *spec);
const char *payload_getenv(const struct sandbox_spec *spec, const char *var);
__attribute__((noreturn)) void payload_exec(const struct sandbox_spec *spec,
					    const struct run *run, const struct idplan *ip);
/* The absolute path of an executable NAME on $PATH (absolute entries
 * only), or NULL: how the helpers we start are found. */
char *find_in_path(const char *name);

/* ---- mounts.c ---- */
struct mount_plan {
	const char *rootfs_real;     /* realpath of --rootfs, NULL for host */
	char **src_real;             /* per op: realpath of src, NULL if skipped */
	const char *cwd;             /* setup process's cwd */
	char *overlay_dir_real;      /* realpath of --overlay-dir */
	bool overlay_dir_created;    /* by us, in this run */
	/* --overlay-dir, held by the setup process from preflight to the end:
	 * the directory, its upper/ and work/, and (when we created it) its
	 * parent; -1 when not open */
	int ovl_dir_fd, ovl_upper_fd, ovl_work_fd, ovl_parent_fd;
	char *ovl_name;              /* its name in that parent */
	char *fuse_bin;              /* fuse-overlayfs, in the host's view */
	const char *fuse_why;        /* why fuse-overlayfs cannot be used */
	mode_t umask;                /* the caller's, restored for the payload */
	char **hides;                /* the built-in hide list (NULL: skipped) */
	size_t n_hides;
	const char *home;            /* $HOME, for --home (native) */
	int home_fd;                 /* persist:DIR, held from the preflight, or -1 */
	char *home_dir;              /* persist:DIR, absolute */
	uid_t payload_uid;           /* the payload's ids inside (--home tmpfs) */
	gid_t payload_gid;
	char *console;               /* bwrap: the terminal on stdout, for DEV/console */
};
struct overlay_run {
	pid_t fuse_pid;              /* fuse-overlayfs server, or -1 */
	const char *driver;          /* "kernel" or "fuse" */
};
int mounts_preflight(const struct sandbox_spec *spec, struct mount_plan *mp);
int mounts_stage(const struct sandbox_spec *spec, const struct mount_plan *mp,
		 struct overlay_run *ov);
int mounts_finish_root(const struct sandbox_spec *spec, const struct mount_plan *mp);
/* bubblewrap's words for a mount point DEST it could not make (ERR < 0) */
int bwrap_mkdest_err(int rootfd, const char *dest, int err);

/* ---- mountfd.c ---- */
int openat2_(int dirfd, const char *path, uint64_t flags, uint64_t resolve);
/* PATH under ROOTFD, with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS */
int open_in_root(int rootfd, const char *path, int flags);
/* mkdir -p under ROOTFD (missing directories mode 0755, or MODE): an
 * O_PATH fd of the directory */
int mkdir_in_root(int rootfd, const char *path);
int mkdir_in_root_mode(int rootfd, const char *path, mode_t mode);
/* DEST's parent under ROOTFD (made, missing directories with PMODE), and
 * its last component in *LEAF (to free) */
int open_parent(int rootfd, const char *dest, mode_t pmode, char **leaf);
/* DEST under ROOTFD, an empty file made if missing: a mount point */
int file_in_root(int rootfd, const char *dest, mode_t pmode);
int attach(int mfd, int destfd);
int new_fs(const char *type, const char *const *opts, unsigned int attrs);
int mount_new_fs(int destfd, const char *type, const char *const *opts, unsigned int attrs);
int clone_at(int dirfd, const char *path, unsigned int flags, unsigned int attrs);
int clone_tree(const char *src, unsigned int attrs);
int open_nolinks(int dirfd, const char *path, int flags);
int open_host_path(const char *real, int flags);
int reopen_host_fd(int fd, int flags);
int chmod_fd(int fd, mode_t mode, const char *proc);

/* ---- mountdev.c ---- */
int setup_dev(int rootfd, const char *dest, mode_t pmode, bool bwrap, const char *console);
int mount_proc(int rootfd, const char *dest, mode_t pmode, bool as_bwrap, bool share_pid);

/* ---- hide.c ---- */
void default_hides(char ***list, size_t *n);
int print_default_hides(FILE *f);
int hide_preflight(const struct sandbox_spec *spec, struct mount_plan *mp);
int hide_path(int rootfd, const char *path, const char *opt);
int hide_defaults(int rootfd, const struct mount_plan *mp);
int home_apply(int rootfd, const struct sandbox_spec *spec, const struct mount_plan *mp);

/* ---- overlayprep.c ---- */
int overlay_preflight(const struct sandbox_spec *spec, struct mount_plan *mp);
void overlay_preflight_undo(const struct mount_plan *mp);
void overlay_tidy_workdir(const struct mount_plan *mp);
/* bwrap's --overlay, --tmp-overlay, --ro-overlay: the layers' real paths,
 * as one char ** list in *REAL_OUT (mount_plan.src_real[i]) */
int overlay_op_preflight(const struct mount_op *op, char **real_out);

/* ---- overlay.c ---- */
int overlay_mount(const struct sandbox_spec *spec, const struct mount_plan *mp,
		  struct overlay_run *ov);
/* bwrap's overlay OP on its DEST (pid 1); REAL: overlay_op_preflight's */
int overlay_op_mount(int rootfd, mode_t pmode, const struct mount_op *op, char **real, size_t i);

/* ---- net.c ---- */
/* The sandbox's network, the same with either helper (see net.c). */
#define NET_IF      "eth0"
#define NET_ADDR    "10.0.2.100"
#define NET_PREFIX  "24"
#define NET_SUBNET  "10.0.2.0/24"
#define NET_SUBNET_ADDR "10.0.2.0"
#define NET_GW      "10.0.2.2"
#define NET_DNS     "10.0.2.3"
#define NET_MTU     65520
/* how long the helper may take to configure NET_IF, or to be ready */
#define NET_READY_TIMEOUT_MS 30000
struct net_plan {
	enum net_mode mode;          /* the helper's: NET_PASTA or NET_SLIRP4NETNS */
	char *helper;                /* its absolute path */
	pid_t pid;                   /* the running helper, or -1 */
	int out_fd;                  /* memfd with its stdout and stderr, or -1 */
	int exit_fd;                 /* slirp4netns --exit-fd: our end, or -1 */
	int pidfd;                   /* the helper's, while the child waits, or -1 */
};
int net_loopback_up(void);
bool net_uses_helper(const struct sandbox_spec *spec);
const char *net_mode_name(enum net_mode mode);
/* setup process: resolve the helper, names and ports, add the generated
 * files to the mount operations */
int net_preflight(struct sandbox_spec *spec, struct net_plan *np);
/* setup process: start the helper against CHILD's namespaces; with
 * --publish wait until it is ready and add the port forwards, else leave
 * NP->pidfd for the caller to watch while the child waits */
int net_start(const struct sandbox_spec *spec, struct net_plan *np, pid_t child);
int net_helper_failed(struct net_plan *np);
void net_helper_unwatch(struct net_plan *np);
void net_helper_died(struct net_plan *np, int status);
void net_stop(struct net_plan *np);
/* child, in the sandbox's network namespace */
int net_child_tap(const struct sandbox_spec *spec);
int net_child_setup(const struct sandbox_spec *spec);
/* netwait.c: the child waits for the helper's configuration of NET_IF */
int net_child_watch(const struct sandbox_spec *spec);
int net_child_wait(const struct sandbox_spec *spec, int sync_fd);

/* ---- netrules.c ---- */
int net_parse_publish(const char *s, struct net_publish *out);
int net_parse_allow(const char *s, struct net_allow *out);
/* --dns, else the helper's DNS forwarder */
const char *net_dns_server(const struct sandbox_spec *spec);
/* The egress rules, one list for every chain of table "ip sandbox". */
enum nf_chain { NFC_ALLOW, NFC_OUTPUT, NFC_PUBLISH_LOCAL, NFC_PUBLISH, NFC_N };
enum nf_verdict { NFV_ACCEPT, NFV_JUMP_ALLOW, NFV_REJECT_TCP, NFV_REJECT_ICMP, NFV_DNAT };
struct nf_rule {
	enum nf_chain chain;
	enum nf_verdict verdict;
	bool ct_established;         /* ct state established,related */
	bool oif_lo;                 /* oif "lo" */
	bool iif_eth0;               /* iifname "eth0" */
	bool has_daddr;              /* ip daddr DADDR/PREFIX */
	uint32_t daddr;              /* network byte order, masked */
	uint8_t prefix;
	uint8_t l4proto;             /* 0: any */
	uint16_t dport;              /* 0: any; else with l4proto */
	uint16_t to_port;            /* NFV_DNAT */
};
struct nf_ruleset {
	struct nf_rule *r;           /* in order, chains interleaved */
	size_t n;
	bool has_chain[NFC_N];
};
extern const char *const nf_chain_names[NFC_N];
void net_ruleset(const struct sandbox_spec *spec, struct nf_ruleset *rs);
void net_rule_text(const struct nf_rule *r, char *buf, size_t len);
char *net_rules(const struct sandbox_spec *spec);

/* ---- nft.c ---- */
/* load RS into the current network namespace, one transaction */
int nft_install(const struct nf_ruleset *rs);

/* ---- caps.c ---- */
int caps_parse(const char *name, uint64_t *mask);
int caps_apply(const struct sandbox_spec *spec, uid_t uid, gid_t gid);
int caps_keep_across_exec(void);
uint64_t caps_default(uid_t uid);
int caps_bounding_set(uint64_t *set);
uint64_t caps_kept(const struct sandbox_spec *spec, uid_t uid);
#define CAP_SYS_ADMIN_BIT 21
#define CAP_SYS_PTRACE_BIT 19

/* ---- seccomp.c ---- */
struct sc_policy;
int seccomp_compile_policy(const struct sandbox_spec *spec, const char *pol,
			   struct seccomp_prog *out);
/* Parse and compile the payload's policy into OUT (filter NULL: none). */
int seccomp_prepare(const struct sandbox_spec *spec, struct seccomp_prog *out);
char *seccomp_default_text(bool disable_userns);
int seccomp_default_text_parse(struct sc_policy *p, bool disable_userns, int depth);
struct sc_policy *sc_policy_new(void);
void sc_policy_free(struct sc_policy *p);
int sc_policy_parse(struct sc_policy *p, const char *text, size_t len, const char *origin);
size_t sc_policy_rules(const struct sc_policy *p);
int sc_policy_compile(const struct sc_policy *p, void **bpf, size_t *len);

/* ---- landlock.c ---- */
int landlock_abi(void);
int landlock_preflight(const struct sandbox_spec *spec);
int landlock_apply(const struct sandbox_spec *spec);

/* ---- init.c ---- */
/* Wait for CHILD, forwarding signals to it; returns its status as an exit
 * code.  If WATCH (> 0) exits first, returns -1 with its status in
 * *WATCH_STATUS. */
int forward_and_wait(pid_t child, pid_t watch, bool forward_kernel_signals, bool reap_all,
		     int *watch_status);
/* A timerfd (or any fd) watched by a wait loop: FIRED(ARG) when readable */
struct wait_timer {
	int fd;
	void (*fired)(void *arg);
	void *arg;
};
/* What a wait loop watches beside its children and signals: up to
 * WAIT_WATCHES fds (fd -1: none; FIRED called when readable), a say on
 * each signal taken (SIGNAL returns true when it dealt with it: not
 * forwarded), and the children other than CHILD it reaped (REAPED). */
#define WAIT_WATCHES 3
struct wait_hooks {
	struct wait_timer watch[WAIT_WATCHES];
	bool (*signal)(void *arg, int signo, int code);
	void (*reaped)(void *arg, pid_t pid, int status);
	void *arg;
};
void wait_hooks_init(struct wait_hooks *h, const struct wait_timer *wt);
int forward_and_wait_hooks(pid_t child, pid_t watch, bool forward_kernel_signals,
			   bool reap_all, int *watch_status, const struct wait_hooks *h);
int forward_and_wait_fd(pid_t child, pid_t watch, bool forward_kernel_signals, bool reap_all,
			int *watch_status, int status_fd);
void signals_block(void);
void signals_reset(void);
/* The setup process, after signals_block() and until the payload runs:
 * a signalfd for the signals that end a program (-errno on failure);
 * setup_signal_taken() reads it and returns the first such signal, or 0
 * while none arrived.  With none open, there is none to take. */
int setup_signals_open(void);
int setup_signal_fd(void);
int setup_signal_taken(void);
void setup_signals_close(void);

/* ---- rlimit.c ---- */
int rlimit_parse(const char *s, struct rlimit_op *out);
int parse_duration(const char *s, uint64_t *ns);
int limits_option(struct sandbox_spec *spec, const char *opt, const char *v);
int limits_check(const struct sandbox_spec *spec);
int rlimits_preflight(struct sandbox_spec *spec);
int rlimits_apply(const struct sandbox_spec *spec);
/* the setup process's side of --timeout and --stats */

/* ---- state.c ---- */
/* The setup process's hold on its name (all -1: none, as under bwrap) */
struct state_run {
	int basefd, dirfd, lockfd;
	char name[72];
	char base[4096];
};
/* One sandbox's state, as state_read found it */
struct state_info {
	pid_t setup_pid, pid1;
	unsigned long long setup_start, pid1_start;
	long long started;
	uid_t uid;
	char *root, *command;   /* into text; command: escaped words */
	char *namespaces;       /* into text: inode numbers, or NULL */
	char *text;
};
bool state_name_ok(const char *name);
int state_base(char *path, size_t len);
int state_alive(int basefd, const char *name);
void state_remove(int basefd, const char *base, const char *name);
int state_claim(const struct sandbox_spec *spec, struct state_run *st);
int state_write(const struct sandbox_spec *spec, const struct state_run *st, pid_t pid1,
		const char *nsids);
void state_release(struct state_run *st);
int state_read(int basefd, const char *name, struct state_info *info);
char *state_next_word(char **p);
void state_info_free(struct state_info *info);
unsigned long long state_start_time(pid_t pid);

/* ---- enter.c ---- */
int state_list(const struct sandbox_spec *spec);
int state_stop(const struct sandbox_spec *spec);
int state_enter(const struct sandbox_spec *spec);

/* ---- enterd.c ---- */
/* An --enter request (one SOCK_SEQPACKET packet, with the caller's fds 0-2
 * unless ENTER_TTY): this header, then NWORDS NUL-terminated words
 * "aARG", "cDIR", "sNAME=VALUE", "uNAME". */
#define ENTER_MAGIC 0x53424531u   /* "SBE1" */
#define ENTER_REQ_MAX (128 * 1024)
#define ENTER_TTY (1u << 0)
#define ENTER_UID (1u << 1)
struct enter_req {
	uint32_t magic, flags, uid, nwords;
	struct tty_settings tty;
};
void enter_gate_open(const struct sandbox_spec *spec, const struct state_run *st, struct run *run);
void enter_gate_close(struct run *run);
void enter_gate_ready(void *arg);
int enterd_wait(const struct sandbox_spec *spec, const struct run *run, const struct idplan *ip,
		pid_t payload);

/* ---- desktop.c ---- */
int desktop_option(struct sandbox_spec *spec, const char *opt, const char *v);
int xauth_filter(const void *data, size_t n, const char *display, const char *hostname,
		 unsigned char **out, size_t *out_len);
int x11_display_number(const char *display, unsigned *num);
int desktop_preflight(struct sandbox_spec *spec, uid_t uid, pid_t *xephyr,
		      struct dbus_proxy *dbus);
void desktop_stop(pid_t *xephyr);
/* An O_PATH fd of the socket at PATH (for OPT's WHAT), for a bind by fd */
int hold_socket(const char *opt, const char *what, const char *path, int *fd);

/* ---- dbus.c ---- */
int dbus_option(struct sandbox_spec *spec, const char *opt, const char *v);
bool dbus_name_ok(const char *name, bool wildcard);
/* The socket path of a D-Bus ADDRESS's first unix:path= (unescaped), or NULL */
char *dbus_address_path(const char *address);
/* Setup process, from desktop_preflight: the buses as binds into RUN (the
 * runtime dir inside, of uid UID) and /run/dbus, and ENV[0..1], the
 * variables that name them (set or unset); 1 when something is bound, 0
 * when not, or -errno with nothing left running. */
int dbus_preflight(struct sandbox_spec *spec, const char *run, uid_t uid,
		   struct dbus_proxy *px, struct env_op env[2]);
void dbus_stop(struct dbus_proxy *px);

/* ---- profile.c ---- */
/* One option line of a profile: WORDS[0] is "--name", then its
 * arguments (N words in all, NULL-terminated); FILE:LINE for messages. */
struct profile_line {
	char **words;
	size_t n;
	const char *file;
	unsigned line;
};
struct profile {
	struct profile_line *lines;
	size_t n;
};
/* --profile NAME|PATH: the expanded lines, or -errno ("FILE:LINE: ..."). */
int profile_load(const char *what, struct profile *out);
/* A line into words: quotes, comments, macros (unit tests). */
int profile_split(const char *line, char ***words, size_t *n);
void profile_print(const struct profile *p, FILE *f);
int profile_list(FILE *f);
/* The XDG user directory KEY (DOWNLOAD, DOCUMENTS, ...): user-dirs.dirs,
 * else ~/Downloads and the like. */
int xdg_user_dir(const char *key, char *out, size_t len);

/* ---- share.c ---- */
int share_option(struct sandbox_spec *spec, const char *v);
/* --share resolved to held fds, --desktop's binds and variables added */
int share_preflight(struct sandbox_spec *spec);

/* ---- scope.c ---- */
int scope_enter(char *unit, size_t len);

/* ---- cgroup.c ---- */
int cgroup_option(struct sandbox_spec *spec, const char *opt, const char *v);
int parse_cpus(const char *s, uint32_t *quota_us);
int parse_cpuset(const char *s);
enum cgroup_layout { CGROUP_UNIFIED, CGROUP_HYBRID, CGROUP_LEGACY, CGROUP_NONE };
enum cgroup_layout cgroup_layout(void);
/* The setup process's hold on the sandbox's cgroup (all -1: none) */
struct cgroup_run {
	int base_fd;        /* the cgroup we started in, delegated to us */
	int top_fd;         /* BASE/sandbox-PID */
	int payload_fd;     /* BASE/sandbox-PID/payload: the limits */
	int inner_fd;       /* .../payload/inner: the child's, CLONE_INTO_CGROUP */
	bool moved;         /* this process is in BASE/sandbox-PID/supervisor */
	char name[32];      /* sandbox-PID */
	char enabled_base[64]; /* controllers we enabled in BASE's subtree_control */
	char path[1024];    /* BASE, below /sys/fs/cgroup, for messages */
};
struct cgroup_usage {
	bool have, have_memory_peak, have_pids_peak, have_oom, have_throttled;
	uint64_t memory_peak, memory_max, pids_peak, oom_kills, throttled_us, nr_throttled;
};
void cgroup_init(struct cgroup_run *cr);
int cgroup_preflight(const struct sandbox_spec *spec, struct cgroup_run *cr);
int cgroup_setup(const struct sandbox_spec *spec, struct cgroup_run *cr);
int cgroup_clone_fd(const struct cgroup_run *cr);
void cgroup_usage(const struct cgroup_run *cr, struct cgroup_usage *u);
void cgroup_teardown(struct cgroup_run *cr);
int cgroup_adopt(const struct cgroup_run *cr, pid_t pid);

/* ---- rlimit.c (the run) ---- */
struct limits_run {
	const struct sandbox_spec *spec;
	uint64_t start_ns;
	int tfd;                     /* --timeout's timerfd, or -1 */
	int stage;                   /* 0: running, 1: SIGTERM sent, 2: SIGKILL sent */
	pid_t child;
	struct wait_timer timer;
	struct cgroup_run cg;        /* the limits' cgroup (cgroup.c) */
};
void limits_begin(const struct sandbox_spec *spec, struct limits_run *lr);
const struct wait_timer *limits_arm(struct limits_run *lr, pid_t child);
int limits_finish(struct limits_run *lr, int code, bool ran, bool json_ok);
void limits_abort(struct limits_run *lr);

#endif
