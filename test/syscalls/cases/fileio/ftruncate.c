/* ftruncate shrinks and grows (zero-filled); truncate by path too. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "abcdef");
	int fd = OK(open(p, O_RDWR));
	OK(ftruncate(fd, 3));
	struct stat st;
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 3);
	OK(truncate(p, 8));
	char b[8];
	CHECK_EQ(pread(fd, b, 8, 0), 8);
	CHECK_MEM(b, "abc\0\0\0\0\0", 8);
	ERR(ftruncate(fd, -1), EINVAL);
	return 0;
}
