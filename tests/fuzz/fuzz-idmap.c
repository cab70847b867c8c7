/* fuzz-idmap: parse_id_map_entry (--uid-map, --gid-map IN:OUT:COUNT);
 * an entry that parses is in range, and prints back to itself. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), buf[64];
	struct id_range r, r2;

	if (parse_id_map_entry(s, &r) == 0) {
		CHECK(r.count > 0);
		CHECK((uint64_t)r.inside + r.count <= (uint64_t)UINT32_MAX + 1);
		CHECK((uint64_t)r.outside + r.count <= (uint64_t)UINT32_MAX + 1);
		snprintf(buf, sizeof buf, "%u:%u:%u", r.inside, r.outside, r.count);
		CHECK(parse_id_map_entry(buf, &r2) == 0);
		CHECK(r2.inside == r.inside && r2.outside == r.outside && r2.count == r.count);
	}
	free(s);
	return 0;
}
