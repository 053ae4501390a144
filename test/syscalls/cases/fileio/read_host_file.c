/* read a host file (read-only root): the first line of /etc/passwd is root's. */
#include "../check.h"
int main(void) {
	int fd = OK(open("/etc/passwd", O_RDONLY));
	char buf[5] = {0};
	CHECK_EQ(read(fd, buf, 4), 4);
	CHECK_STR(buf, "root");
	OK(close(fd));
	return 0;
}
