/* net.c - the sandbox's network namespace: loopback, the userspace network
 * helper (pasta or slirp4netns), port forwards, loading the egress rules.
 *
 * Both helpers give the sandbox the same network:
 *
 *     eth0        10.0.2.100/24, mtu 65520, default route via 10.0.2.2
 *     10.0.2.2    the gateway: the host's loopback with --allow-host-loopback
 *     10.0.2.3    the helper's DNS forwarder (to the host's resolver)
 *
 * IPv4 only.  The setup process starts the helper once the child reports
 * its network namespace, joined to the child's user and network
 * namespaces by path (/proc/CHILD/ns/...), and waits for the helper's own
 * readiness signal: pasta writes its pid file (--pid, a pipe here) once its
 * initialisation is done, slirp4netns writes "1" to --ready-fd.  The helper
 * dies with the setup process: PR_SET_PDEATHSIG, and slirp4netns's
 * --exit-fd as well.
 *
 * Meanwhile the child loads the egress rules into its own network
 * namespace, one nf_tables netlink transaction built by nft.c: nothing of
 * the helper's subnet but the gateway (only with --allow-host-loopback)
 * and the DNS forwarder, and with --net-allow nothing but the
 * destinations listed.
 * Everything refused is rejected at once (TCP reset, ICMP
 * admin-prohibited), never dropped.
 *
 * Parsing --publish and --net-allow and building the rules is netrules.c's
 * (pure functions of the spec); this file runs processes, opens sockets
 * and touches the namespace, and leaves the rules' shape alone.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "sandbox.h"

#define NET_READY_TIMEOUT_MS 30000

/* Bring up "lo" in the current network namespace. */
int net_loopback_up(void)
{
	struct ifreq ifr;
	int s, r = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return sb_err(errno, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		r = sb_err(errno, "loopback: SIOCGIFFLAGS: %s", strerror(errno));
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			r = sb_err(errno, "cannot bring up the loopback interface: %s", strerror(errno));
	}
	close(s);
	return r;
}

bool net_uses_helper(const struct sandbox_spec *spec)
{
	return spec->net_mode == NET_PASTA || spec->net_mode == NET_SLIRP4NETNS ||
	       spec->net_mode == NET_AUTO;
}

const char *net_mode_name(enum net_mode mode)
{
	switch (mode) {
	case NET_NONE: return "none";
	case NET_HOST: return "host";
	case NET_PASTA: return "pasta";
	case NET_SLIRP4NETNS: return "slirp4netns";
	case NET_AUTO: return "auto";
	}
	return "?";
}

/* In the child, once the namespace exists: the egress rules and, when a
 * port below 1024 is published, the namespace's first unprivileged port
 * lowered so that the payload may listen on it (it is this namespace's
 * setting, not the host's). */
static int route_fd = -1;

int net_child_setup(const struct sandbox_spec *spec)
{
	struct nf_ruleset rs;
	size_t i;
	int r;

	/* the routes, read by net_child_check: /proc/net follows the
	 * reading task's namespace, and by then our root is the new one */
	route_fd = open("/proc/self/net/route", O_RDONLY | O_CLOEXEC);
	if (route_fd < 0)
		return sb_err(errno, "/proc/self/net/route: %s", strerror(errno));
	net_ruleset(spec, &rs);
	r = nft_install(&rs);
	free(rs.r);
	if (r < 0)
		return r;
	sb_step("egress rules installed (%zu nftables rules)", rs.n);
	for (i = 0; i < spec->n_publish; i++)
		if (spec->publish[i].port < 1024) {
			r = write_file_at(AT_FDCWD, "/proc/sys/net/ipv4/ip_unprivileged_port_start",
					  "0");
			if (r < 0)
				return sb_err(-r, "--publish %s: cannot let the sandbox listen on "
					      "port %u: net.ipv4.ip_unprivileged_port_start: %s",
					      spec->publish[i].spec, spec->publish[i].port,
					      strerror(-r));
			break;
		}
	return 0;
}

/* In the child, after the helper said it is ready: the payload starts
 * only on a configured interface. */
int net_child_check(const struct sandbox_spec *spec)
{
	const char *name = net_mode_name(spec->net_mode);
	struct ifreq ifr;
	struct in_addr want;
	char line[256];
	bool route = false;
	FILE *f;
	int s, r = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return sb_err(errno, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, NET_IF);
	inet_pton(AF_INET, NET_ADDR, &want);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
		r = sb_err(ENETDOWN, "--net %s: %s reported ready, but " NET_IF " is not up", name, name);
	else if (ioctl(s, SIOCGIFADDR, &ifr) < 0 ||
		 ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr != want.s_addr)
		r = sb_err(EADDRNOTAVAIL, "--net %s: %s reported ready, but " NET_IF " does not have "
			   "the address " NET_ADDR, name, name);
	else if (ioctl(s, SIOCGIFMTU, &ifr) < 0 || ifr.ifr_mtu != NET_MTU)
		r = sb_err(EINVAL, "--net %s: %s reported ready, but the MTU of " NET_IF " is %d, "
			   "not %d", name, name, ifr.ifr_mtu, NET_MTU);
	close(s);
	if (r < 0)
		return r;
	/* the file opened by net_child_setup, read now (a seq_file: its
	 * text is made at the read) */
	f = fdopen(route_fd, "re");
	if (!f)
		return sb_err(errno, "/proc/self/net/route: %s", strerror(errno));
	route_fd = -1;
	inet_pton(AF_INET, NET_GW, &want);
	while (fgets(line, sizeof line, f)) {
		char ifname[IFNAMSIZ + 1];
		unsigned int dest, gw;
		if (sscanf(line, "%16s %x %x", ifname, &dest, &gw) == 3 &&
		    strcmp(ifname, NET_IF) == 0 && dest == 0 && gw == want.s_addr)
			route = true;
	}
	fclose(f);
	if (!route)
		return sb_err(ENETUNREACH, "--net %s: %s reported ready, but there is no default "
			      "route via " NET_GW, name, name);
	sb_step(NET_IF " has " NET_ADDR "/" NET_PREFIX ", mtu %d, default route via " NET_GW,
		NET_MTU);
	return 0;
}

/* ---- preflight, in the setup process ---- */


static int check_port_free(const struct net_publish *p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p->host_port),
				  .sin_addr.s_addr = p->host_ip };
	char ip[INET_ADDRSTRLEN];
	int s, one = 1, e = 0;

	inet_ntop(AF_INET, &p->host_ip, ip, sizeof ip);
	s = socket(AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (s < 0)
		return sb_err(errno, "socket: %s", strerror(errno));
	if (!p->udp)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0)
		e = errno;
	close(s);
	switch (e) {
	case 0:
		return 0;
	case EADDRINUSE:
		return sb_err(e, "--publish %s: host port %s:%u/%s is already in use", p->spec, ip,
			      p->host_port, p->udp ? "udp" : "tcp");
	case EADDRNOTAVAIL:
		return sb_err(e, "--publish %s: %s is not an address of this host", p->spec, ip);
	case EACCES:
		return sb_err(e, "--publish %s: host port %u needs privileges (the first port "
			      "anyone may bind is sysctl net.ipv4.ip_unprivileged_port_start)",
			      p->spec, p->host_port);
	default:
		return sb_err(e, "--publish %s: cannot bind %s:%u/%s: %s", p->spec, ip,
			      p->host_port, p->udp ? "udp" : "tcp", strerror(e));
	}
}

static int resolve(struct net_allow *a)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int r;

	r = getaddrinfo(a->name, NULL, &hints, &res);
	if (r != 0)
		return sb_err(EHOSTUNREACH, "--net-allow %s: cannot resolve %s: %s", a->spec, a->name,
			      r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
	for (ai = res; ai; ai = ai->ai_next) {
		uint32_t v = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr;
		size_t i;
		for (i = 0; i < a->n_addrs && a->addrs[i] != v; i++)
			;
		if (i < a->n_addrs)
			continue;
		a->addrs = xrealloc(a->addrs, (a->n_addrs + 1) * sizeof *a->addrs);
		a->addrs[a->n_addrs++] = v;
	}
	freeaddrinfo(res);
	if (a->n_addrs == 0)
		return sb_err(EHOSTUNREACH, "--net-allow %s: %s has no IPv4 address", a->spec, a->name);
	return 0;
}

/* A generated file bound read-only over DEST, after the user's operations. */
static void add_generated_file(struct sandbox_spec *spec, const char *dest, char *text)
{
	struct mount_op *op;

	spec->ops = xrealloc(spec->ops, (spec->n_ops + 1) * sizeof *op);
	op = &spec->ops[spec->n_ops++];
	memset(op, 0, sizeof *op);
	op->kind = MOP_BIND_DATA;
	op->opt = "--net";
	op->dest = dest;
	op->ro = true;
	op->generated = true;
	op->perms_set = true;
	op->perms = 0644;
	op->data = text;
	op->data_len = strlen(text);
}

int net_preflight(struct sandbox_spec *spec, struct net_plan *np)
{
	const char *name;
	char host[256];
	size_t i, j;
	int r;

	memset(np, 0, sizeof *np);
	np->pid = -1;
	np->out_fd = np->exit_fd = -1;
	if (!net_uses_helper(spec))
		return 0;

	if (spec->net_mode == NET_AUTO) {
		if ((np->helper = find_in_path("pasta")))
			spec->net_mode = NET_PASTA;
		else if ((np->helper = find_in_path("slirp4netns")))
			spec->net_mode = NET_SLIRP4NETNS;
		else
			return sb_err(ENOENT, "--net auto: neither pasta (package passt) nor "
				      "slirp4netns (package slirp4netns) is installed");
	}
	name = net_mode_name(spec->net_mode);
	if (!np->helper && !(np->helper = find_in_path(name)))
		return sb_err(ENOENT, "--net %s: %s is not installed (install the package %s)",
			      name, name, spec->net_mode == NET_PASTA ? "passt" : "slirp4netns");
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		int e = errno;
		return sb_err(e, "--net %s: /dev/net/tun %s: %s needs it to create the sandbox's "
			      "interface%s", name, e == ENOENT ? "does not exist" : "is not accessible",
			      name, e == ENOENT ? " (as root: modprobe tun)"
						: " (as root: chmod 0666 /dev/net/tun)");
	}
	for (i = 0; i < spec->n_allow; i++)
		if (spec->allow[i].name && (r = resolve(&spec->allow[i])) < 0)
			return r;
	for (i = 0; i < spec->n_publish; i++) {
		const struct net_publish *p = &spec->publish[i];
		for (j = 0; j < i; j++)
			if (spec->publish[j].host_port == p->host_port && spec->publish[j].udp == p->udp &&
			    (spec->publish[j].host_ip == p->host_ip || !p->host_ip ||
			     !spec->publish[j].host_ip))
				return sb_err(EADDRINUSE, "--publish %s: host port %u/%s is published "
					      "twice", p->spec, p->host_port, p->udp ? "udp" : "tcp");
		if ((r = check_port_free(p)) < 0)
			return r;
	}

	if (spec->share_uts || !spec->hostname) {
		if (gethostname(host, sizeof host) < 0)
			snprintf(host, sizeof host, "sandbox");
		host[sizeof host - 1] = '\0';
	} else {
		snprintf(host, sizeof host, "%s", spec->hostname);
	}
	add_generated_file(spec, "/etc/resolv.conf",
			   xasprintf("nameserver %s\n", net_dns_server(spec)));
	add_generated_file(spec, "/etc/hosts",
			   xasprintf("127.0.0.1\tlocalhost\n"
				     "::1\tlocalhost ip6-localhost ip6-loopback\n"
				     NET_ADDR "\t%s\n%s", host,
				     spec->allow_host_loopback ? NET_GW "\thost.sandbox.internal\n"
							       : ""));
	sb_step("network: %s (%s)", name, np->helper);
	return 0;
}

/* ---- the helper, in the setup process ---- */

/* The last lines the helper printed, indented, for a message. */
static void helper_output(const struct net_plan *np, char *out, size_t len)
{
	char buf[1024];
	struct stat st;
	off_t from = 0;
	ssize_t n;
	size_t o = 0, i;

	out[0] = '\0';
	if (np->out_fd < 0 || fstat(np->out_fd, &st) < 0)
		return;
	if (st.st_size > (off_t)sizeof buf - 1)
		from = st.st_size - (off_t)sizeof buf + 1;
	n = pread(np->out_fd, buf, sizeof buf - 1, from);
	if (n <= 0)
		return;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	for (i = 0; i < (size_t)n && o + 4 < len; i++) {
		if (i == 0 || buf[i - 1] == '\n') {
			out[o++] = ' ';
			out[o++] = ' ';
		}
		out[o++] = buf[i];
	}
	out[o] = '\0';
}

static int helper_exited(struct net_plan *np, const char *when)
{
	const char *name = net_mode_name(np->mode);
	char out[1200];
	int st = 0;

	(void)wait_child(np->pid, &st);
	np->pid = -1;
	helper_output(np, out, sizeof out);
	return sb_err(EIO, "--net %s: %s %s %d %s%s%s", name, name,
		      WIFSIGNALED(st) ? "was killed by signal" : "exited with status",
		      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), when,
		      *out ? ":\n" : " and printed nothing", out);
}

/* fork + exec ARGV with READY_FD as fd 3 and EXIT_FD (if >= 0) as fd 4,
 * stdin /dev/null, stdout and stderr to a memfd kept for the messages. */
static int spawn_helper(struct net_plan *np, char **argv, int ready_fd, int exit_fd)
{
	pid_t parent = getpid(), pid;
	int out;

	out = memfd_create("sandbox-net-helper", MFD_CLOEXEC);
	if (out < 0)
		return sb_err(errno, "memfd_create: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(out);
		return sb_err(e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC), none[1] = { -1 };
		/* dies with the setup process, even on SIGKILL */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != parent)
			_exit(127);
		/* its own process group: a ^C at the terminal is the payload's */
		setpgid(0, 0);
		signals_reset();
		ready_fd = fcntl(ready_fd, F_DUPFD_CLOEXEC, 10);
		if (exit_fd >= 0)
			exit_fd = fcntl(exit_fd, F_DUPFD_CLOEXEC, 10);
		if (null < 0 || ready_fd < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(out, 2) < 0 || dup2(ready_fd, 3) < 0 ||
		    (exit_fd >= 0 && dup2(exit_fd, 4) < 0) ||
		    fd_set_cloexec_all_except(none, 0, exit_fd >= 0 ? 5 : 4) < 0) {
			dprintf(out, "cannot set up the file descriptors: %s\n", strerror(errno));
			_exit(127);
		}
		execv(argv[0], argv);
		dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	np->pid = pid;
	np->out_fd = out;
	return 0;
}

/* Wait for the helper's readiness signal on RD: a line (pasta's pid file)
 * or one byte (slirp4netns's "1"), or for the helper to exit. */
static int wait_ready(struct net_plan *np, int rd, bool line)
{
	char buf[64];
	size_t n = 0;
	struct timespec t0, t;
	int pidfd, r;

	pidfd = (int)syscall(SYS_pidfd_open, np->pid, 0);
	if (pidfd < 0)
		return sb_err(errno, "pidfd_open: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[3] = { { .fd = rd, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN },
				       { .fd = setup_signal_fd(), .events = POLLIN } };
		long left;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = NET_READY_TIMEOUT_MS - ((t.tv_sec - t0.tv_sec) * 1000 +
					       (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0) {
			close(pidfd);
			return sb_err(ETIMEDOUT, "--net %s: %s did not report ready within %d s",
				      net_mode_name(np->mode), net_mode_name(np->mode),
				      NET_READY_TIMEOUT_MS / 1000);
		}
		if (setup_signal_taken()) { /* ^C while it starts: the caller ends all */
			r = sb_err(EINTR, "--net %s: interrupted by signal %d while %s started",
				   net_mode_name(np->mode), setup_signal_taken(),
				   net_mode_name(np->mode));
			break;
		}
		r = poll(p, 3, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = sb_err(errno, "poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents) {
			ssize_t k = read(rd, buf + n, sizeof buf - 1 - n);
			if (k > 0) {
				n += (size_t)k;
				buf[n] = '\0';
				if ((line && strchr(buf, '\n')) || (!line && n > 0) ||
				    n == sizeof buf - 1) {
					r = 0;
					break;
				}
			} else if (k == 0 || errno != EINTR) {
				rd = -1; /* closed without a word: the exit tells why */
			}
		}
		if (p[1].revents) {
			r = helper_exited(np, "before it was ready");
			break;
		}
	}
	close(pidfd);
	return r;
}

/* slirp4netns's API: one request per connection, answered with JSON. */
static int slirp_api(const char *sock, const char *req, char *resp, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = 0;
	int s, e;

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    write(s, req, strlen(req)) != (ssize_t)strlen(req) || shutdown(s, SHUT_WR) < 0) {
		e = errno;
		close(s);
		return -e;
	}
	for (;;) {
		ssize_t k = read(s, resp + n, len - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
		if (n == len - 1)
			break;
	}
	resp[n] = '\0';
	close(s);
	return 0;
}

static int slirp_publish(const struct sandbox_spec *spec, const char *sock)
{
	size_t i;

	for (i = 0; i < spec->n_publish; i++) {
		const struct net_publish *p = &spec->publish[i];
		char ip[INET_ADDRSTRLEN], req[512], resp[1024];
		int r;

		inet_ntop(AF_INET, &p->host_ip, ip, sizeof ip);
		snprintf(req, sizeof req, "{\"execute\": \"add_hostfwd\", \"arguments\": "
			 "{\"proto\": \"%s\", \"host_addr\": \"%s\", \"host_port\": %u, "
			 "\"guest_addr\": \"" NET_ADDR "\", \"guest_port\": %u}}",
			 p->udp ? "udp" : "tcp", ip, p->host_port, p->port);
		if ((r = slirp_api(sock, req, resp, sizeof resp)) < 0)
			return sb_err(-r, "--publish %s: cannot reach slirp4netns's API socket: %s",
				      p->spec, strerror(-r));
		if (!strstr(resp, "\"return\"") || strstr(resp, "\"error\""))
			return sb_err(EIO, "--publish %s: slirp4netns refused the forward: %s",
				      p->spec, *resp ? resp : "(no answer)");
	}
	return 0;
}

int net_start(const struct sandbox_spec *spec, struct net_plan *np, pid_t child)
{
	char **argv, **own, ns_net[64], ns_user[64];
	char *dir = NULL, *sock = NULL;
	size_t n = 0, no = 0, i, max = 48 + 2 * spec->n_publish;
	int rp[2], ep[2] = { -1, -1 }, r;
	bool pasta = spec->net_mode == NET_PASTA;

#define ARG(s) (argv[n++] = (char *)(s))
#define OWN(s) (argv[n++] = own[no++] = (s))
	np->mode = spec->net_mode;
	snprintf(ns_net, sizeof ns_net, "/proc/%d/ns/net", (int)child);
	snprintf(ns_user, sizeof ns_user, "/proc/%d/ns/user", (int)child);
	if (pipe2(rp, O_CLOEXEC) < 0)
		return sb_err(errno, "pipe: %s", strerror(errno));
	argv = xcalloc(max, sizeof *argv);
	own = xcalloc(max, sizeof *own);
	ARG(np->helper);
	if (pasta) {
		bool tcp = false, udp = false;
		ARG("--foreground");
		ARG("--quiet");
		ARG("--ipv4-only");
		ARG("--config-net");
		ARG("--ns-ifname"); ARG(NET_IF);
		ARG("--address"); ARG(NET_ADDR);
		ARG("--netmask"); ARG(NET_PREFIX);
		ARG("--gateway"); ARG(NET_GW);
		ARG("--mtu"); OWN(xasprintf("%d", NET_MTU));
		ARG("--dns-forward"); ARG(NET_DNS);
		/* nothing forwarded but what --publish asks */
		for (i = 0; i < spec->n_publish; i++) {
			const struct net_publish *p = &spec->publish[i];
			char ip[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &p->host_ip, ip, sizeof ip);
			ARG(p->udp ? "--udp-ports" : "--tcp-ports");
			if (p->udp) /* unchanged: the egress rules map the port */
				OWN(xasprintf("%s/%u", ip, p->host_port));
			else
				OWN(xasprintf("%s/%u:%u", ip, p->host_port, p->port));
			tcp |= !p->udp;
			udp |= p->udp;
		}
		if (!tcp) {
			ARG("--tcp-ports"); ARG("none");
		}
		if (!udp) {
			ARG("--udp-ports"); ARG("none");
		}
		ARG("--tcp-ns"); ARG("none");
		ARG("--udp-ns"); ARG("none");
		if (!spec->allow_host_loopback)
			ARG("--no-map-gw");
		/* the pid file is written once pasta is set up: our pipe */
		ARG("--pid"); ARG("/proc/self/fd/3");
		if (geteuid() == 0) {
			/* else pasta becomes nobody, who may not join the namespaces */
			ARG("--runas"); ARG("0:0");
		}
		ARG("--netns"); ARG(ns_net);
		ARG("--userns"); ARG(ns_user);
	} else {
		if (pipe2(ep, O_CLOEXEC) < 0) {
			r = sb_err(errno, "pipe: %s", strerror(errno));
			goto out;
		}
		np->exit_fd = ep[1]; /* closed by net_stop: slirp4netns then exits */
		ARG("--configure");
		OWN(xasprintf("--mtu=%d", NET_MTU));
		ARG("--cidr=" NET_SUBNET);
		/* slirp4netns answers a UDP forward through the host's loopback:
		 * with one, the egress rules alone keep the sandbox from it */
		for (i = 0; i < spec->n_publish && !spec->publish[i].udp; i++)
			;
		if (!spec->allow_host_loopback && i == spec->n_publish)
			ARG("--disable-host-loopback");
		ARG("--ready-fd=3");
		ARG("--exit-fd=4");
		if (spec->n_publish) {
			const char *base = getenv("XDG_RUNTIME_DIR");
			struct stat st;
			if (!base || base[0] != '/' || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) ||
			    access(base, W_OK) < 0 || strlen(base) > 60)
				base = "/tmp";
			dir = xasprintf("%s/sandbox-net.XXXXXX", base);
			if (!mkdtemp(dir)) {
				r = sb_err(errno, "cannot create a directory for slirp4netns's API "
					   "socket in %s: %s", base, strerror(errno));
				free(dir);
				dir = NULL;
				goto out;
			}
			sock = xasprintf("%s/api.sock", dir);
			ARG("--api-socket");
			ARG(sock);
		}
		ARG("--netns-type=path");
		OWN(xasprintf("--userns-path=%s", ns_user));
		ARG(ns_net);
		ARG(NET_IF);
	}
	argv[n] = NULL;
#undef ARG
#undef OWN

	if (sb_verbose) {
		char line[1024];
		size_t o = 0;
		for (i = 0; i < n; i++)
			if (buf_printf(line, sizeof line, &o, "%s%s", i ? " " : "", argv[i]) < 0)
				break;
		sb_step("starting %s", line);
	}
	r = spawn_helper(np, argv, rp[1], ep[0]);
	close(rp[1]);
	rp[1] = -1;
	if (r == 0)
		r = wait_ready(np, rp[0], pasta);
	if (r == 0)
		sb_step("%s is ready (pid %d)", net_mode_name(np->mode), (int)np->pid);
	if (r == 0 && sock) {
		r = slirp_publish(spec, sock);
		if (r == 0)
			sb_step("%zu port forward%s added", spec->n_publish,
				spec->n_publish == 1 ? "" : "s");
	}
out:
	if (sock) {
		unlink(sock);
		free(sock);
	}
	if (dir) {
		rmdir(dir);
		free(dir);
	}
	for (i = 0; i < no; i++)
		free(own[i]);
	free(own);
	free(argv);
	close(rp[0]);
	if (rp[1] >= 0)
		close(rp[1]);
	if (ep[0] >= 0)
		close(ep[0]);
	return r;
}

/* The helper exited while the sandbox ran: say so, with its output. */
void net_helper_died(struct net_plan *np, int status)
{
	const char *name = net_mode_name(np->mode);
	char out[1200];

	np->pid = -1;
	helper_output(np, out, sizeof out);
	sb_warn("%s %s %d while the sandbox was running; the sandbox has no network now%s%s",
		name, WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), *out ? ":\n" : "",
		out);
}

/* End the helper with the sandbox. */
void net_stop(struct net_plan *np)
{
	if (np->exit_fd >= 0) {
		close(np->exit_fd);
		np->exit_fd = -1;
	}
	if (np->pid > 0) {
		kill(np->pid, SIGKILL);
		(void)wait_child(np->pid, NULL);
		np->pid = -1;
	}
	if (np->out_fd >= 0) {
		close(np->out_fd);
		np->out_fd = -1;
	}
}
