/* openat resolves relative paths against dirfd; absolute ones ignore it. */
#include "../check.h"
int main(void) {
	int d = OK(open("/etc", O_RDONLY | O_DIRECTORY));
	int a = OK(openat(d, "passwd", O_RDONLY));
	int b = OK(openat(d, "/etc/passwd", O_RDONLY));
	struct stat sa, sb;
	OK(fstat(a, &sa));
	OK(fstat(b, &sb));
	CHECK_EQ(sa.st_ino, sb.st_ino);
	int f = OK(open("/etc/passwd", O_RDONLY));
	ERR(openat(f, "x", O_RDONLY), ENOTDIR);
	ERR(openat(999, "x", O_RDONLY), EBADF);
	return 0;
}
