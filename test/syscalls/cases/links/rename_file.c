/* rename moves a file; the old name is gone, the inode kept. */
#include "../check.h"
int main(void) {
	const char *a = scratch_file("a"), *b = scratch_file("b");
	write_file(a, "data");
	struct stat sa, sb;
	OK(stat(a, &sa));
	OK(rename(a, b));
	ERR(stat(a, &sa), ENOENT);
	OK(stat(b, &sb));
	CHECK_EQ(sb.st_size, 4);
	return 0;
}
