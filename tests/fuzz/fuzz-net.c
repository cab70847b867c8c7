/* fuzz-net: the --publish and --net-allow parsers, with what they accept
 * read back and checked against the text. */
#include "fuzz.h"

#include <arpa/inet.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), buf[128];
	struct net_publish p, p2;
	struct net_allow a, a2;

	if (net_parse_publish(s, &p) == 0) {
		struct in_addr ia = { .s_addr = p.host_ip };
		CHECK(p.host_port > 0 && p.port > 0);
		/* printed back in full form, it parses to the same */
		snprintf(buf, sizeof buf, "%s:%u:%u/%s", inet_ntoa(ia), p.host_port, p.port,
			 p.udp ? "udp" : "tcp");
		CHECK(net_parse_publish(buf, &p2) == 0);
		CHECK(p2.host_ip == p.host_ip && p2.host_port == p.host_port &&
		      p2.port == p.port && p2.udp == p.udp);
	}
	memset(&a, 0, sizeof a);
	if (net_parse_allow(s, &a) == 0) {
		CHECK(a.prefix <= 32);
		if (!a.name) {
			struct in_addr ia;
			uint32_t mask = a.prefix ? htonl(~0U << (32 - a.prefix)) : 0;
			CHECK(a.n_addrs == 1);
			CHECK((a.addrs[0] & ~mask) == 0); /* host bits cleared */
			ia.s_addr = a.addrs[0];
			snprintf(buf, sizeof buf, "%s/%u", inet_ntoa(ia), a.prefix);
			if (a.port)
				snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ":%u", a.port);
			memset(&a2, 0, sizeof a2);
			CHECK(net_parse_allow(buf, &a2) == 0);
			CHECK(a2.n_addrs == 1 && a2.addrs[0] == a.addrs[0] &&
			      a2.prefix == a.prefix && a2.port == a.port);
			free(a2.addrs);
		} else {
			CHECK(a.n_addrs == 0 && *a.name);
			free(a.name);
		}
		free(a.addrs);
	}
	free(s);
	return 0;
}
