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
 * readiness signal: pasta writes its pid file once its initialisation is
 * done, slirp4netns writes "1" to --ready-fd.  pasta's pid file is a FIFO
 * in a private directory, read here: a pipe passed as /proc/self/fd/3
 * does not do, as pasta since 2024 closes every inherited descriptor
 * before it opens the file (Debian 13's refuses to start).  The helper
 * dies with the setup process: PR_SET_PDEATHSIG, and slirp4netns's
 * --exit-fd as well.
 *
 * Before the helper starts, the child makes NET_IF itself: a persistent
 * tap device, which the helper attaches to (TUNSETIFF on an existing
 * name) and configures as it would its own.  The difference is at the
 * end: the helper's last close of a device it made unregisters it, and
 * that (an RCU grace period or more) held the sandbox's exit 20 to 40 ms;
 * a persistent device outlives the helper and goes with the network
 * namespace, in the kernel's own deferred cleanup.
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
#include <linux/if_tun.h>
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


/* Bring up "lo" in the current network namespace. */
int net_loopback_up(void)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (s < 0)
		return sb_err(errno, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return sb_err(errno, "loopback: SIOCGIFFLAGS: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return sb_err(errno, "cannot bring up the loopback interface: %s", strerror(errno));
	return 0;
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

/* ---- in the child, in the sandbox's network namespace ---- */

/* In the child, before the helper starts: NET_IF, a persistent tap device
 * with no address (see the top comment).  The flags are the ones both
 * helpers ask for; an attaching TUNSETIFF sets its own anyway. */
int net_child_tap(const struct sandbox_spec *spec)
{
	const char *name = net_mode_name(spec->net_mode);
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	struct ifreq ifr;

	if (fd < 0)
		return sb_err(errno, "--net %s: /dev/net/tun: %s", name, strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, NET_IF);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		return sb_err(e, "--net %s: cannot create the tap device " NET_IF
			      " through /dev/net/tun: %s%s", name, strerror(e),
			      e == ENOTTY || e == EBADFD ? " (it is not the kernel's TUN/TAP device)"
							 : "");
	}
	if (ioctl(fd, TUNSETPERSIST, 1) < 0)
		return sb_err(errno, "--net %s: cannot make the tap device " NET_IF
			      " persistent: %s", name, strerror(errno));
	return 0;
}

/* In the child, once the namespace exists: the egress rules and, when a
 * port below 1024 is published, the namespace's first unprivileged port
 * lowered so that the payload may listen on it (it is this namespace's
 * setting, not the host's). */

int net_child_setup(const struct sandbox_spec *spec)
{
	struct nf_ruleset rs;
	size_t i;
	int r;

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

/* ---- preflight, in the setup process ---- */

/* Can P's host port be bound now?  The helper binds it later, in its
 * own words; this says why not before anything starts. */
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

/* A's name to its IPv4 addresses, each once. */
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
	struct mount_op *op = spec_add_op(spec, MOP_BIND_DATA, "--net", NULL, dest);

	op->ro = true;
	op->generated = true;
	op->perms_set = true;
	op->perms = 0644;
	op->data = text;
	op->data_len = strlen(text);
}

/* pasta's AVX2 build, which pasta itself executes first thing on a CPU
 * that has AVX2 (a second exec and load: 1.2 ms here): straight to it
 * when the package put it beside pasta, as Debian's does. */
static void pasta_avx2(struct net_plan *np)
{
#if defined(__x86_64__) || defined(__i386__)
	char *p;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2"))
		return;
	p = xasprintf("%s.avx2", np->helper);
	if (access(p, X_OK) == 0) {
		free(np->helper);
		np->helper = p;
	} else {
		free(p);
	}
#else
	(void)np; /* pasta's AVX2 build is an x86 one */
#endif
}

/* The helper's absolute path in NP (--net auto becomes the one found),
 * and the device it needs. */
static int find_helper(struct sandbox_spec *spec, struct net_plan *np)
{
	const char *name;

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
	if (spec->net_mode == NET_PASTA)
		pasta_avx2(np);
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		int e = errno;
		return sb_err(e, "--net %s: /dev/net/tun %s: %s needs it to create the sandbox's "
			      "interface%s", name, e == ENOENT ? "does not exist" : "is not accessible",
			      name, e == ENOENT ? " (as root: modprobe tun)"
						: " (as root: chmod 0666 /dev/net/tun)");
	}
	return 0;
}

/* Each --publish in order: not twice the same host port, and free now. */
static int check_publish(const struct sandbox_spec *spec)
{
	size_t i, j;
	int r;

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
	return 0;
}

/* /etc/resolv.conf and /etc/hosts for the sandbox's network. */
static void add_generated_files(struct sandbox_spec *spec)
{
	char host[256];

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
}

/* Before anything starts: the helper, /dev/net/tun, the --net-allow names
 * resolved into SPEC, the --publish ports checked, and the generated files
 * added to SPEC's mount operations. */
int net_preflight(struct sandbox_spec *spec, struct net_plan *np)
{
	size_t i;
	int r;

	memset(np, 0, sizeof *np);
	np->pid = -1;
	np->out_fd = np->exit_fd = np->pidfd = -1;
	if (!net_uses_helper(spec))
		return 0;
	if ((r = find_helper(spec, np)) < 0)
		return r;
	for (i = 0; i < spec->n_allow; i++)
		if (spec->allow[i].name && (r = resolve(&spec->allow[i])) < 0)
			return r;
	if ((r = check_publish(spec)) < 0)
		return r;
	add_generated_files(spec);
	sb_step("network: %s (%s)", net_mode_name(spec->net_mode), np->helper);
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

/* fork + exec ARGV with READY_FD (if >= 0) as fd 3 and EXIT_FD (if >= 0)
 * as the next one, stdin /dev/null, stdout and stderr to a memfd kept for the
 * messages. */
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
		if (ready_fd >= 0)
			ready_fd = fcntl(ready_fd, F_DUPFD_CLOEXEC, 10);
		if (exit_fd >= 0)
			exit_fd = fcntl(exit_fd, F_DUPFD_CLOEXEC, 10);
		int next = 3;
		if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 ||
		    (ready_fd >= 0 && dup2(ready_fd, next++) < 0) ||
		    (exit_fd >= 0 && dup2(exit_fd, next++) < 0) ||
		    fd_set_cloexec_all_except(none, 0, next) < 0) {
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

/* One read of the readiness signal from *RD into BUF of SIZE bytes (*N
 * so far): true once it is whole.  *RD becomes -1 when the helper closed
 * it without a word: its exit then tells why. */
static bool ready_read(int *rd, char *buf, size_t size, size_t *n, bool line)
{
	ssize_t k = read(*rd, buf + *n, size - 1 - *n);

	if (k > 0) {
		*n += (size_t)k;
		buf[*n] = '\0';
		return (line && strchr(buf, '\n')) || (!line && *n > 0) || *n == size - 1;
	}
	if (k == 0 || errno != EINTR)
		*rd = -1;
	return false;
}

/* Wait for the helper's readiness signal on RD: a line (pasta's pid file)
 * or one byte (slirp4netns's "1"), or for the helper to exit. */
static int wait_ready(struct net_plan *np, int rd, bool line)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, np->pid, 0);
	char buf[64];
	size_t n = 0;
	struct timespec t0;
	int r;

	if (pidfd < 0)
		return sb_err(errno, "pidfd_open: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[3] = { { .fd = rd, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN },
				       { .fd = setup_signal_fd(), .events = POLLIN } };
		long left = NET_READY_TIMEOUT_MS - ms_since(&t0);

		if (left <= 0)
			return sb_err(ETIMEDOUT, "--net %s: %s did not report ready within %d s",
				      net_mode_name(np->mode), net_mode_name(np->mode),
				      NET_READY_TIMEOUT_MS / 1000);
		if (setup_signal_taken()) /* ^C while it starts: the caller ends all */
			return sb_err(EINTR, "--net %s: interrupted by signal %d while %s started",
				      net_mode_name(np->mode), setup_signal_taken(),
				      net_mode_name(np->mode));
		r = poll(p, 3, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return sb_err(errno, "poll: %s", strerror(errno));
		if (p[0].revents && ready_read(&rd, buf, sizeof buf, &n, line))
			return 0;
		if (p[1].revents)
			return helper_exited(np, "before it was ready");
	}
}

/* slirp4netns's API: one request per connection, answered with JSON. */
static int slirp_api(const char *sock, const char *req, char *resp, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int s = -1;
	size_t n = 0;
	int r;

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -errno;
	if ((r = write_all(s, req, strlen(req))) < 0)
		return r;
	if (shutdown(s, SHUT_WR) < 0)
		return -errno;
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

/* The helper's command line, and what it owns until net_start returns. */
struct helper_cmd {
	char **argv;                 /* NULL-terminated */
	char **own;                  /* the strings made for it */
	size_t n, no;
	char *dir;                   /* private: the two below */
	char *sock;                  /* slirp4netns's API socket */
	char *fifo;                  /* pasta's pid file */
	char ns_net[64], ns_user[64];
};

static void arg(struct helper_cmd *c, const char *s)
{
	c->argv[c->n++] = (char *)s;
}

static void arg_own(struct helper_cmd *c, char *s)
{
	c->argv[c->n++] = c->own[c->no++] = s;
}

static void helper_cmd_free(struct helper_cmd *c)
{
	size_t i;

	if (c->sock) {
		unlink(c->sock);
		free(c->sock);
	}
	if (c->fifo) {
		unlink(c->fifo);
		free(c->fifo);
	}
	if (c->dir) {
		rmdir(c->dir);
		free(c->dir);
	}
	for (i = 0; i < c->no; i++)
		free(c->own[i]);
	free(c->own);
	free(c->argv);
}

/* pasta's options: the network of the top comment, set up by pasta itself */
static void pasta_args(const struct sandbox_spec *spec, struct helper_cmd *c)
{
	bool tcp = false, udp = false;
	size_t i;

	arg(c, "--foreground");
	arg(c, "--quiet");
	arg(c, "--ipv4-only");
	arg(c, "--config-net");
	arg(c, "--ns-ifname"); arg(c, NET_IF);
	arg(c, "--address"); arg(c, NET_ADDR);
	arg(c, "--netmask"); arg(c, NET_PREFIX);
	arg(c, "--gateway"); arg(c, NET_GW);
	arg(c, "--mtu"); arg_own(c, xasprintf("%d", NET_MTU));
	arg(c, "--dns-forward"); arg(c, NET_DNS);
	/* nothing forwarded but what --publish asks */
	for (i = 0; i < spec->n_publish; i++) {
		const struct net_publish *p = &spec->publish[i];
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &p->host_ip, ip, sizeof ip);
		arg(c, p->udp ? "--udp-ports" : "--tcp-ports");
		if (p->udp) /* unchanged: the egress rules map the port */
			arg_own(c, xasprintf("%s/%u", ip, p->host_port));
		else
			arg_own(c, xasprintf("%s/%u:%u", ip, p->host_port, p->port));
		tcp |= !p->udp;
		udp |= p->udp;
	}
	if (!tcp) {
		arg(c, "--tcp-ports"); arg(c, "none");
	}
	if (!udp) {
		arg(c, "--udp-ports"); arg(c, "none");
	}
	arg(c, "--tcp-ns"); arg(c, "none");
	arg(c, "--udp-ns"); arg(c, "none");
	if (!spec->allow_host_loopback)
		arg(c, "--no-map-gw");
	/* the pid file is written once pasta is set up: our FIFO, when
	 * that is waited for (--publish) */
	if (c->fifo) {
		arg(c, "--pid"); arg(c, c->fifo);
	}
	if (geteuid() == 0) {
		/* else pasta becomes nobody, who may not join the namespaces */
		arg(c, "--runas"); arg(c, "0:0");
	}
	/* we end pasta ourselves; its watch on /proc/PID/ns for the
	 * namespace's end would only hold its exit (inotify's teardown
	 * waits for an SRCU grace period: up to 12 ms here) */
	arg(c, "--no-netns-quit");
	arg(c, "--netns"); arg(c, c->ns_net);
	arg(c, "--userns"); arg(c, c->ns_user);
}

/* A private directory for slirp4netns's API socket or pasta's pid file,
 * in $XDG_RUNTIME_DIR when usable (and short enough for a socket's path),
 * else in /tmp.  Removed once the helper is ready. */
static int helper_dir(struct helper_cmd *c, const char *what)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int r;

	if (!base || base[0] != '/' || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    access(base, W_OK) < 0 || strlen(base) > 60)
		base = "/tmp";
	c->dir = xasprintf("%s/sandbox-net.XXXXXX", base);
	if (!mkdtemp(c->dir)) {
		r = sb_err(errno, "cannot create a directory for %s in %s: %s", what, base,
			   strerror(errno));
		free(c->dir);
		c->dir = NULL;
		return r;
	}
	return 0;
}

/* pasta's pid file: a FIFO, *RD its read end (opened first, so that
 * pasta's open for writing does not wait). */
static int pasta_pid_fifo(struct helper_cmd *c, int *rd)
{
	int r;

	if ((r = helper_dir(c, "pasta's pid file")) < 0)
		return r;
	c->fifo = xasprintf("%s/pasta.pid", c->dir);
	if (mkfifo(c->fifo, 0600) < 0) {
		r = sb_err(errno, "%s: %s", c->fifo, strerror(errno));
		free(c->fifo);
		c->fifo = NULL;
		return r;
	}
	*rd = open(c->fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*rd < 0)
		return sb_err(errno, "%s: %s", c->fifo, strerror(errno));
	return 0;
}

/* slirp4netns's options; EP: the --exit-fd pipe, made here; READY:
 * whether it gets --ready-fd (fd 3; the exit fd is the next one) */
static int slirp_args(const struct sandbox_spec *spec, struct net_plan *np,
		      struct helper_cmd *c, int ep[2], bool ready)
{
	size_t i;
	int r;

	if (pipe2(ep, O_CLOEXEC) < 0)
		return sb_err(errno, "pipe: %s", strerror(errno));
	np->exit_fd = ep[1]; /* closed by net_stop: slirp4netns then exits */
	arg(c, "--configure");
	arg_own(c, xasprintf("--mtu=%d", NET_MTU));
	arg(c, "--cidr=" NET_SUBNET);
	/* slirp4netns answers a UDP forward through the host's loopback:
	 * with one, the egress rules alone keep the sandbox from it */
	for (i = 0; i < spec->n_publish && !spec->publish[i].udp; i++)
		;
	if (!spec->allow_host_loopback && i == spec->n_publish)
		arg(c, "--disable-host-loopback");
	if (ready)
		arg(c, "--ready-fd=3");
	arg(c, ready ? "--exit-fd=4" : "--exit-fd=3");
	if (spec->n_publish) {
		if ((r = helper_dir(c, "slirp4netns's API socket")) < 0)
			return r;
		c->sock = xasprintf("%s/api.sock", c->dir);
		arg(c, "--api-socket");
		arg(c, c->sock);
	}
	arg(c, "--netns-type=path");
	arg_own(c, xasprintf("--userns-path=%s", c->ns_user));
	arg(c, c->ns_net);
	arg(c, NET_IF);
	return 0;
}

static void log_cmd(const struct helper_cmd *c)
{
	char line[1024];
	size_t o = 0, i;

	for (i = 0; i < c->n; i++)
		if (buf_printf(line, sizeof line, &o, "%s%s", i ? " " : "", c->argv[i]) < 0)
			break;
	sb_step("starting %s", line);
}

int net_start(const struct sandbox_spec *spec, struct net_plan *np, pid_t child)
{
	struct helper_cmd c = { 0 };
	size_t max = 48 + 2 * spec->n_publish;
	int rp[2] = { -1, -1 }, ep[2] = { -1, -1 }, r = 0;
	bool pasta = spec->net_mode == NET_PASTA, wait = spec->n_publish > 0;

	np->mode = spec->net_mode;
	snprintf(c.ns_net, sizeof c.ns_net, "/proc/%d/ns/net", (int)child);
	snprintf(c.ns_user, sizeof c.ns_user, "/proc/%d/ns/user", (int)child);
	c.argv = xcalloc(max, sizeof *c.argv);
	c.own = xcalloc(max, sizeof *c.own);
	arg(&c, np->helper);
	if (pasta) {
		/* pasta's readiness: its pid file, our FIFO */
		if (wait)
			r = pasta_pid_fifo(&c, &rp[0]);
		if (r == 0)
			pasta_args(spec, &c);
	} else if (wait && pipe2(rp, O_CLOEXEC) < 0) {
		/* slirp4netns's: "1" on --ready-fd, this pipe */
		r = sb_err(errno, "pipe: %s", strerror(errno));
	} else {
		r = slirp_args(spec, np, &c, ep, wait);
	}
	c.argv[c.n] = NULL;
	if (r == 0 && sb_verbose)
		log_cmd(&c);
	if (r == 0)
		r = spawn_helper(np, c.argv, rp[1], ep[0]);
	if (rp[1] >= 0)
		close(rp[1]);
	if (r == 0 && !wait) {
		/* the child waits for eth0's configuration (netwait.c);
		 * supervise() watches for the helper's failure meanwhile */
		np->pidfd = (int)syscall(SYS_pidfd_open, np->pid, 0);
		if (np->pidfd < 0)
			r = sb_err(errno, "pidfd_open: %s", strerror(errno));
		else
			sb_step("%s started (pid %d)", net_mode_name(np->mode), (int)np->pid);
	} else if (r == 0) {
		r = wait_ready(np, rp[0], pasta);
	}
	if (r == 0 && wait)
		sb_step("%s is ready (pid %d)", net_mode_name(np->mode), (int)np->pid);
	if (r == 0 && c.sock) {
		r = slirp_publish(spec, c.sock);
		if (r == 0)
			sb_step("%zu port forward%s added", spec->n_publish,
				spec->n_publish == 1 ? "" : "s");
	}
	helper_cmd_free(&c);
	if (rp[0] >= 0)
		close(rp[0]);
	if (ep[0] >= 0)
		close(ep[0]);
	return r;
}

/* The helper exited while the sandbox started (supervise() saw pidfd):
 * the start fails, in the helper's words. */
int net_helper_failed(struct net_plan *np)
{
	net_helper_unwatch(np);
	return helper_exited(np, "while the sandbox started");
}

void net_helper_unwatch(struct net_plan *np)
{
	if (np->pidfd >= 0)
		close(np->pidfd);
	np->pidfd = -1;
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
	net_helper_unwatch(np);
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
