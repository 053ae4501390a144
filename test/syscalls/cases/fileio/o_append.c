/* O_APPEND writes go to the end even after lseek. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "abc");
	int fd = OK(open(p, O_WRONLY | O_APPEND));
	OK(lseek(fd, 0, SEEK_SET));
	CHECK_EQ(write(fd, "de", 2), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
	int r = OK(open(p, O_RDONLY));
	char b[8] = {0};
	CHECK_EQ(read(r, b, 8), 5);
	CHECK_STR(b, "abcde");
	return 0;
}
