/* sched_getaffinity reports at least one CPU; sched_yield succeeds. */
#include "../check.h"
#include <sched.h>
int main(void) {
	cpu_set_t s;
	CPU_ZERO(&s);
	OK(sched_getaffinity(0, sizeof s, &s));
	CHECK(CPU_COUNT(&s) >= 1);
	OK(sched_yield());
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	return 0;
}
