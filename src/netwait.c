/* netwait.c - in the child: waiting for the network helper to attach to
 * NET_IF and configure it, before the payload may run.
 *
 * Without --publish the child does not wait for the helper to finish its
 * own start (pasta needs some 12 ms for that, three times the rest of a
 * sandbox's start-up): it goes on as soon as NET_IF is up, has its
 * address, MTU and default route, and has a carrier, which a tap device
 * has only while a program holds it open, i.e. once the helper has
 * attached.  What the payload sends from then on waits in the device's
 * queue until the helper reads it; nothing is lost.  The child wakes on
 * the kernel's rtnetlink notifications for the link, its IPv4 addresses
 * and routes (subscribed before the helper starts, so none is missed),
 * and reads the state itself at each wake-up, so that a lost
 * notification (ENOBUFS) costs nothing.
 *
 * With --publish the forwards are the helper's, made once it is ready:
 * the child waits for the setup process's NET_OK instead, then checks the
 * same state.
 *
 * Must not touch: the helper's process and the egress rules (net.c).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "sandbox.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* the notifications, and /proc/self/net/route of the sandbox's
 * namespace: opened before the helper starts (net_child_watch), while
 * /proc is still the host's (the file follows the reading task's
 * network namespace) */
static int watch_fd = -1, route_fd = -1;

int net_child_watch(const struct sandbox_spec *spec)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
					       RTMGRP_IPV4_ROUTE };

	route_fd = open("/proc/self/net/route", O_RDONLY | O_CLOEXEC);
	if (route_fd < 0)
		return sb_err(errno, "/proc/self/net/route: %s", strerror(errno));
	if (spec->n_publish)
		return 0; /* NET_OK is the signal */
	watch_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (watch_fd < 0 || bind(watch_fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return sb_err(errno, "--net %s: cannot watch " NET_IF " (rtnetlink): %s",
			      net_mode_name(spec->net_mode), strerror(errno));
	return 0;
}

/* A default route via NET_GW on NET_IF, read from route_fd anew (a
 * seq_file: its text is made at each read from the start). */
static bool default_route(void)
{
	char buf[4096], *line, *save = NULL;
	struct in_addr gw;
	size_t n = 0;
	ssize_t k;

	if (lseek(route_fd, 0, SEEK_SET) < 0)
		return false;
	while (n < sizeof buf - 1 && (k = read(route_fd, buf + n, sizeof buf - 1 - n)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return false;
		n += (size_t)k;
	}
	buf[n] = '\0';
	inet_pton(AF_INET, NET_GW, &gw);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char ifname[IFNAMSIZ + 1];
		unsigned int dest, via;
		if (sscanf(line, "%16s %x %x", ifname, &dest, &via) == 3 &&
		    strcmp(ifname, NET_IF) == 0 && dest == 0 && via == gw.s_addr)
			return true;
	}
	return false;
}

/* What NET_IF lacks of the configuration the helper gives it, or NULL
 * when it has it all. */
static const char *iface_missing(void)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ethtool_value link = { .cmd = ETHTOOL_GLINK };
	struct ifreq ifr;
	struct in_addr want;

	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, NET_IF);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
		return "is not up";
	ifr.ifr_data = (void *)&link;
	if (ioctl(s, SIOCETHTOOL, &ifr) < 0 || !link.data)
		return "has no carrier (the helper has not attached to it)";
	inet_pton(AF_INET, NET_ADDR, &want);
	if (ioctl(s, SIOCGIFADDR, &ifr) < 0 ||
	    ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr != want.s_addr)
		return "does not have the address " NET_ADDR;
	if (ioctl(s, SIOCGIFMTU, &ifr) < 0 || ifr.ifr_mtu != NET_MTU)
		return "does not have the MTU " STR(NET_MTU);
	if (!default_route())
		return "has no default route via " NET_GW;
	return NULL;
}

/* Wake on the notifications (or on the sync socket: the setup process
 * gone) until NET_IF is configured; the missing part, or NULL. */
static const char *wait_configured(const char *name, int sync_fd, int *err)
{
	struct timespec t0;
	const char *missing;
	char buf[8192];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((missing = iface_missing())) {
		struct pollfd p[2] = { { .fd = watch_fd, .events = POLLIN },
				       { .fd = sync_fd, .events = POLLIN } };
		long left = NET_READY_TIMEOUT_MS - ms_since(&t0);
		int r;

		if (left <= 0) {
			*err = sb_err(ETIMEDOUT, "--net %s: %s did not configure " NET_IF
				      " within %d s: " NET_IF " %s", name, name,
				      NET_READY_TIMEOUT_MS / 1000, missing);
			return missing;
		}
		r = poll(p, 2, (int)left);
		if (r < 0 && errno != EINTR) {
			*err = sb_err(errno, "poll: %s", strerror(errno));
			return missing;
		}
		if (r > 0 && p[1].revents) {
			struct sync_msg m;
			if (recv_msg(sync_fd, &m) <= 0)
				_exit(sb_exit_setup); /* the setup process failed and said so */
		}
		/* drain; ENOBUFS: some were lost, the state is read anew */
		for (;;) {
			ssize_t k = recv(watch_fd, buf, sizeof buf, MSG_DONTWAIT);
			if (k <= 0 && (k == 0 || (errno != ENOBUFS && errno != EINTR)))
				break;
		}
	}
	return NULL;
}

int net_child_wait(const struct sandbox_spec *spec, int sync_fd)
{
	const char *name = net_mode_name(spec->net_mode), *missing;
	int r = 0;

	if (spec->n_publish) {
		struct sync_msg m;
		ssize_t n;
		do
			n = recv_msg(sync_fd, &m);
		while (n > 0 && m.type == MSG_GO);
		if (n <= 0 || m.type != MSG_NET_OK)
			_exit(sb_exit_setup); /* the setup process failed and said so */
		if ((missing = iface_missing()))
			r = sb_err(ENETDOWN, "--net %s: %s reported ready, but " NET_IF " %s",
				   name, name, missing);
	} else if (wait_configured(name, sync_fd, &r)) {
		if (r == 0)
			r = -EIO;
	}
	if (watch_fd >= 0)
		close(watch_fd);
	close(route_fd);
	watch_fd = route_fd = -1;
	if (r == 0)
		sb_step(NET_IF " has " NET_ADDR "/" NET_PREFIX ", mtu %d, default route via "
			NET_GW ", carrier", NET_MTU);
	return r;
}
