/* a periodic timerfd accumulates expirations; gettime shows the interval. */
#include "../check.h"
#include <sys/timerfd.h>
int main(void) {
	int fd = OK(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
	struct itimerspec its = {{0, 10000000}, {0, 10000000}};
	OK(timerfd_settime(fd, 0, &its, NULL));
	usleep(55000);
	uint64_t n;
	CHECK_EQ(read(fd, &n, 8), 8);
	CHECK(n >= 4);
	struct itimerspec cur;
	OK(timerfd_gettime(fd, &cur));
	CHECK_EQ(cur.it_interval.tv_nsec, 10000000);
	ERR(timerfd_create(12345, 0), EINVAL);
	return 0;
}
