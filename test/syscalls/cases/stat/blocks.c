/* st_blocks grows with data; st_blksize is positive. */
#include "../check.h"
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	struct stat st;
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_blocks, 0);
	CHECK(st.st_blksize > 0);
	char buf[8192];
	memset(buf, 1, sizeof buf);
	CHECK_EQ(write(fd, buf, sizeof buf), sizeof buf);
	OK(fsync(fd));
	OK(fstat(fd, &st));
	CHECK(st.st_blocks >= 16);
	return 0;
}
