/* an O_PATH descriptor can be fstat'ed and used as dirfd but not read. */
#include "../check.h"
int main(void) {
	int fd = OK(open("/etc", O_PATH));
	char c;
	ERR(read(fd, &c, 1), EBADF);
	struct stat st;
	OK(fstat(fd, &st));
	CHECK(S_ISDIR(st.st_mode));
	int f = OK(openat(fd, "passwd", O_RDONLY));
	CHECK_EQ(read(f, &c, 1), 1);
	CHECK_EQ(c, 'r');
	return 0;
}
