/* writev gathers and readv scatters in iovec order. */
#include "../check.h"
#include <sys/uio.h>
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	struct iovec w[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
	CHECK_EQ(writev(fd, w, 3), 6);
	OK(lseek(fd, 0, SEEK_SET));
	char x[3] = {0}, y[4] = {0};
	struct iovec r[2] = {{x, 2}, {y, 3}};
	CHECK_EQ(readv(fd, r, 2), 5);
	CHECK_STR(x, "ab");
	CHECK_STR(y, "cde");
	struct iovec bad = {x, 1};
	volatile int neg = -1;
	ERR(readv(fd, &bad, neg), EINVAL);
	return 0;
}
