/* setxattr/getxattr of a user.* attribute round-trips; size query works. */
#include "../check.h"
#include <sys/xattr.h>
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	OK(setxattr(p, "user.color", "blue", 4, 0));
	char buf[16] = {0};
	CHECK_EQ(getxattr(p, "user.color", NULL, 0), 4);
	CHECK_EQ(getxattr(p, "user.color", buf, sizeof buf), 4);
	CHECK_STR(buf, "blue");
	ERR(getxattr(p, "user.other", buf, sizeof buf), ENODATA);
	return 0;
}
