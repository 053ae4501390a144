/* an eventfd is readable when non-zero, and always writable below the max. */
#include "../check.h"
#include <poll.h>
#include <sys/eventfd.h>
int main(void) {
	int fd = OK(eventfd(0, 0));
	struct pollfd f = {fd, POLLIN | POLLOUT, 0};
	CHECK_EQ(poll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLOUT);
	uint64_t v = 1;
	CHECK_EQ(write(fd, &v, 8), 8);
	CHECK_EQ(poll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLIN | POLLOUT);
	return 0;
}
