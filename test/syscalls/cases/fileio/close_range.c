/* close_range closes every fd in the range and only those. */
#include "../check.h"
#include <linux/close_range.h>
#include <sys/syscall.h>
int main(void) {
	for (int i = 20; i < 25; i++)
		CHECK_EQ(dup2(0, i), i);
	OK(syscall(SYS_close_range, 21, 23, 0));
	CHECK_EQ(fcntl(20, F_GETFD), 0);
	ERR(fcntl(21, F_GETFD), EBADF);
	ERR(fcntl(23, F_GETFD), EBADF);
	CHECK_EQ(fcntl(24, F_GETFD), 0);
	OK(syscall(SYS_close_range, 24, 24, CLOSE_RANGE_CLOEXEC));
	CHECK_EQ(fcntl(24, F_GETFD), FD_CLOEXEC);
	return 0;
}
