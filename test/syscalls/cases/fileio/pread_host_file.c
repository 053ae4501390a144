/* pread on a read-only host file agrees with read after lseek. */
#include "../check.h"
int main(void) {
	int fd = OK(open("/etc/passwd", O_RDONLY));
	char a[16], b[16];
	CHECK_EQ(pread(fd, a, 16, 5), 16);
	CHECK_EQ(lseek(fd, 5, SEEK_SET), 5);
	CHECK_EQ(read(fd, b, 16), 16);
	CHECK_MEM(a, b, 16);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 21);
	return 0;
}
