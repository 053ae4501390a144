/* copy_file_range copies bytes between two files. */
#include "../check.h"
int main(void) {
	const char *a = scratch_file("a");
	write_file(a, "0123456789");
	int in = OK(open(a, O_RDONLY));
	int out = OK(open(scratch_file("b"), O_RDWR | O_CREAT, 0644));
	loff_t oi = 2, oo = 0;
	CHECK_EQ(copy_file_range(in, &oi, out, &oo, 5, 0), 5);
	CHECK_EQ(oi, 7);
	CHECK_EQ(oo, 5);
	char b[6] = {0};
	CHECK_EQ(pread(out, b, 5, 0), 5);
	CHECK_STR(b, "23456");
	return 0;
}
