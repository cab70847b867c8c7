/* netrules.c - the network policy: --publish and --net-allow parsed, and
 * the egress rules built from them (the list nft.c encodes, and its text
 * in nft's syntax for messages, -v and the unit tests).
 *
 * The rules, in table "ip sandbox" of the sandbox's own network
 * namespace (net.c's top comment says what they guard):
 *
 *     chain output   established and related traffic and "lo" accepted;
 *                    of the helper's subnet nothing but the DNS server
 *                    (without --net-allow, or when its names need it)
 *                    and, with --allow-host-loopback, the gateway; with
 *                    --net-allow then nothing but chain allow; the rest
 *                    rejected at once (TCP reset, ICMP admin-prohibited)
 *     chain allow    the --net-allow destinations (its names resolved by
 *                    net_preflight before the rules are built)
 *     chain publish, publish_local: see rules_publish
 *
 * Pure functions of the spec: no sockets, no processes, no files.  Loading
 * the rules is nft.c's; the helper process and the namespace's interface
 * are net.c's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

#include "sandbox.h"

/* ---- parsing ---- */

/* N decimal digits at S: a port, 1 to 65535. */
static int parse_port(const char *s, uint16_t *out)
{
	uint32_t v;

	if (!*s || strlen(s) > 5 || parse_u32(s, &v) < 0 || v == 0 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* [HOSTIP:]HOSTPORT:PORT[/tcp|/udp] */
int net_parse_publish(const char *s, struct net_publish *p)
{
	char buf[64], *proto, *f[3];
	size_t n = 0;
	struct in_addr ip;

	memset(p, 0, sizeof *p);
	p->spec = s;
	if (strlen(s) >= sizeof buf)
		goto bad;
	strcpy(buf, s);
	proto = strchr(buf, '/');
	if (proto) {
		*proto++ = '\0';
		if (strcmp(proto, "udp") == 0)
			p->udp = true;
		else if (strcmp(proto, "tcp") != 0)
			goto bad;
	}
	f[n++] = buf;
	for (char *c = buf; *c; c++)
		if (*c == ':') {
			if (n == 3)
				goto bad;
			*c = '\0';
			f[n++] = c + 1;
		}
	if (n < 2)
		goto bad;
	if (inet_pton(AF_INET, n == 3 ? f[0] : "127.0.0.1", &ip) != 1)
		goto bad;
	if (parse_port(f[n - 2], &p->host_port) < 0 || parse_port(f[n - 1], &p->port) < 0)
		goto bad;
	p->host_ip = ip.s_addr;
	return 0;
bad:
	return sb_err(EINVAL, "--publish %s: expected [HOSTIP:]HOSTPORT:PORT[/tcp|/udp] "
		      "(HOSTIP an IPv4 address, ports from 1 to 65535)", s);
}

static bool valid_hostname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253 || s[0] == '-' || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'))
			return false;
	return true;
}

/* HOST|ADDR[/PREFIX][:PORT]; a HOST is resolved by net_preflight. */
int net_parse_allow(const char *s, struct net_allow *a)
{
	_cleanup_free_ char *buf = NULL;
	char *colon, *slash;
	struct in_addr ip;
	uint32_t prefix = 32;

	memset(a, 0, sizeof *a);
	a->spec = s;
	a->prefix = 32;
	if (strchr(s, '[') || (strchr(s, ':') && strchr(s, ':') != strrchr(s, ':')))
		return sb_err(EINVAL, "--net-allow %s: IPv6 destinations are not supported "
			      "(the sandbox's network is IPv4 only)", s);
	buf = xstrdup(s);
	colon = strrchr(buf, ':');
	if (colon) {
		*colon = '\0';
		if (parse_port(colon + 1, &a->port) < 0)
			goto bad;
	}
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!slash[1] || strlen(slash + 1) > 2 || parse_u32(slash + 1, &prefix) < 0 ||
		    prefix > 32)
			goto bad;
	}
	if (inet_pton(AF_INET, buf, &ip) == 1) {
		uint32_t mask = prefix ? htonl(~0U << (32 - prefix)) : 0;
		a->addrs = xmalloc(sizeof *a->addrs);
		a->addrs[0] = ip.s_addr & mask;
		a->n_addrs = 1;
		a->prefix = (uint8_t)prefix;
		return 0;
	}
	if (slash || !valid_hostname(buf))
		goto bad;
	a->name = buf;
	buf = NULL;
	return 0;
bad:
	return sb_err(EINVAL, "--net-allow %s: expected HOST, or ADDR[/PREFIX], then optionally "
		      ":PORT (an IPv4 address, a prefix from 0 to 32, a port from 1 to 65535)", s);
}

/* ---- the egress rules ---- */

/* The sandbox's DNS server: --dns, else the helper's forwarder. */
const char *net_dns_server(const struct sandbox_spec *spec)
{
	return spec->dns ? spec->dns : NET_DNS;
}

static struct nf_rule *rule_add(struct nf_ruleset *rs, enum nf_chain chain,
				enum nf_verdict verdict)
{
	struct nf_rule *r;

	rs->r = xrealloc(rs->r, (rs->n + 1) * sizeof *r);
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof *r);
	r->chain = chain;
	r->verdict = verdict;
	rs->has_chain[chain] = true;
	return r;
}

static void rule_daddr(struct nf_rule *r, const char *addr, uint8_t prefix)
{
	inet_pton(AF_INET, addr, &r->daddr);
	r->has_daddr = true;
	r->prefix = prefix;
}

/* DEST (with PREFIX) on PORT over TCP and UDP, or on every port: VERDICT */
static void rule_dest(struct nf_ruleset *rs, enum nf_chain chain, uint32_t daddr,
		      uint8_t prefix, uint16_t port, enum nf_verdict verdict)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	size_t i;

	for (i = 0; i < (port ? 2 : 1); i++) {
		struct nf_rule *r = rule_add(rs, chain, verdict);
		r->has_daddr = true;
		r->daddr = daddr;
		r->prefix = prefix;
		r->l4proto = port ? protos[i] : 0;
		r->dport = port;
	}
}

/* The subnet's rest, or everything: rejected at once, never dropped. */
static void rule_reject(struct nf_ruleset *rs, const char *subnet)
{
	struct nf_rule *r = rule_add(rs, NFC_OUTPUT, NFV_REJECT_TCP);

	r->l4proto = IPPROTO_TCP;
	if (subnet)
		rule_daddr(r, subnet, 24);
	r = rule_add(rs, NFC_OUTPUT, NFV_REJECT_ICMP);
	if (subnet)
		rule_daddr(r, subnet, 24);
}

/* pasta (as of Debian 12's) loses the replies of a UDP forward that
 * changes the port: it forwards HOSTPORT unchanged, and this maps it to
 * PORT.  From the host's loopback pasta sends it from a socket of its own
 * inside: to 127.0.0.1 (Debian 12's) or to the sandbox's own address
 * (Debian 13's), both on the output path; from elsewhere it comes in
 * through eth0: prerouting. */
static void rules_publish(const struct sandbox_spec *spec, struct nf_ruleset *rs)
{
	enum nf_chain c;
	size_t i;

	for (c = NFC_PUBLISH_LOCAL; c <= NFC_PUBLISH && spec->net_mode == NET_PASTA; c++)
		for (i = 0; i < spec->n_publish; i++) {
			const struct net_publish *p = &spec->publish[i];
			struct nf_rule *r;
			static const char *const local[] = { "127.0.0.1", NET_ADDR };
			size_t k;
			if (!p->udp || p->host_port == p->port)
				continue;
			for (k = 0; k < (c == NFC_PUBLISH_LOCAL ? 2 : 1); k++) {
				r = rule_add(rs, c, NFV_DNAT);
				if (c == NFC_PUBLISH_LOCAL)
					rule_daddr(r, local[k], 32);
				else
					r->iif_eth0 = true;
				r->l4proto = IPPROTO_UDP;
				r->dport = p->host_port;
				r->to_port = p->port;
			}
		}
}

/* The rules for the sandbox's namespace (see the top), in table "ip
 * sandbox": chain output hooks the output path, chain allow holds the
 * --net-allow list. */
void net_ruleset(const struct sandbox_spec *spec, struct nf_ruleset *rs)
{
	bool list = spec->n_allow > 0, names = false;
	uint32_t dns;
	size_t i, j;

	memset(rs, 0, sizeof *rs);
	rs->has_chain[NFC_OUTPUT] = true;
	for (i = 0; i < spec->n_allow; i++) {
		const struct net_allow *a = &spec->allow[i];
		names |= a->name != NULL;
		for (j = 0; j < a->n_addrs; j++)
			rule_dest(rs, NFC_ALLOW, a->addrs[j], a->prefix, a->port, NFV_ACCEPT);
	}
	if (list)
		rs->has_chain[NFC_ALLOW] = true;
	rule_add(rs, NFC_OUTPUT, NFV_ACCEPT)->ct_established = true;
	rule_add(rs, NFC_OUTPUT, NFV_ACCEPT)->oif_lo = true;
	/* the helper's subnet: its DNS forwarder, the gateway, nothing else */
	inet_pton(AF_INET, net_dns_server(spec), &dns);
	if (!list || (names && strcmp(net_dns_server(spec), NET_DNS) == 0))
		rule_dest(rs, NFC_OUTPUT, dns, 32, 53, NFV_ACCEPT);
	if (spec->allow_host_loopback)
		rule_daddr(rule_add(rs, NFC_OUTPUT, list ? NFV_JUMP_ALLOW : NFV_ACCEPT), NET_GW, 32);
	rule_reject(rs, NET_SUBNET_ADDR);
	if (list) {
		if (names && strcmp(net_dns_server(spec), NET_DNS) != 0)
			rule_dest(rs, NFC_OUTPUT, dns, 32, 53, NFV_ACCEPT);
		rule_add(rs, NFC_OUTPUT, NFV_JUMP_ALLOW);
		rule_reject(rs, NULL);
	}
	rules_publish(spec, rs);
}

const char *const nf_chain_names[NFC_N] = {
	[NFC_ALLOW] = "allow", [NFC_OUTPUT] = "output",
	[NFC_PUBLISH_LOCAL] = "publish_local", [NFC_PUBLISH] = "publish",
};

/* One rule in nft's syntax, for messages and the unit tests. */
void net_rule_text(const struct nf_rule *r, char *buf, size_t len)
{
	static const char *const verdicts[] = {
		[NFV_ACCEPT] = "accept", [NFV_JUMP_ALLOW] = "jump allow",
		[NFV_REJECT_TCP] = "reject with tcp reset",
		[NFV_REJECT_ICMP] = "reject with icmp type admin-prohibited",
		[NFV_DNAT] = "dnat to",
	};
	const char *proto = r->l4proto == IPPROTO_TCP ? "tcp" : "udp";
	char ip[INET_ADDRSTRLEN];
	size_t o = 0;

	buf[0] = '\0';
	if (r->ct_established)
		buf_printf(buf, len, &o, "ct state established,related ");
	if (r->oif_lo)
		buf_printf(buf, len, &o, "oif \"lo\" ");
	if (r->iif_eth0)
		buf_printf(buf, len, &o, "iifname \"" NET_IF "\" ");
	if (r->has_daddr) {
		inet_ntop(AF_INET, &r->daddr, ip, sizeof ip);
		buf_printf(buf, len, &o, r->prefix == 32 ? "ip daddr %s " : "ip daddr %s/%u ", ip,
			   r->prefix);
	}
	if (r->l4proto && r->dport)
		buf_printf(buf, len, &o, "%s dport %u ", proto, r->dport);
	else if (r->l4proto)
		buf_printf(buf, len, &o, "meta l4proto %s ", proto);
	buf_printf(buf, len, &o, "%s", verdicts[r->verdict]);
	if (r->verdict == NFV_DNAT)
		buf_printf(buf, len, &o, " :%u", r->to_port);
}

/* The whole ruleset in nft's syntax (nft -f would load the same). */
char *net_rules(const struct sandbox_spec *spec)
{
	static const char *const hooks[NFC_N] = {
		[NFC_OUTPUT] = "type filter hook output priority filter",
		[NFC_PUBLISH_LOCAL] = "type nat hook output priority -100",
		[NFC_PUBLISH] = "type nat hook prerouting priority -100",
	};
	struct sbuf b = { 0 };
	struct nf_ruleset rs;
	char line[256];
	size_t i;
	int c;

	net_ruleset(spec, &rs);
	sbuf_add(&b, "table ip sandbox {\n");
	for (c = 0; c < NFC_N; c++) {
		if (!rs.has_chain[c])
			continue;
		sbuf_add(&b, "\tchain %s {\n", nf_chain_names[c]);
		if (hooks[c])
			sbuf_add(&b, "\t\t%s; policy accept;\n", hooks[c]);
		for (i = 0; i < rs.n; i++)
			if ((int)rs.r[i].chain == c) {
				net_rule_text(&rs.r[i], line, sizeof line);
				sbuf_add(&b, "\t\t%s\n", line);
			}
		sbuf_add(&b, "\t}\n");
	}
	sbuf_add(&b, "}\n");
	free(rs.r);
	return b.p;
}
