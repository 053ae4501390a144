/* lseek SEEK_SET/CUR/END, past EOF, and EINVAL for a negative result. */
#include "../check.h"
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
	CHECK_EQ(lseek(fd, 2, SEEK_CUR), 5);
	CHECK_EQ(lseek(fd, -1, SEEK_END), 9);
	CHECK_EQ(lseek(fd, 20, SEEK_END), 30);
	ERR(lseek(fd, -100, SEEK_SET), EINVAL);
	ERR(lseek(fd, 0, 42), EINVAL);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 30);
	return 0;
}
