/* scope.c - a transient systemd scope with Delegate=yes, asked of the
 * user's systemd over the user bus, for the cgroup v2 limits.
 *
 * Owns the one conversation with the user manager: connect to the user
 * bus ($DBUS_SESSION_BUS_ADDRESS, else unix:path=$XDG_RUNTIME_DIR/bus),
 * subscribe to the manager's signals and match JobRemoved before the
 * call (no race with the job's end), StartTransientUnit
 * "sandbox-PID.scope" in mode "fail" with PIDs=[this process],
 * Delegate=yes and a Description, then wait for the job's JobRemoved and
 * check that its result is "done".  The process is then in the scope's
 * cgroup, which belongs to the user: cgroup.c goes on as with any cgroup
 * of ours.  systemd removes the scope by itself once it is empty.
 *
 * sd-bus comes from libsystemd, opened with dlopen() only here, so only
 * a run that asks for a limit in a cgroup not its own loads it; its few
 * types and functions are declared below (its ABI is stable), so
 * building needs no libsystemd headers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>

#include "sandbox.h"

#define SCOPE_TIMEOUT_US (30ull * 1000000) /* the start job, at most */

/* ---- the part of sd-bus.h used here ---- */
typedef struct sd_bus sd_bus;
typedef struct sd_bus_message sd_bus_message;
typedef struct sd_bus_slot sd_bus_slot;
typedef struct {
	const char *name, *message;
	int need_free;
} sd_bus_error;
typedef int (*sd_bus_message_handler_t)(sd_bus_message *m, void *userdata,
					sd_bus_error *ret_error);

struct sdbus {
	void *lib;
	int (*bus_new)(sd_bus **ret);
	int (*set_address)(sd_bus *bus, const char *address);
	int (*set_bus_client)(sd_bus *bus, int b);
	int (*start)(sd_bus *bus);
	sd_bus *(*flush_close_unref)(sd_bus *bus);
	int (*match_signal)(sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path,
			    const char *interface, const char *member,
			    sd_bus_message_handler_t callback, void *userdata);
	int (*call_method)(sd_bus *bus, const char *destination, const char *path,
			   const char *interface, const char *member, sd_bus_error *ret_error,
			   sd_bus_message **reply, const char *types, ...);
	int (*new_method_call)(sd_bus *bus, sd_bus_message **m, const char *destination,
			       const char *path, const char *interface, const char *member);
	int (*append)(sd_bus_message *m, const char *types, ...);
	int (*open_container)(sd_bus_message *m, char type, const char *contents);
	int (*close_container)(sd_bus_message *m);
	int (*call)(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error,
		    sd_bus_message **reply);
	int (*read)(sd_bus_message *m, const char *types, ...);
	sd_bus_message *(*message_unref)(sd_bus_message *m);
	sd_bus_slot *(*slot_unref)(sd_bus_slot *slot);
	int (*process)(sd_bus *bus, sd_bus_message **r);
	int (*wait)(sd_bus *bus, uint64_t timeout_usec);
	void (*error_free)(sd_bus_error *e);
};

#define SYSTEMD_LIB "libsystemd.so.0"

static int sdbus_load(struct sdbus *sd)
{
	static const struct { const char *name; size_t off; } syms[] = {
#define S(field, sym) { sym, offsetof(struct sdbus, field) }
		S(bus_new, "sd_bus_new"), S(set_address, "sd_bus_set_address"),
		S(set_bus_client, "sd_bus_set_bus_client"), S(start, "sd_bus_start"),
		S(flush_close_unref, "sd_bus_flush_close_unref"),
		S(match_signal, "sd_bus_match_signal"), S(call_method, "sd_bus_call_method"),
		S(new_method_call, "sd_bus_message_new_method_call"),
		S(append, "sd_bus_message_append"),
		S(open_container, "sd_bus_message_open_container"),
		S(close_container, "sd_bus_message_close_container"), S(call, "sd_bus_call"),
		S(read, "sd_bus_message_read"), S(message_unref, "sd_bus_message_unref"),
		S(slot_unref, "sd_bus_slot_unref"), S(process, "sd_bus_process"),
		S(wait, "sd_bus_wait"), S(error_free, "sd_bus_error_free"),
#undef S
	};
	size_t i;

	memset(sd, 0, sizeof *sd);
	sd->lib = dlopen(SYSTEMD_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!sd->lib)
		return sb_err(ELIBACC, "cannot load %s (%s), which sandbox uses to talk to "
			      "systemd (Debian and Ubuntu: libsystemd0; Fedora: systemd-libs; "
			      "Arch: systemd-libs)", SYSTEMD_LIB, dlerror());
	for (i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		void *f = dlsym(sd->lib, syms[i].name);
		if (!f) {
			int r = sb_err(ELIBACC, "%s has no %s: it is too old (sd_bus_match_signal "
				       "came with systemd 237)", SYSTEMD_LIB, syms[i].name);
			dlclose(sd->lib);
			sd->lib = NULL;
			return r;
		}
		memcpy((char *)sd + syms[i].off, &f, sizeof f);
	}
	return 0;
}

/* ---- the conversation ---- */

struct scope_job {
	const char *unit;
	char result[32];      /* JobRemoved's result for UNIT, "" until then */
	const struct sdbus *sd;
};

/* JobRemoved(u id, o job, s unit, s result): ours is the one for our unit,
 * whichever job path the call's reply names (the signal may come first) */
static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct scope_job *job = userdata;
	const char *path, *unit, *result;
	uint32_t id;

	if (job->sd->read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (strcmp(unit, job->unit) == 0)
		snprintf(job->result, sizeof job->result, "%s", result);
	return 0;
}

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

/* The user bus's address, and where it came from, for messages */
static int bus_address(char *buf, size_t len, const char **from)
{
	const char *env = getenv("DBUS_SESSION_BUS_ADDRESS"), *rt;

	if (env && *env) {
		*from = "$DBUS_SESSION_BUS_ADDRESS";
		snprintf(buf, len, "%s", env);
		return 0;
	}
	rt = getenv("XDG_RUNTIME_DIR");
	if (!rt || !*rt)
		return sb_err(ENOENT, "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set, "
			      "so there is no user bus to ask");
	*from = "$XDG_RUNTIME_DIR/bus";
	snprintf(buf, len, "unix:path=%s/bus", rt);
	return 0;
}

static int connect_bus(const struct sdbus *sd, sd_bus **bus, char *addr, size_t len)
{
	const char *from = "";
	int r;

	if ((r = bus_address(addr, len, &from)) < 0)
		return r;
	if ((r = sd->bus_new(bus)) < 0)
		return sb_err(-r, "sd_bus_new: %s", strerror(-r));
	if ((r = sd->set_address(*bus, addr)) < 0 || (r = sd->set_bus_client(*bus, 1)) < 0 ||
	    (r = sd->start(*bus)) < 0)
		return sb_err(-r, "cannot connect to the user bus %s (from %s): %s", addr, from,
			      strerror(-r));
	return 0;
}

static int bus_failure(const char *what, const sd_bus_error *e, int r)
{
	if (e->name)
		return sb_err(-r, "%s: %s: %s", what, e->name, e->message ? e->message : "");
	return sb_err(-r, "%s: %s", what, strerror(-r));
}

/* StartTransientUnit(s name, s mode, a(sv) properties, a(sa(sv)) aux) */
static int start_unit(const struct sdbus *sd, sd_bus *bus, const char *unit)
{
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error e = { 0 };
	char desc[64];
	int r;

	snprintf(desc, sizeof desc, "sandbox %d, for its resource limits", (int)getpid());
	if ((r = sd->new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
				     "StartTransientUnit")) < 0 ||
	    (r = sd->append(m, "ss", unit, "fail")) < 0 ||
	    (r = sd->open_container(m, 'a', "(sv)")) < 0 ||
	    (r = sd->append(m, "(sv)", "Description", "s", desc)) < 0 ||
	    (r = sd->append(m, "(sv)", "PIDs", "au", 1, (uint32_t)getpid())) < 0 ||
	    (r = sd->append(m, "(sv)", "Delegate", "b", 1)) < 0 ||
	    (r = sd->close_container(m)) < 0 || (r = sd->append(m, "a(sa(sv))", 0)) < 0) {
		r = sb_err(-r, "building the StartTransientUnit call: %s", strerror(-r));
		goto out;
	}
	if ((r = sd->call(bus, m, SCOPE_TIMEOUT_US, &e, &reply)) < 0)
		r = bus_failure("StartTransientUnit failed", &e, r);
out:
	sd->error_free(&e);
	if (reply)
		sd->message_unref(reply);
	if (m)
		sd->message_unref(m);
	return r < 0 ? r : 0;
}

/* Until JOB has a result; at most SCOPE_TIMEOUT_US */
static int wait_job(const struct sdbus *sd, sd_bus *bus, struct scope_job *job)
{
	uint64_t waited = 0;
	int r;

	while (!job->result[0]) {
		if ((r = sd->process(bus, NULL)) < 0)
			return sb_err(-r, "reading the user bus: %s", strerror(-r));
		if (r > 0)
			continue;
		if (waited >= SCOPE_TIMEOUT_US)
			return sb_err(ETIMEDOUT, "the start job of %s did not end in %llu s", job->unit,
				      (unsigned long long)(SCOPE_TIMEOUT_US / 1000000));
		if ((r = sd->wait(bus, 1000000)) < 0)
			return sb_err(-r, "waiting on the user bus: %s", strerror(-r));
		waited += 1000000;
	}
	if (strcmp(job->result, "done") != 0)
		return sb_err(EIO, "the start job of %s ended with \"%s\", not \"done\" "
			      "(journalctl --user -u %s may say why)", job->unit, job->result,
			      job->unit);
	return 0;
}

static int ask_scope(const struct sdbus *sd, const char *unit, char *addr, size_t alen)
{
	struct scope_job job = { .unit = unit, .sd = sd };
	sd_bus *bus = NULL;
	sd_bus_slot *slot = NULL;
	sd_bus_error e = { 0 };
	int r;

	if ((r = connect_bus(sd, &bus, addr, alen)) < 0)
		goto out;
	if ((r = sd->match_signal(bus, &slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved",
				  on_job_removed, &job)) < 0) {
		r = sb_err(-r, "cannot match JobRemoved on the user bus %s: %s", addr, strerror(-r));
		goto out;
	}
	if ((r = sd->call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &e, NULL,
				 "")) < 0) {
		r = bus_failure("Subscribe to the user manager failed", &e, r);
		goto out;
	}
	if ((r = start_unit(sd, bus, unit)) == 0)
		r = wait_job(sd, bus, &job);
out:
	sd->error_free(&e);
	if (slot)
		sd->slot_unref(slot);
	if (bus)
		sd->flush_close_unref(bus);
	return r;
}

/* Move this process into a new transient scope of the user's systemd,
 * delegated to us: 0, or an error naming what was tried */
int scope_enter(char *unit, size_t len)
{
	struct sdbus sd;
	char addr[512] = "";
	int r;

	snprintf(unit, len, "sandbox-%d.scope", (int)getpid());
	/* -v: the next step's time is the scope's (bench/limits.sh) */
	sb_step("asking the user's systemd for a scope");
	if ((r = sdbus_load(&sd)) < 0)
		return r;
	r = ask_scope(&sd, unit, addr, sizeof addr);
	dlclose(sd.lib);
	if (r < 0)
		return r;
	sb_step("in the transient scope %s of the user's systemd", unit);
	return 0;
}
