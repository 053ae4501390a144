/* operations on a closed or bogus descriptor fail with EBADF. */
#include "../check.h"
int main(void) {
	char c;
	ERR(read(999, &c, 1), EBADF);
	ERR(write(-1, &c, 1), EBADF);
	ERR(close(999), EBADF);
	int fd = OK(open("/dev/null", O_RDONLY));
	OK(close(fd));
	ERR(read(fd, &c, 1), EBADF);
	return 0;
}
