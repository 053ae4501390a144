/* F_GETFL/F_SETFL and F_GETFD/F_SETFD; F_DUPFD gives the lowest fd >= arg. */
#include "../check.h"
int main(void) {
	int fd = OK(open("/dev/null", O_RDWR));
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	OK(fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND));
	int fl = OK(fcntl(fd, F_GETFL));
	CHECK(fl & O_NONBLOCK);
	CHECK(fl & O_APPEND);
	OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_DUPFD, 30), 30);
	CHECK_EQ(fcntl(fd, F_DUPFD, 30), 31);
	CHECK_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 40), 40);
	CHECK_EQ(fcntl(40, F_GETFD), FD_CLOEXEC);
	return 0;
}
