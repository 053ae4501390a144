/* CLOCK_MONOTONIC never goes backwards over 10000 reads and advances across a sleep. */
#include "../check.h"
#include <time.h>
static long long ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(void) {
	long long prev = ns(CLOCK_MONOTONIC);
	for (int i = 0; i < 10000; i++) {
		long long now = ns(CLOCK_MONOTONIC);
		if (now < prev)
			fail("monotonic clock went back: got %lld want >= %lld", now, prev);
		prev = now;
	}
	usleep(10000);
	CHECK(ns(CLOCK_MONOTONIC) - prev >= 10000000);
	CHECK(ns(CLOCK_BOOTTIME) >= ns(CLOCK_MONOTONIC) - 1000000);
	return 0;
}
