/* eventfd: writes add to the counter, a read returns and resets it. */
#include "../check.h"
#include <sys/eventfd.h>
int main(void) {
	int fd = OK(eventfd(3, EFD_NONBLOCK));
	uint64_t v = 4;
	CHECK_EQ(write(fd, &v, 8), 8);
	CHECK_EQ(read(fd, &v, 8), 8);
	CHECK_EQ(v, 7);
	ERR(read(fd, &v, 8), EAGAIN);
	char small[4];
	ERR(read(fd, small, 4), EINVAL);
	v = UINT64_MAX;
	ERR(write(fd, &v, 8), EINVAL);
	return 0;
}
