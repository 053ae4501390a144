/* pread/pwrite use the given offset and leave the file offset alone. */
#include "../check.h"
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(pwrite(fd, "AB", 2, 3), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	char buf[8] = {0};
	CHECK_EQ(pread(fd, buf, 4, 2), 4);
	CHECK_STR(buf, "2AB5");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ(pread(fd, buf, 4, 100), 0);
	ERR(pread(fd, buf, 4, -1), EINVAL);
	return 0;
}
