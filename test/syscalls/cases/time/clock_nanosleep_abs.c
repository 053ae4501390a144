/* clock_nanosleep TIMER_ABSTIME wakes at (not before) the deadline; a past deadline returns at once. */
#include "../check.h"
#include <time.h>
int main(void) {
	struct timespec now, dl, after;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dl = now;
	dl.tv_nsec += 25000000;
	if (dl.tv_nsec >= 1000000000) { dl.tv_sec++; dl.tv_nsec -= 1000000000; }
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &after);
	CHECK(after.tv_sec > dl.tv_sec || (after.tv_sec == dl.tv_sec && after.tv_nsec >= dl.tv_nsec));
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, NULL), 0);
	CHECK_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &now, NULL), EINVAL);
	return 0;
}
