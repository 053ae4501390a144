/* a 20 ms timerfd expires once: read returns 1 expiration, then EAGAIN. */
#include "../check.h"
#include <sys/timerfd.h>
int main(void) {
	int fd = OK(timerfd_create(CLOCK_MONOTONIC, 0));
	struct itimerspec its = {{0, 0}, {0, 20000000}};
	OK(timerfd_settime(fd, 0, &its, NULL));
	uint64_t n;
	CHECK_EQ(read(fd, &n, 8), 8);
	CHECK_EQ(n, 1);
	OK(fcntl(fd, F_SETFL, O_NONBLOCK));
	ERR(read(fd, &n, 8), EAGAIN);
	struct itimerspec cur;
	OK(timerfd_gettime(fd, &cur));
	CHECK_EQ(cur.it_value.tv_sec, 0);
	CHECK_EQ(cur.it_value.tv_nsec, 0);
	return 0;
}
