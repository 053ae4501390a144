/* process and thread CPU clocks advance with a busy loop but not during sleep. */
#include "../check.h"
#include <time.h>
static long long ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(void) {
	long long p0 = ns(CLOCK_PROCESS_CPUTIME_ID), t0 = ns(CLOCK_THREAD_CPUTIME_ID);
	long long m0 = ns(CLOCK_MONOTONIC);
	/* Spin until the thread has used 20 ms of CPU (bounded in wall time). */
	while (ns(CLOCK_THREAD_CPUTIME_ID) - t0 < 20000000 && ns(CLOCK_MONOTONIC) - m0 < 1500000000LL)
		;
	/* Read the thread clock first: the process interval then contains the thread's. */
	long long t1 = ns(CLOCK_THREAD_CPUTIME_ID), p1 = ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(t1 - t0 >= 20000000);
	CHECK(p1 - p0 >= t1 - t0);
	usleep(50000);
	CHECK(ns(CLOCK_PROCESS_CPUTIME_ID) - p1 < 40000000);
	return 0;
}
