/* EFD_SEMAPHORE reads decrement by one and return 1. */
#include "../check.h"
#include <sys/eventfd.h>
int main(void) {
	int fd = OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
	uint64_t v;
	CHECK_EQ(read(fd, &v, 8), 8);
	CHECK_EQ(v, 1);
	CHECK_EQ(read(fd, &v, 8), 8);
	CHECK_EQ(v, 1);
	ERR(read(fd, &v, 8), EAGAIN);
	return 0;
}
