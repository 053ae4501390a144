/* link makes a second name: same inode, nlink 2; unlink one keeps the other. */
#include "../check.h"
int main(void) {
	const char *a = scratch_file("a"), *b = scratch_file("b");
	write_file(a, "x");
	OK(link(a, b));
	struct stat sa, sb;
	OK(stat(a, &sa));
	OK(stat(b, &sb));
	CHECK_EQ(sa.st_ino, sb.st_ino);
	CHECK_EQ(sa.st_nlink, 2);
	OK(unlink(a));
	OK(stat(b, &sb));
	CHECK_EQ(sb.st_nlink, 1);
	ERR(link(b, b), EEXIST);
	return 0;
}
