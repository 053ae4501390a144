/* pselect with a ready fd returns at once and leaves the timeout alone. */
#include "../check.h"
#include <sys/select.h>
int main(void) {
	int fd = OK(open("/dev/null", O_RDONLY));
	fd_set r;
	FD_ZERO(&r);
	FD_SET(fd, &r);
	struct timespec ts = {5, 0};
	CHECK_EQ(pselect(fd + 1, &r, NULL, NULL, &ts, NULL), 1);
	CHECK(FD_ISSET(fd, &r));
	return 0;
}
