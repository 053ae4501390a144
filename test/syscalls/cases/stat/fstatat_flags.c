/* fstatat with AT_EMPTY_PATH stats the fd; AT_SYMLINK_NOFOLLOW stats the link. */
#include "../check.h"
int main(void) {
	int fd = OK(open("/etc/passwd", O_RDONLY));
	struct stat a, b;
	OK(fstatat(fd, "", &a, AT_EMPTY_PATH));
	OK(fstat(fd, &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	ERR(fstatat(fd, "", &a, 0), ENOENT);
	OK(fstatat(AT_FDCWD, "/proc/self", &a, AT_SYMLINK_NOFOLLOW));
	CHECK(S_ISLNK(a.st_mode));
	ERR(fstatat(AT_FDCWD, "/etc/passwd", &a, 0x12345000), EINVAL);
	return 0;
}
