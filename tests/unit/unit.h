/* unit.h - what the unit-test files share: ok() prints one TAP line
 * (unit-tests.c), and each file's test functions, called by its main. */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>

void ok(bool cond, const char *name, const char *detail);

struct sandbox_spec;
/* cli_parse of "sandbox ARGS..." into SPEC (zeroed first) */
int parse(struct sandbox_spec *spec, const char *const *args);
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* profile-tests.c */
void test_profiles(void);

#endif
