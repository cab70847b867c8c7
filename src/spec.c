/* spec.c - the plan's defaults, and the checks between options once the
 * command line is read (spec_finish); after it the plan is read-only.
 *
 * Owns what each option alone cannot know: the defaults that depend on
 * the personality, the root filesystem mode, and the combinations that
 * contradict each other.  Reads nothing but the plan: no fds, no files,
 * no system state (the setup process checks the system, launch.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>

#include "sandbox.h"

/* what lets the payload past the --net-allow rules in its namespace */
#define NET_ALLOW_BYPASS_CAPS ((1ULL << CAP_NET_ADMIN) | (1ULL << CAP_NET_RAW))

static bool bwrap(const struct sandbox_spec *spec)
{
	return spec->personality == PERSONALITY_BWRAP;
}

/* Before the first option; spec is zeroed and has its personality. */
/* A new mount operation at the end of the plan (its other fields zero) */
struct mount_op *spec_add_op(struct sandbox_spec *spec, enum mount_op_kind kind, const char *opt,
			     const char *src, const char *dest)
{
	struct mount_op *op;

	spec->ops = xrealloc(spec->ops, (spec->n_ops + 1) * sizeof *spec->ops);
	op = &spec->ops[spec->n_ops++];
	memset(op, 0, sizeof *op);
	op->kind = kind;
	op->opt = opt;
	op->src = src;
	op->dest = dest;
	op->fd = -1;
	return op;
}

void spec_defaults(struct sandbox_spec *spec)
{
	spec->hostname = "sandbox";
	spec->userns_fd = spec->userns2_fd = spec->pidns_fd = -1;
	spec->info_fd = spec->json_status_fd = spec->sync_fd = -1;
	spec->block_fd = spec->userns_block_fd = -1;
	spec->grace_ns = 10ULL * 1000000000ULL;
	if (bwrap(spec)) {
		/* bwrap: only what is asked is unshared; no subordinate ids */
		spec->share_net = spec->share_ipc = spec->share_pid = true;
		spec->share_uts = spec->share_cgroup = true;
		spec->subids = SUBIDS_NEVER;
		spec->hostname = NULL;
	}
}

/* --rootfs and its modes: --read-only, --rootfs-rw, --overlay,
 * --overlay-dir, --overlay-driver. */
static int finish_rootfs(struct sandbox_spec *spec)
{
	const char *modes[4];
	int n = 0;

	if (spec->rootfs_ro_asked)
		modes[n++] = "--read-only";
	if (spec->rootfs_rw_asked)
		modes[n++] = "--rootfs-rw";
	if (spec->overlay_asked)
		modes[n++] = "--overlay";
	if (n > 1)
		return sb_err(EINVAL, "%s and %s contradict each other", modes[0], modes[1]);
	if (spec->overlay_dir && (spec->rootfs_ro_asked || spec->rootfs_rw_asked))
		return sb_err(EINVAL, "--overlay-dir keeps the writes of an overlay: it "
			      "contradicts %s", modes[0]);
	if ((n || spec->overlay_dir || spec->overlay_driver_set) && !spec->rootfs)
		return sb_err(EINVAL, "%s needs --rootfs DIR",
			      n ? modes[0] : spec->overlay_dir ? "--overlay-dir" : "--overlay-driver");
	if (spec->overlay_driver_set && (spec->rootfs_ro_asked || spec->rootfs_rw_asked))
		return sb_err(EINVAL, "--overlay-driver needs an overlay: it contradicts %s", modes[0]);

	if (!spec->rootfs)
		spec->rootfs_mode = bwrap(spec) ? ROOTFS_EMPTY : ROOTFS_HOST;
	else if (spec->rootfs_rw_asked)
		spec->rootfs_mode = ROOTFS_RW;
	else if (spec->rootfs_ro_asked)
		spec->rootfs_mode = ROOTFS_RO;
	else
		spec->rootfs_mode = ROOTFS_OVERLAY;
	return 0;
}

/* bubblewrap 0.12's own checks, in its order, where ours are laxer or
 * say it differently (main() after parse_args). */
static int check_bwrap(const struct sandbox_spec *spec)
{
	if (spec->userns_block_fd >= 0 && !spec->unshare_user_exact)
		return sb_err(EINVAL, "--userns-block-fd requires --unshare-user");
	if (spec->userns_block_fd >= 0 && spec->info_fd < 0)
		return sb_err(EINVAL, "--userns-block-fd requires --info-fd");
	if (spec->userns_fd >= 0 && (spec->unshare_user_exact || spec->unshare_user_try))
		return sb_err(EINVAL, "--userns is not compatible with %s", spec->unshare_user_exact ?
			      "--unshare-user" : "--unshare-user-try");
	if (spec->disable_userns && !spec->unshare_user)
		return sb_err(EINVAL, "--disable-userns requires --unshare-user");
	if (spec->disable_userns && spec->userns_block_fd >= 0)
		return sb_err(EINVAL, "--disable-userns is not compatible with --userns-block-fd");
	if (spec->hostname_set && spec->share_uts)
		return sb_err(EINVAL, "Specifying --hostname requires --unshare-uts");
	if (spec->as_pid_1 && spec->share_pid)
		return sb_err(EINVAL, "Specifying --as-pid-1 requires --unshare-pid");
	if (spec->as_pid_1 && spec->n_lock_files)
		return sb_err(EINVAL, "Specifying --as-pid-1 and --lock-file is not permitted");
	if (spec->exec_label || spec->file_label)
		return sb_err(ENOTSUP, "labeling not supported on this system");
	return 0;
}

/* Namespaces, ids, network, fds, privileges. */
static int check_combinations(const struct sandbox_spec *spec)
{
	int r;

	if (bwrap(spec) && (r = check_bwrap(spec)) < 0)
		return r;
	if (spec->subids == SUBIDS_NEVER && (spec->uid_map_opt.n || spec->gid_map_opt.n) &&
	    !bwrap(spec))
		return sb_err(EINVAL, "--no-subids cannot be combined with --uid-map/--gid-map");
	if (spec->net_opt && !net_uses_helper(spec))
		return sb_err(EINVAL, "%s needs a network helper: add --net pasta, --net slirp4netns "
			      "or --net auto (the sandbox has --net %s)", spec->net_opt,
			      net_mode_name(spec->net_mode));
	if (spec->hostname_set && spec->share_uts)
		return sb_err(EINVAL, bwrap(spec) ? "Specifying --hostname requires --unshare-uts"
				    : "--hostname needs a private uts namespace (drop --share-uts)");
	if (spec->disable_userns && spec->userns_fd >= 0)
		return sb_err(EINVAL, "--disable-userns is not compatible with --userns");
	if (spec->userns2_fd >= 0 && spec->userns_fd < 0)
		return sb_err(EINVAL, "--userns2 requires --userns");
	if (spec->userns_block_fd >= 0 && spec->userns_fd >= 0)
		return sb_err(EINVAL, "--userns-block-fd is not compatible with --userns");
	if (spec->userns_block_fd >= 0 && spec->info_fd < 0 && spec->json_status_fd < 0)
		return sb_err(EINVAL, "--userns-block-fd requires --info-fd or --json-status-fd");
	if (spec->seccomp_legacy && spec->n_seccomp_progs > 1)
		return sb_err(EINVAL, "--seccomp cannot be combined with --add-seccomp-fd");
	if (spec->exec_label || spec->file_label)
		return sb_err(ENOTSUP, "%s: labeling not supported on this system",
			      spec->exec_label ? "--exec-label" : "--file-label");
	if (spec->as_pid_1 && spec->share_pid)
		return sb_err(EINVAL, bwrap(spec) ? "Specifying --as-pid-1 requires --unshare-pid"
				    : "--as-pid-1 needs a pid namespace of its own (drop --share-pid)");
	if (bwrap(spec) && spec->disable_userns && !spec->unshare_user)
		return sb_err(EINVAL, "--disable-userns requires --unshare-user");
	if (spec->allow_userns && (spec->disable_userns || spec->assert_userns_disabled))
		return sb_err(EINVAL, "--allow-userns contradicts %s", spec->disable_userns ?
			      "--disable-userns" : "--assert-userns-disabled");
	if (spec->n_allow && (spec->caps_add & NET_ALLOW_BYPASS_CAPS))
		return sb_err(EINVAL, "--cap-add %s cannot be combined with --net-allow: with it "
			      "the command could %s and reach any destination (drop the "
			      "capability, or --net-allow)",
			      spec->caps_add & (1ULL << CAP_NET_ADMIN) ? "CAP_NET_ADMIN" : "CAP_NET_RAW",
			      spec->caps_add & (1ULL << CAP_NET_ADMIN) ?
			      "delete the --net-allow rules" : "send raw packets past them");
	return 0;
}

/* --home persist without :DIR: the home of --app-id ID, kept in
 * $XDG_DATA_HOME/sandbox/ID (~/.local/share/sandbox/ID) */
static int finish_home(struct sandbox_spec *spec)
{
	const char *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (spec->home != HOME_PERSIST || spec->home_dir)
		return 0;
	if (!spec->app_id)
		return sb_err(EINVAL, "--home persist: which directory? Give persist:DIR, or "
			      "--app-id ID for $XDG_DATA_HOME/sandbox/ID");
	if (data && data[0] == '/')
		spec->home_dir = xasprintf("%s/sandbox/%s", data, spec->app_id);
	else if (home && home[0] == '/')
		spec->home_dir = xasprintf("%s/.local/share/sandbox/%s", home, spec->app_id);
	else
		return sb_err(EINVAL, "--home persist: neither $XDG_DATA_HOME nor $HOME is an "
			      "absolute path");
	return 0;
}

/* Once every option is read: the command, the modes the options imply,
 * then their combinations, the resource limits last.  The first problem
 * found is the one reported. */
int spec_finish(struct sandbox_spec *spec)
{
	int r;

	if (spec->json && spec->mode != CMD_LIST)
		return sb_err(EINVAL, "--json goes with --list");
	if (spec->grace_set && spec->mode != CMD_STOP)
		return sb_err(EINVAL, "--grace goes with --stop");
	if (spec->mode == CMD_ENTER) {
		if (spec->not_for_enter)
			return sb_err(EINVAL, "--enter %s: %s cannot be given: an entered command gets "
				      "what the sandbox's command got (only --chdir, --setenv, "
				      "--unsetenv, --uid, --tty and -v may be added)",
				      spec->stop_name, spec->not_for_enter);
		if (spec->argc == 0)
			return sb_err(EINVAL, "--enter %s: no command given (usage: sandbox --enter "
				      "NAME [OPTION...] [--] COMMAND [ARG...])", spec->stop_name);
		spec->enter_uid_set = spec->uid_set;
		spec->tty = tty_wanted(spec->tty_mode);
		return 0;
	}
	if (spec->mode != CMD_RUN) {
		if (spec->argc)
			return sb_err(EINVAL, "%s takes no command (%s given)",
				      spec->mode == CMD_LIST ? "--list" : "--stop", spec->argv[0]);
		return 0;
	}
	if (spec->argc == 0)
		return sb_err(EINVAL, "No command specified (usage: %s [OPTION...] [--] COMMAND [ARG...])",
			      sb_prog);
	if ((r = finish_rootfs(spec)) < 0)
		return r;
	if ((r = finish_home(spec)) < 0)
		return r;
	spec->tty = spec->personality != PERSONALITY_BWRAP && tty_wanted(spec->tty_mode);
	/* without a helper, the network is the host's or none */
	if (!net_uses_helper(spec))
		spec->net_mode = spec->share_net ? NET_HOST : NET_NONE;
	if ((r = check_combinations(spec)) < 0)
		return r;
	return limits_check(spec);
}
