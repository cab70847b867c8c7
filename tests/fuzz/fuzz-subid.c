/* fuzz-subid: /etc/subuid text through subid_parse, then the keep-id
 * layout built from the ranges found: every range of the map must be
 * owned by the user, in range, and the inside ids must not overlap. */
#include "fuzz.h"

#define USER "sbtest"
#define UID 1002u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct subid_ranges sub;
	static struct id_map map;
	char *s;
	uint32_t want;
	size_t i, j;

	if (size < 4)
		return 0;
	/* the first four bytes: the uid wanted inside */
	memcpy(&want, data, 4);
	s = fuzz_string(data + 4, size - 4);
	CHECK(subid_parse(s, USER, UID, &sub) == 0);
	CHECK(sub.n <= MAX_ID_RANGES);
	for (i = 0; i < sub.n; i++) {
		CHECK(sub.r[i].count > 0);
		CHECK((uint64_t)sub.r[i].outside + sub.r[i].count <= (uint64_t)UINT32_MAX + 1);
	}
	if (want != UINT32_MAX && idmap_layout(want, UID, &sub, &map) == 0) {
		CHECK(map.n <= MAX_ID_RANGES);
		CHECK(idmap_has_inside(&map, want));
		CHECK(idmap_check_owned(&map, UID, &sub, "uid") == 0);
		for (i = 0; i < map.n; i++) {
			CHECK(map.r[i].count > 0);
			CHECK((uint64_t)map.r[i].inside + map.r[i].count <= (uint64_t)UINT32_MAX + 1);
			for (j = i + 1; j < map.n; j++)
				CHECK((uint64_t)map.r[i].inside + map.r[i].count <= map.r[j].inside ||
				      (uint64_t)map.r[j].inside + map.r[j].count <= map.r[i].inside);
		}
	}
	free(s);
	return 0;
}
