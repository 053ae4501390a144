/* the default pipe holds 64 KiB; F_SETPIPE_SZ changes it. */
#include "../check.h"
int main(void) {
	int p[2];
	OK(pipe2(p, O_NONBLOCK));
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 65536);
	char buf[4096] = {0};
	long total = 0;
	for (;;) {
		ssize_t n = write(p[1], buf, sizeof buf);
		if (n < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		total += n;
	}
	CHECK_EQ(total, 65536);
	int q[2];
	OK(pipe(q));
	CHECK_EQ(fcntl(q[1], F_SETPIPE_SZ, 8192), 8192);
	CHECK_EQ(fcntl(q[0], F_GETPIPE_SZ), 8192);
	return 0;
}
