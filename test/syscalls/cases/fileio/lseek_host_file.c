/* lseek SEEK_END on a host file gives its size from fstat. */
#include "../check.h"
int main(void) {
	int fd = OK(open("/etc/passwd", O_RDONLY));
	struct stat st;
	OK(fstat(fd, &st));
	CHECK(st.st_size > 0);
	CHECK_EQ(lseek(fd, 0, SEEK_END), st.st_size);
	char c;
	CHECK_EQ(read(fd, &c, 1), 0);
	return 0;
}
