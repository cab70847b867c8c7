/* fuzz-seccomp-policy: the --seccomp-policy file parser, and libseccomp's
 * compilation of whatever it accepts. */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sc_policy *p = sc_policy_new();
	void *bpf;
	size_t len;

	/* the built-in policy parses and compiles */
	CHECK(seccomp_default_text_parse(p, false, 0) == 0);
	CHECK(sc_policy_compile(p, &bpf, &len) == 0 && len > 0);
	free(bpf);
	sc_policy_free(p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_policy *p = sc_policy_new();
	void *bpf = NULL;
	size_t len = 0;
	int r;

	r = sc_policy_parse(p, (const char *)data, size, "fuzz");
	if (r == 0) {
		CHECK(sc_policy_rules(p) <= 20000);
		if (sc_policy_compile(p, &bpf, &len) == 0)
			CHECK(len > 0 && len % 8 == 0);
		free(bpf);
	} else {
		/* a refusal names the line */
		CHECK(strncmp(sb_errmsg(), "fuzz:", 5) == 0);
	}
	sc_policy_free(p);
	return 0;
}
