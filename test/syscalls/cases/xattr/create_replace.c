/* XATTR_CREATE fails on an existing name (EEXIST); XATTR_REPLACE on a missing one (ENODATA). */
#include "../check.h"
#include <sys/xattr.h>
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	ERR(setxattr(p, "user.k", "v", 1, XATTR_REPLACE), ENODATA);
	OK(setxattr(p, "user.k", "v", 1, XATTR_CREATE));
	ERR(setxattr(p, "user.k", "w", 1, XATTR_CREATE), EEXIST);
	OK(setxattr(p, "user.k", "ww", 2, XATTR_REPLACE));
	char buf[4] = {0};
	CHECK_EQ(getxattr(p, "user.k", buf, sizeof buf), 2);
	CHECK_STR(buf, "ww");
	return 0;
}
