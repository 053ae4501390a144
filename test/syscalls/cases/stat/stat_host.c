/* stat and fstat of a host file agree; /etc is a directory. */
#include "../check.h"
int main(void) {
	struct stat a, b, d;
	OK(stat("/etc/passwd", &a));
	int fd = OK(open("/etc/passwd", O_RDONLY));
	OK(fstat(fd, &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	CHECK_EQ(a.st_size, b.st_size);
	CHECK(S_ISREG(a.st_mode));
	CHECK_EQ(a.st_uid, 0);
	OK(stat("/etc", &d));
	CHECK(S_ISDIR(d.st_mode));
	CHECK(d.st_nlink >= 2);
	return 0;
}
