/* procsys: write the kernel's knobs in /proc and /sys (as root inside).
 * Nothing is changed for real: hostname is the sandbox's own, and the
 * other files are opened for writing but never written, or written with
 * the value they already have.
 *
 *   procsys proc           rewrite /proc/sys/net/ipv4/ip_forward (the network
 *                          namespace's own), and open /proc/sys/kernel/hostname,
 *                          /proc/sys/kernel/core_pattern, /proc/sysrq-trigger and
 *                          /proc/irq/default_smp_affinity for writing
 *   procsys sys [mount]    /sys/class/net/lo/tx_queue_len, rewritten with
 *                          its value (mount: mount a new sysfs on /sys first)
 */
#include "probe.h"
#include <fcntl.h>
#include <sys/mount.h>

static char report[2048];

static int try_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		snprintf(report + strlen(report), sizeof report - strlen(report), "%s: writable; ",
			 path);
		return 1;
	}
	snprintf(report + strlen(report), sizeof report - strlen(report), "%s: %s; ", path,
		 errno == ENOENT ? "absent" : ename(errno));
	return 0;
}

/* write CONTENT (or, NULL, the file's own content) to PATH */
static int try_write(const char *path, const char *content)
{
	char old[256];
	int fd, ok = 0;
	ssize_t n;

	if (!content) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, old, sizeof old - 1);
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			ERROR("cannot read %s: %s", path, strerror(errno));
		old[n] = '\0';
		content = old;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, content, strlen(content)) == (ssize_t)strlen(content))
		ok = 1;
	snprintf(report + strlen(report), sizeof report - strlen(report), "%s: %s; ", path,
		 ok ? "written" : ename(errno));
	if (fd >= 0)
		close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	int open_ = 0;

	if (argc >= 2 && strcmp(argv[1], "proc") == 0) {
		open_ |= try_write("/proc/sys/net/ipv4/ip_forward", NULL);
		open_ |= try_open("/proc/sys/kernel/hostname");
		open_ |= try_open("/proc/sys/kernel/core_pattern");
		open_ |= try_open("/proc/sysrq-trigger");
		open_ |= try_open("/proc/irq/default_smp_affinity");
	} else if (argc >= 2 && strcmp(argv[1], "sys") == 0) {
		if (argc == 3 && strcmp(argv[2], "mount") == 0 &&
		    mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			ERROR("mount sysfs: %s", strerror(errno));
		open_ |= try_write("/sys/class/net/lo/tx_queue_len", NULL);
	} else {
		ERROR("usage: procsys proc | procsys sys [mount]");
	}
	if (open_)
		OPEN("%s", report);
	BLOCKED("%s", report);
}
