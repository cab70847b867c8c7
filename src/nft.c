/* nft.c - the egress rules as one nf_tables transaction, built by hand.
 *
 * The rules are few and fixed in shape (netrules.c's nf_ruleset), so they are
 * encoded here as the netlink messages nft(8) would send for them: a
 * batch (NFNL_MSG_BATCH_BEGIN ... END) that creates table "ip sandbox",
 * its chains, then its rules, which the kernel commits at once or not at
 * all.  No parser, no library, no cache of the ruleset: the namespace is
 * new and empty.
 *
 * Every expression loads into register 1 and compares it:
 *     ip daddr A/P       payload network +16/4, [bitwise mask], cmp eq
 *     tcp dport N        meta l4proto, cmp eq; payload transport +2/2, cmp eq
 *     ct state est,rel   ct state, bitwise & 6, cmp neq 0
 *     oif "lo"           meta oif, cmp eq (lo's index)
 *     iifname "eth0"     meta iifname, cmp eq (16 bytes, NUL padded)
 * and ends with a verdict (immediate), a reject or a dnat (the port in
 * register 1, nat proto_min).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sandbox.h"

#define NFT_TABLE "sandbox"
#define ICMP_ADMIN_PROHIBITED 13   /* ICMP_PKT_FILTERED: "admin-prohibited" */
#define CT_EST_REL ((1u << 1) | (1u << 2)) /* NF_CT_STATE_BIT(ESTABLISHED, RELATED) */

struct nlb {
	char *p;
	size_t len, cap;
};

/* LEN zeroed bytes, aligned, at the end of B; their offset. */
static size_t nlb_put(struct nlb *b, size_t len)
{
	size_t off = b->len, need = off + NLMSG_ALIGN(len);

	if (need > b->cap) {
		b->cap = need * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memset(b->p + off, 0, need - off);
	b->len = need;
	return off;
}

static void attr(struct nlb *b, uint16_t type, const void *data, size_t len)
{
	size_t off = nlb_put(b, NLA_HDRLEN + len);
	struct nlattr *a = (struct nlattr *)(b->p + off);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(b->p + off + NLA_HDRLEN, data, len);
}

static void attr_be32(struct nlb *b, uint16_t type, uint32_t v)
{
	v = htonl(v);
	attr(b, type, &v, sizeof v);
}

static void attr_str(struct nlb *b, uint16_t type, const char *s)
{
	attr(b, type, s, strlen(s) + 1);
}

static size_t nest_begin(struct nlb *b, uint16_t type)
{
	size_t off = nlb_put(b, NLA_HDRLEN);

	((struct nlattr *)(b->p + off))->nla_type = type | NLA_F_NESTED;
	return off;
}

static void nest_end(struct nlb *b, size_t off)
{
	((struct nlattr *)(b->p + off))->nla_len = (uint16_t)(b->len - off);
}

static size_t msg_begin(struct nlb *b, uint16_t type, uint16_t flags, uint8_t family,
			uint16_t res_id, uint32_t seq)
{
	size_t off = nlb_put(b, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	struct nlmsghdr *h = (struct nlmsghdr *)(b->p + off);
	struct nfgenmsg *g = (struct nfgenmsg *)(b->p + off + NLMSG_HDRLEN);

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = seq;
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
	return off;
}

static void msg_end(struct nlb *b, size_t off)
{
	((struct nlmsghdr *)(b->p + off))->nlmsg_len = (uint32_t)(b->len - off);
}

/* A message of the transaction: table "sandbox" of family ip. */
static size_t nft_msg(struct nlb *b, int type, uint32_t seq)
{
	size_t off = msg_begin(b, (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | type),
			       NLM_F_CREATE | (type == NFT_MSG_NEWRULE ? NLM_F_APPEND : 0),
			       NFPROTO_IPV4, 0, seq);

	/* NFTA_TABLE_NAME, NFTA_CHAIN_TABLE and NFTA_RULE_TABLE are all 1 */
	attr_str(b, NFTA_TABLE_NAME, NFT_TABLE);
	return off;
}

/* ---- expressions ---- */

static size_t expr_begin(struct nlb *b, const char *name)
{
	size_t e = nest_begin(b, NFTA_LIST_ELEM);

	attr_str(b, NFTA_EXPR_NAME, name);
	nest_begin(b, NFTA_EXPR_DATA);
	return e;
}

static void expr_end(struct nlb *b, size_t e)
{
	/* the data nest is the element's last attribute */
	size_t data = e + NLA_HDRLEN + NLA_ALIGN(((struct nlattr *)(b->p + e + NLA_HDRLEN))->nla_len);

	nest_end(b, data);
	nest_end(b, e);
}

static void data_value(struct nlb *b, uint16_t type, const void *v, size_t len)
{
	size_t n = nest_begin(b, type);

	attr(b, NFTA_DATA_VALUE, v, len);
	nest_end(b, n);
}

static void e_payload(struct nlb *b, uint32_t base, uint32_t offset, uint32_t len)
{
	size_t e = expr_begin(b, "payload");

	attr_be32(b, NFTA_PAYLOAD_DREG, NFT_REG_1);
	attr_be32(b, NFTA_PAYLOAD_BASE, base);
	attr_be32(b, NFTA_PAYLOAD_OFFSET, offset);
	attr_be32(b, NFTA_PAYLOAD_LEN, len);
	expr_end(b, e);
}

static void e_meta(struct nlb *b, uint32_t key)
{
	size_t e = expr_begin(b, "meta");

	attr_be32(b, NFTA_META_DREG, NFT_REG_1);
	attr_be32(b, NFTA_META_KEY, key);
	expr_end(b, e);
}

static void e_cmp(struct nlb *b, uint32_t op, const void *v, size_t len)
{
	size_t e = expr_begin(b, "cmp");

	attr_be32(b, NFTA_CMP_SREG, NFT_REG_1);
	attr_be32(b, NFTA_CMP_OP, op);
	data_value(b, NFTA_CMP_DATA, v, len);
	expr_end(b, e);
}

/* register 1 = (register 1 & MASK) ^ 0, LEN bytes */
static void e_mask(struct nlb *b, const void *mask, size_t len)
{
	static const uint8_t zero[16];
	size_t e = expr_begin(b, "bitwise");

	attr_be32(b, NFTA_BITWISE_SREG, NFT_REG_1);
	attr_be32(b, NFTA_BITWISE_DREG, NFT_REG_1);
	attr_be32(b, NFTA_BITWISE_LEN, (uint32_t)len);
	data_value(b, NFTA_BITWISE_MASK, mask, len);
	data_value(b, NFTA_BITWISE_XOR, zero, len);
	expr_end(b, e);
}

static void e_verdict(struct nlb *b, int32_t code, const char *chain)
{
	size_t e = expr_begin(b, "immediate"), d, v;

	attr_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	d = nest_begin(b, NFTA_IMMEDIATE_DATA);
	v = nest_begin(b, NFTA_DATA_VERDICT);
	attr_be32(b, NFTA_VERDICT_CODE, (uint32_t)code);
	if (chain)
		attr_str(b, NFTA_VERDICT_CHAIN, chain);
	nest_end(b, v);
	nest_end(b, d);
	expr_end(b, e);
}

static void e_reject(struct nlb *b, uint32_t type, uint8_t code)
{
	size_t e = expr_begin(b, "reject");

	attr_be32(b, NFTA_REJECT_TYPE, type);
	if (type == NFT_REJECT_ICMP_UNREACH)
		attr(b, NFTA_REJECT_ICMP_CODE, &code, 1);
	expr_end(b, e);
}

/* dnat to :PORT, the port loaded into register 1 first */
static void e_dnat_port(struct nlb *b, uint16_t port)
{
	size_t e = expr_begin(b, "immediate");
	uint16_t be = htons(port);

	attr_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_1);
	data_value(b, NFTA_IMMEDIATE_DATA, &be, sizeof be);
	expr_end(b, e);
	e = expr_begin(b, "nat");
	attr_be32(b, NFTA_NAT_TYPE, NFT_NAT_DNAT);
	attr_be32(b, NFTA_NAT_FAMILY, NFPROTO_IPV4);
	attr_be32(b, NFTA_NAT_REG_PROTO_MIN, NFT_REG_1);
	expr_end(b, e);
}

/* ---- the transaction ---- */

static size_t add_chain(struct nlb *b, enum nf_chain c, uint32_t seq)
{
	size_t m = nft_msg(b, NFT_MSG_NEWCHAIN, seq), h;
	bool nat = c == NFC_PUBLISH_LOCAL || c == NFC_PUBLISH;

	attr_str(b, NFTA_CHAIN_NAME, nf_chain_names[c]);
	if (c != NFC_ALLOW) {
		h = nest_begin(b, NFTA_CHAIN_HOOK);
		attr_be32(b, NFTA_HOOK_HOOKNUM, c == NFC_PUBLISH ? NF_INET_PRE_ROUTING
								 : NF_INET_LOCAL_OUT);
		attr_be32(b, NFTA_HOOK_PRIORITY, nat ? (uint32_t)-100 : 0);
		nest_end(b, h);
		attr_be32(b, NFTA_CHAIN_POLICY, NF_ACCEPT);
		attr_str(b, NFTA_CHAIN_TYPE, nat ? "nat" : "filter");
	}
	msg_end(b, m);
	return m;
}

static void rule_matches(struct nlb *b, const struct nf_rule *r, uint32_t lo)
{
	if (r->ct_established) {
		uint32_t mask = CT_EST_REL, zero = 0;
		size_t e = expr_begin(b, "ct");
		attr_be32(b, NFTA_CT_DREG, NFT_REG_1);
		attr_be32(b, NFTA_CT_KEY, NFT_CT_STATE);
		expr_end(b, e);
		e_mask(b, &mask, sizeof mask);
		e_cmp(b, NFT_CMP_NEQ, &zero, sizeof zero);
	}
	if (r->oif_lo) {
		e_meta(b, NFT_META_OIF);
		e_cmp(b, NFT_CMP_EQ, &lo, sizeof lo);
	}
	if (r->iif_eth0) {
		char name[IFNAMSIZ] = "eth0";
		e_meta(b, NFT_META_IIFNAME);
		e_cmp(b, NFT_CMP_EQ, name, sizeof name);
	}
	if (r->has_daddr && r->prefix > 0) {
		uint32_t mask = htonl(~0u << (32 - r->prefix));
		e_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
		if (r->prefix < 32)
			e_mask(b, &mask, sizeof mask);
		e_cmp(b, NFT_CMP_EQ, &r->daddr, sizeof r->daddr);
	}
	if (r->l4proto) {
		e_meta(b, NFT_META_L4PROTO);
		e_cmp(b, NFT_CMP_EQ, &r->l4proto, 1);
	}
	if (r->dport) {
		uint16_t be = htons(r->dport);
		e_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
		e_cmp(b, NFT_CMP_EQ, &be, sizeof be);
	}
}

static size_t add_rule(struct nlb *b, const struct nf_rule *r, uint32_t lo, uint32_t seq)
{
	size_t m = nft_msg(b, NFT_MSG_NEWRULE, seq), l;

	attr_str(b, NFTA_RULE_CHAIN, nf_chain_names[r->chain]);
	l = nest_begin(b, NFTA_RULE_EXPRESSIONS);
	rule_matches(b, r, lo);
	switch (r->verdict) {
	case NFV_ACCEPT: e_verdict(b, NF_ACCEPT, NULL); break;
	case NFV_JUMP_ALLOW: e_verdict(b, NFT_JUMP, nf_chain_names[NFC_ALLOW]); break;
	case NFV_REJECT_TCP: e_reject(b, NFT_REJECT_TCP_RST, 0); break;
	case NFV_REJECT_ICMP: e_reject(b, NFT_REJECT_ICMP_UNREACH, ICMP_ADMIN_PROHIBITED); break;
	case NFV_DNAT: e_dnat_port(b, r->to_port); break;
	}
	nest_end(b, l);
	msg_end(b, m);
	return m;
}

/* What message SEQ created, for an error: 1 the table, then the chains,
 * then the rules (see nft_install). */
static void describe(const struct nf_ruleset *rs, uint32_t seq, char *buf, size_t len)
{
	uint32_t k = 2;
	int c;

	if (seq <= 1) {
		snprintf(buf, len, "table ip " NFT_TABLE);
		return;
	}
	for (c = 0; c < NFC_N; c++)
		if (rs->has_chain[c] && k++ == seq) {
			snprintf(buf, len, "chain %s", nf_chain_names[c]);
			return;
		}
	if (seq - k < rs->n) {
		char rule[200];
		net_rule_text(&rs->r[seq - k], rule, sizeof rule);
		snprintf(buf, len, "rule '%s' in chain %s", rule,
			 nf_chain_names[rs->r[seq - k].chain]);
		return;
	}
	snprintf(buf, len, "the transaction");
}

/* Send batch B and read every answer: nfnetlink handles a batch within
 * sendmsg, so they are all queued when it returns.  The kernel answers a
 * message that failed with its error, and only the last message (which
 * asks for it) with an acknowledgement: the batch's size does not matter
 * to the socket's receive buffer. */
static int transact(int s, const struct nlb *b, const struct nf_ruleset *rs)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct iovec iov = { .iov_base = b->p, .iov_len = b->len };
	struct msghdr mh = { .msg_name = &kernel, .msg_namelen = sizeof kernel,
			     .msg_iov = &iov, .msg_iovlen = 1 };
	char buf[8192], what[300];
	size_t acks = 0;
	ssize_t n;

	if (sendmsg(s, &mh, 0) < 0)
		return sb_err(errno, "cannot send the egress rules (nftables): %s", strerror(errno));
	while ((n = recv(s, buf, sizeof buf, MSG_DONTWAIT)) > 0 || (n < 0 && errno == EINTR)) {
		struct nlmsghdr *h;
		size_t left = n > 0 ? (size_t)n : 0;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH(sizeof *e))
				continue;
			if (e->error == 0) {
				acks++;
				continue;
			}
			describe(rs, h->nlmsg_seq, what, sizeof what);
			return sb_err(-e->error, "cannot install the egress rules in the sandbox's "
				      "network namespace (nftables): %s: %s", what, strerror(-e->error));
		}
	}
	if (n < 0 && errno != EAGAIN)
		return sb_err(errno, "cannot read the answer to the egress rules (nftables): %s",
			      strerror(errno));
	if (acks == 0)
		return sb_err(EPROTO, "the kernel did not answer the egress rules (nftables)");
	return 0;
}

int nft_install(const struct nf_ruleset *rs)
{
	struct nlb b = { 0 };
	uint32_t seq = 0, lo = if_nametoindex("lo");
	size_t m, i;
	int s, r, c, one = 1;

	if (lo == 0)
		return sb_err(errno, "egress rules: the loopback interface: %s", strerror(errno));
	m = msg_begin(&b, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, seq++);
	msg_end(&b, m);
	m = nft_msg(&b, NFT_MSG_NEWTABLE, seq++);
	msg_end(&b, m);
	for (c = 0; c < NFC_N; c++)
		if (rs->has_chain[c])
			m = add_chain(&b, (enum nf_chain)c, seq++);
	for (i = 0; i < rs->n; i++)
		m = add_rule(&b, &rs->r[i], lo, seq++);
	((struct nlmsghdr *)(b.p + m))->nlmsg_flags |= NLM_F_ACK;
	m = msg_begin(&b, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, seq);
	msg_end(&b, m);

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (s < 0) {
		free(b.p);
		return sb_err(errno, "cannot open a netfilter netlink socket for the egress "
			      "rules: %s", strerror(errno));
	}
	/* an error quotes only the header of the message, not all of it */
	setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	r = transact(s, &b, rs);
	close(s);
	free(b.p);
	return r;
}
