/* unknown namespaces are EOPNOTSUPP; an empty name is ERANGE/EINVAL; missing on a host file is ENODATA. */
#include "../check.h"
#include <sys/xattr.h>
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	ERR(setxattr(p, "bogus.name", "v", 1, 0), EOPNOTSUPP);
	char buf[8];
	ERR(getxattr("/etc/passwd", "user.stockade-none", buf, sizeof buf), ENODATA);
	errno = 0;
	CHECK_EQ(setxattr(p, "", "v", 1, 0), -1);
	CHECK(errno == ERANGE || errno == EINVAL);
	return 0;
}
