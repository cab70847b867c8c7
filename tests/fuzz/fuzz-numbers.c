/* fuzz-numbers: parse_size (--size), parse_octal (--chmod, --perms) and
 * parse_u32, with the values checked against a reading of their own. */
#include "fuzz.h"

#include <inttypes.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), buf[64];
	uint64_t v, again;
	mode_t m, m2;
	uint32_t u, u2;

	if (parse_size(s, &v) == 0) {
		size_t n = strlen(s);
		char last = n ? s[n - 1] : 0;
		CHECK(n > 0 && s[0] >= '0' && s[0] <= '9');
		if (last >= '0' && last <= '9') {
			/* plain bytes: printing the value gives it back */
			snprintf(buf, sizeof buf, "%" PRIu64, v);
			CHECK(parse_size(buf, &again) == 0 && again == v);
		} else {
			uint64_t mul = (last == 'k' || last == 'K') ? 1ULL << 10 :
				       (last == 'm' || last == 'M') ? 1ULL << 20 : 1ULL << 30;
			CHECK(strchr("kKmMgG", last) != NULL);
			CHECK(v % mul == 0);
			snprintf(buf, sizeof buf, "%" PRIu64 "%c", v / mul, last);
			CHECK(parse_size(buf, &again) == 0 && again == v);
		}
	}
	if (parse_octal(s, &m) == 0) {
		CHECK(m <= 07777);
		CHECK(strlen(s) >= 1 && strlen(s) <= 5);
		snprintf(buf, sizeof buf, "%o", (unsigned)m);
		CHECK(parse_octal(buf, &m2) == 0 && m2 == m);
	}
	if (parse_u32(s, &u) == 0) {
		snprintf(buf, sizeof buf, "%" PRIu32, u);
		CHECK(parse_u32(buf, &u2) == 0 && u2 == u);
	}
	free(s);
	return 0;
}
