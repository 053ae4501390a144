/* nanosleep sleeps at least the requested time; bad values are EINVAL. */
#include "../check.h"
#include <time.h>
int main(void) {
	struct timespec a, b, req = {0, 30000000};
	clock_gettime(CLOCK_MONOTONIC, &a);
	OK(nanosleep(&req, NULL));
	clock_gettime(CLOCK_MONOTONIC, &b);
	long long d = (b.tv_sec - a.tv_sec) * 1000000000LL + b.tv_nsec - a.tv_nsec;
	CHECK(d >= 30000000);
	CHECK(d < 1000000000);
	struct timespec bad = {0, 1000000000};
	ERR(nanosleep(&bad, NULL), EINVAL);
	struct timespec neg = {-1, 0};
	ERR(nanosleep(&neg, NULL), EINVAL);
	return 0;
}
