/* spec.h - the plan: everything the command line asked for, in one struct.
 *
 * cli.c fills it (options.c's handlers, one option each), spec.c sets its
 * defaults and checks the options together (spec_finish), preflight checks
 * it, launch.c and the stages it drives carry it out.  Nothing in here is a
 * live resource but the fds the caller passed (--bind-fd and the bwrap
 * protocols), kept close-on-exec; the rest is plain data that the child
 * processes inherit through fork/clone.  What the setup process creates
 * (the sync socket, locks, the compiled seccomp policy) is in struct run
 * (launch.c).  Preflight still completes parts of the plan: net_preflight
 * adds the generated /etc files and resolves --net-allow names and --net
 * auto, rlimits_preflight makes each --rlimit whole, desktop_preflight adds
 * the display and sound servers' sockets and files, and dbus_preflight the
 * buses'.
 */
#ifndef SANDBOX_SPEC_H
#define SANDBOX_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum personality {
	PERSONALITY_SANDBOX = 0,
	PERSONALITY_BWRAP,
};

enum rootfs_mode {
	ROOTFS_HOST = 0,   /* no --rootfs: the host's / read-only */
	ROOTFS_RO,         /* --rootfs DIR --read-only */
	ROOTFS_RW,         /* --rootfs DIR --rootfs-rw */
	ROOTFS_OVERLAY,    /* --rootfs DIR (default): DIR under a copy-on-write layer */
	ROOTFS_EMPTY,      /* bwrap: an empty tmpfs, only what the options build */
};

enum overlay_driver {
	OVERLAY_AUTO = 0,
	OVERLAY_KERNEL,
	OVERLAY_FUSE,
};

enum mount_op_kind {
	MOP_BIND,          /* --bind, --bind-try, --rw */
	MOP_RO_BIND,       /* --ro-bind, --ro-bind-try, --ro */
	MOP_DEV_BIND,      /* --dev-bind, --dev-bind-try */
	MOP_TMPFS,         /* --tmpfs */
	MOP_PROC,          /* --proc */
	MOP_DEV,           /* --dev */
	MOP_DIR,           /* --dir */
	MOP_SYMLINK,       /* --symlink */
	MOP_REMOUNT_RO,    /* --remount-ro */
	MOP_MQUEUE,        /* --mqueue */
	MOP_FILE,          /* --file FD DEST: a new file with FD's content */
	MOP_BIND_DATA,     /* --bind-data, --ro-bind-data (ro set), generated files */
	MOP_CHMOD,         /* --chmod OCTAL PATH */
	MOP_OVERLAY,       /* --overlay RWSRC WORKDIR DEST, --tmp-overlay, --ro-overlay */
	MOP_HIDE,          /* --hide PATH: an empty mode-000 node over PATH */
};

enum overlay_op_kind { OVL_RW, OVL_TMP, OVL_RO };

struct mount_op {
	enum mount_op_kind kind;
	const char *src;   /* host path (absolute after preflight) or symlink target */
	const char *dest;  /* path inside the sandbox */
	bool try_;         /* -try: a missing source is not an error */
	bool ro;           /* --ro-bind-data */
	bool generated;    /* /etc/resolv.conf, /etc/hosts of --net: see mounts.c */
	const char *opt;   /* option name as typed, for messages */
	bool by_fd;        /* --bind-fd, --ro-bind-fd: bind the object open at fd, */
	int fd;            /* close-on-exec; src is its path, for messages only */
	bool perms_set;    /* --perms before it */
	mode_t perms;
	bool payload_owned; /* --tmpfs owned by the payload's uid and gid */
	uint64_t size;     /* --size before --tmpfs; 0: the default */
	char *data;        /* --file, --bind-data: the content, read at start */
	size_t data_len;
	/* overlays: lower layers bottom first (--overlay-src), upper, work */
	enum overlay_op_kind ovl;
	const char **lowers;
	size_t n_lowers;
	const char *work;
	unsigned share;    /* --share (share.c): SHARE_* bits; resolved to an fd
			    * (by_fd) before the mounts' preflight */
};
#define SHARE_RW     (1u << 0)
#define SHARE_CREATE (1u << 1)
#define SHARE_ON     (1u << 2)

struct id_range {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

#define MAX_ID_RANGES 340  /* the kernel's limit per map */

struct id_map {
	size_t n;
	struct id_range r[MAX_ID_RANGES];
};

enum subids_mode {
	SUBIDS_AUTO = 0,
	SUBIDS_FORCE,
	SUBIDS_NEVER,
};

/* --home: what the sandbox shows at the caller's home directory */
enum home_mode {
	HOME_RO = 0,       /* as the root shows it (the host's: read-only) */
	HOME_TMPFS,        /* an empty writable tmpfs */
	HOME_PERSIST,      /* persist:DIR, bound writable */
	HOME_NONE,         /* hidden: an empty mode-000 directory */
};

enum env_op_kind { ENV_SET, ENV_UNSET };

struct env_op {
	enum env_op_kind kind;
	const char *name;
	const char *value;
};

#define CAP_WORDS 2

enum net_mode {
	NET_NONE = 0,      /* loopback only (the default) */
	NET_HOST,          /* the host's network namespace (--share-net) */
	NET_PASTA,
	NET_SLIRP4NETNS,
	NET_AUTO,          /* pasta where installed, else slirp4netns */
};

/* -p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|/udp] */
struct net_publish {
	const char *spec;  /* as given, for messages */
	uint32_t host_ip;  /* network byte order */
	uint16_t host_port, port;
	bool udp;
};

/* --net-allow HOST|ADDR[/PREFIX][:PORT]; a HOST is resolved at start */
struct net_allow {
	const char *spec;
	char *name;        /* the HOST part, NULL for an address */
	uint32_t *addrs;   /* network byte order: the address, or HOST's */
	size_t n_addrs;
	uint8_t prefix;    /* 32 for a name */
	uint16_t port;     /* 0: every port */
};

/* --rlimit NAME=SOFT[:HARD] (rlimit.c); RLIM_INFINITY is "unlimited".
 * After rlimits_preflight() both values are set: what setrlimit gets. */
struct rlimit_op {
	const char *spec;  /* as given, for messages */
	int resource;
	bool soft_set, hard_set;
	uint64_t soft, hard;
};

/* cgroup v2 limits (cgroup.c): a field is used when its option was given */
struct cgroup_limits {
	const char *first_opt;       /* the first limit option given, or NULL */
	uint64_t memory, memory_swap;
	bool memory_set, memory_swap_set;
	uint32_t pids;               /* pids.max, 0: not set */
	uint32_t cpu_quota_us;       /* cpu.max per 100000 us period, 0: not set */
	uint32_t cpu_weight, io_weight; /* 1-10000, 0: not set */
	const char *cpuset;          /* cpuset.cpus, validated */
};

/* the desktop pass-through (desktop.c) */
enum x11_mode { X11_NONE = 0, X11_HOST, X11_NESTED };
struct desktop_opts {
	enum x11_mode x11;           /* --x11[=host|nested|none] */
	bool wayland, fallback_x11, pulseaudio, pipewire;
	bool gpu, dev_input, dev_video, dev_snd;
};

/* the D-Bus buses (dbus.c): per bus, the mode and xdg-dbus-proxy's rules */
enum dbus_mode { DBUS_NONE = 0, DBUS_FILTER, DBUS_HOST };
struct dbus_bus {
	enum dbus_mode mode;         /* a rule implies DBUS_FILTER */
	const char *mode_opt;        /* the --dbus-user=MODE given, or NULL */
	const char *rule_opt;        /* the first rule's option, or NULL */
	const char **rules;          /* the proxy's --see=NAME, --call=NAME=RULE... */
	size_t n_rules;
};
struct dbus_opts {
	struct dbus_bus user, system;
};

/* what this invocation does: run a command, or act on running sandboxes */
enum cmd_mode { CMD_RUN = 0, CMD_LIST, CMD_STOP, CMD_ENTER };

/* --tty: a pty relayed by sandbox, or the caller's fds as they are */
enum tty_mode { TTY_AUTO = 0, TTY_ALWAYS, TTY_NEVER };

struct sandbox_spec {
	enum personality personality;
	enum cmd_mode mode;          /* --list, --stop, --enter */
	const char *name;            /* --name, or NULL: a generated one */
	const char *stop_name;       /* --stop NAME, --enter NAME */
	const char *not_for_enter;   /* the first option given that --enter refuses */
	enum tty_mode tty_mode;      /* --tty */
	bool tty;                    /* a pty relayed (decided by spec_finish) */
	bool enter_uid_set;          /* --uid given (with --enter) */
	bool json;                   /* --json (with --list) */
	bool grace_set;
	uint64_t grace_ns;           /* --grace (with --stop), default 10 s */
	uid_t caller_uid;            /* the invoking user, on the host */
	uint64_t caller_bset;        /* its capability bounding set, on the host
	                                (read for bwrap run by root only) */
	int verbose;

	/* root filesystem */
	enum rootfs_mode rootfs_mode;
	bool rootfs_ro_asked, rootfs_rw_asked, overlay_asked;
	const char *overlay_dir;     /* --overlay-dir: persistent upper layer */
	enum overlay_driver overlay_driver;
	bool overlay_driver_set;
	const char *rootfs;          /* as given */

	/* mount operations, in command-line order */
	struct mount_op *ops;
	size_t n_ops;
	bool no_default_hide;        /* --no-default-hide */
	enum home_mode home;         /* --home */
	bool desktop_look;           /* --desktop: fonts, themes, settings (share.c) */
	bool allow_dangerous;        /* --allow-dangerous: --share of what controls
	                                the user's sessions */
	const char *home_dir;        /* persist:DIR */

	/* identity */
	bool uid_set, gid_set;
	uid_t uid;                   /* inside */
	gid_t gid;
	enum subids_mode subids;
	struct id_map uid_map_opt;   /* --uid-map, when given */
	struct id_map gid_map_opt;

	/* namespaces */
	bool share_net, share_ipc, share_pid, share_uts, share_cgroup;
	bool unshare_time;
	const char *hostname;
	bool hostname_set;

	/* network (net.c) */
	enum net_mode net_mode;
	const char *net_opt;         /* the first network option that needs a helper */
	struct net_publish *publish;
	size_t n_publish;
	struct net_allow *allow;
	size_t n_allow;
	bool allow_host_loopback;
	const char *dns;             /* --dns ADDR */

	/* process */
	const char *chdir;
	bool clearenv;
	struct env_op *env_ops;
	size_t n_env_ops;
	const char *argv0;
	int *keep_fds;
	size_t n_keep_fds;
	bool die_with_parent;
	bool new_session;
	bool as_pid_1;

	/* privileges: bit n set = capability n requested */
	uint64_t caps_add;
	uint64_t caps_drop;

	/* bwrap's protocols and namespace options (both personalities) */
	bool unshare_user;           /* --unshare-user(-try): always true in effect */
	bool unshare_user_exact, unshare_user_try; /* which was given (bwrap's checks) */
	int userns_fd, userns2_fd, pidns_fd;     /* -1: none */
	bool disable_userns, assert_userns_disabled;
	bool not_a_security_boundary; /* a failed submount remount only warns */
	bool allow_userns;           /* --allow-userns (native: refused by default) */
	int info_fd, json_status_fd, sync_fd, block_fd, userns_block_fd; /* -1: none */
	const char **lock_files;
	size_t n_lock_files;
	struct seccomp_prog { void *filter; size_t len; } *seccomp_progs;
	size_t n_seccomp_progs;      /* --seccomp (replaces) and --add-seccomp-fd (adds) */
	bool seccomp_legacy;         /* --seccomp was used */
	const char *seccomp_policy;  /* --seccomp-policy default|none|FILE; NULL: the
	                                personality's default (native: default, bwrap: none) */
	int landlock;                /* 0: off, 1: --landlock, 2: --landlock=require */
	bool level_prefix;
	const char *exec_label, *file_label;

	/* resource limits and accounting (rlimit.c, cgroup.c) */
	struct rlimit_op *rlimits;
	size_t n_rlimits;
	uint64_t timeout_ns, kill_after_ns; /* --timeout, --kill-after; 0: none */
	bool stats;                  /* --stats */
	struct cgroup_limits cg;
	struct desktop_opts desktop;
	struct dbus_opts dbus;
	const char *app_id;          /* --app-id: a D-Bus name */

	/* the command */
	char **argv;
	int argc;
};

#endif
