/* FIONREAD reports the bytes waiting in a pipe. */
#include "../check.h"
#include <sys/ioctl.h>
int main(void) {
	int p[2];
	OK(pipe(p));
	int n = -1;
	OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 0);
	CHECK_EQ(write(p[1], "hello", 5), 5);
	OK(ioctl(p[0], FIONREAD, &n));
	CHECK_EQ(n, 5);
	return 0;
}
