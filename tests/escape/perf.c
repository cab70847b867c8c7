/* perf: open a performance counter on ourselves (a software event, user
 * space only: allowed by kernel.perf_event_paranoid up to 2). */
#include "probe.h"
#include <linux/perf_event.h>
#include <sys/syscall.h>

int main(void)
{
	struct perf_event_attr a;
	long fd;

	memset(&a, 0, sizeof a);
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof a;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd >= 0)
		OPEN("perf_event_open gave a counter");
	if (errno == EPERM)
		BLOCKED("perf_event_open: EPERM");
	if (errno == EACCES)
		ERROR("perf_event_open: EACCES (kernel.perf_event_paranoid forbids it)");
	OPEN("perf_event_open reached the kernel: %s", ename(errno));
}
