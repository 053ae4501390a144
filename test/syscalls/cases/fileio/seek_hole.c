/* SEEK_DATA/SEEK_HOLE on a file with data at its start. */
#include "../check.h"
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "data", 4), 4);
	CHECK_EQ(lseek(fd, 0, SEEK_DATA), 0);
	off_t h = OK(lseek(fd, 0, SEEK_HOLE));
	CHECK_EQ(h, 4); /* the implicit hole at EOF */
	ERR(lseek(fd, 10, SEEK_DATA), ENXIO);
	return 0;
}
