/* llabi: print the kernel's Landlock ABI version (0: none). */
#include "probe.h"
#include <linux/landlock.h>
#include <sys/syscall.h>

int main(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	printf("%ld\n", v < 0 ? 0 : v);
	return 0;
}
