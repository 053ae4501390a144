/* fsetxattr/fgetxattr/flistxattr on a descriptor. */
#include "../check.h"
#include <sys/xattr.h>
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	OK(fsetxattr(fd, "user.fd", "yes", 3, 0));
	char buf[8] = {0};
	CHECK_EQ(fgetxattr(fd, "user.fd", buf, sizeof buf), 3);
	CHECK_STR(buf, "yes");
	CHECK(flistxattr(fd, NULL, 0) >= 8);
	OK(fremovexattr(fd, "user.fd"));
	ERR(fgetxattr(fd, "user.fd", buf, sizeof buf), ENODATA);
	return 0;
}
