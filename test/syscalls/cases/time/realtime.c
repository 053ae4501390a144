/* CLOCK_REALTIME, gettimeofday and time agree within a second and are after 2020. */
#include "../check.h"
#include <sys/time.h>
#include <time.h>
int main(void) {
	struct timespec ts;
	OK(clock_gettime(CLOCK_REALTIME, &ts));
	struct timeval tv;
	OK(gettimeofday(&tv, NULL));
	time_t t = time(NULL);
	CHECK(ts.tv_sec > 1577836800);
	CHECK(tv.tv_sec - ts.tv_sec <= 1 && tv.tv_sec >= ts.tv_sec);
	/* time() may read a coarse clock that lags by up to a tick: allow 1 s either way. */
	CHECK(labs((long)(t - ts.tv_sec)) <= 1);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	return 0;
}
