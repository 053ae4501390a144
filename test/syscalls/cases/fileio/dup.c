/* dup/dup2/dup3 share the offset; dup3 with equal fds is EINVAL. */
#include "../check.h"
int main(void) {
	int fd = OK(open("/etc/passwd", O_RDONLY));
	int d = OK(dup(fd));
	CHECK(d != fd);
	OK(lseek(fd, 7, SEEK_SET));
	CHECK_EQ(lseek(d, 0, SEEK_CUR), 7);
	CHECK_EQ(dup2(fd, 50), 50);
	CHECK_EQ(lseek(50, 0, SEEK_CUR), 7);
	CHECK_EQ(dup2(fd, fd), fd);
	ERR(dup3(fd, fd, 0), EINVAL);
	CHECK_EQ(dup3(fd, 51, O_CLOEXEC), 51);
	CHECK_EQ(fcntl(51, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(50, F_GETFD), 0);
	ERR(dup2(fd, -1), EBADF);
	return 0;
}
