/* procfs files cannot do direct I/O: open with O_DIRECT is refused with EINVAL. */
#include "../check.h"
int main(void) {
	ERR(open("/proc/self/status", O_RDONLY | O_DIRECT), EINVAL);
	int fd = OK(open("/proc/self/status", O_RDONLY));
	CHECK_EQ(fcntl(fd, F_GETFL) & O_DIRECT, 0);
	return 0;
}
