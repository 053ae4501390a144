/* preadv2 with offset -1 uses and advances the file offset; unknown flags fail. */
#include "../check.h"
#include <sys/uio.h>
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "abcdef", 6), 6);
	OK(lseek(fd, 2, SEEK_SET));
	char b[3] = {0};
	struct iovec iov = {b, 2};
	CHECK_EQ(preadv2(fd, &iov, 1, -1, 0), 2);
	CHECK_STR(b, "cd");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);
	CHECK_EQ(preadv2(fd, &iov, 1, 0, 0), 2);
	CHECK_STR(b, "ab");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);
	ERR(preadv2(fd, &iov, 1, 0, 0x40000000), EOPNOTSUPP);
	return 0;
}
