/* pwritev2 with RWF_APPEND appends regardless of the offset. */
#include "../check.h"
#include <sys/uio.h>
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "abc", 3), 3);
	struct iovec iov = {"Z", 1};
	CHECK_EQ(pwritev2(fd, &iov, 1, 0, RWF_APPEND), 1);
	char b[5] = {0};
	CHECK_EQ(pread(fd, b, 4, 0), 4);
	CHECK_STR(b, "abcZ");
	return 0;
}
