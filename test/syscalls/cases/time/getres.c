/* clock_getres: monotonic and realtime are 1 ns with hrtimers; coarse clocks are coarser. */
#include "../check.h"
#include <time.h>
int main(void) {
	struct timespec r;
	OK(clock_getres(CLOCK_MONOTONIC, &r));
	CHECK_EQ(r.tv_sec, 0);
	CHECK_EQ(r.tv_nsec, 1);
	OK(clock_getres(CLOCK_REALTIME, &r));
	CHECK_EQ(r.tv_nsec, 1);
	OK(clock_getres(CLOCK_MONOTONIC_COARSE, &r));
	CHECK(r.tv_nsec > 1);
	ERR(clock_getres(999, &r), EINVAL);
	return 0;
}
