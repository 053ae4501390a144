/* poll with nothing ready times out after about the given time. */
#include "../check.h"
#include <poll.h>
#include <time.h>
int main(void) {
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(poll(NULL, 0, 50), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	CHECK(ms >= 49);
	CHECK(ms < 1000);
	return 0;
}
