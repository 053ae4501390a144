/* the clock syscalls themselves (not the vDSO) work: clock_gettime, gettimeofday, time. */
#include "../check.h"
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
int main(void) {
	struct timespec a, b;
	OK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a));
	OK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b));
	CHECK(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
	struct timeval tv;
	OK(syscall(SYS_gettimeofday, &tv, NULL));
	time_t t = syscall(SYS_time, NULL);
	CHECK(labs((long)(t - tv.tv_sec)) <= 1); /* time(2) reads a coarser clock */
	ERR(syscall(SYS_clock_gettime, 12345, &a), EINVAL);
	ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8), EFAULT);
	return 0;
}
