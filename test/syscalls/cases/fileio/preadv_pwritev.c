/* preadv/pwritev at an offset, file offset unchanged. */
#include "../check.h"
#include <sys/uio.h>
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	struct iovec w[2] = {{"xy", 2}, {"z", 1}};
	CHECK_EQ(pwritev(fd, w, 2, 4), 3);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	struct stat st;
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 7);
	char a[2], b[5] = {0};
	struct iovec r[2] = {{a, 2}, {b, 4}};
	CHECK_EQ(preadv(fd, r, 2, 1), 6);
	CHECK_EQ(a[0], 0); /* hole reads as zeros */
	CHECK_STR(b + 1, "xyz");
	return 0;
}
