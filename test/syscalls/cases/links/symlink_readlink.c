/* readlink returns the target text, unterminated, truncated to the buffer. */
#include "../check.h"
int main(void) {
	const char *l = scratch_file("l");
	OK(symlink("some/where/else", l));
	char buf[64];
	memset(buf, 'X', sizeof buf);
	CHECK_EQ(readlink(l, buf, sizeof buf), 15);
	CHECK_MEM(buf, "some/where/elseX", 16);
	CHECK_EQ(readlink(l, buf, 4), 4);
	CHECK_MEM(buf, "some", 4);
	ERR(readlink("/etc/passwd", buf, sizeof buf), EINVAL);
	ERR(symlink("x", l), EEXIST);
	return 0;
}
