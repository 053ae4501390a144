/* fchdir to a directory fd; to a file fd is ENOTDIR. */
#include "../check.h"
int main(void) {
	int d = OK(open("/etc", O_RDONLY | O_DIRECTORY));
	OK(fchdir(d));
	char buf[PATH_MAX];
	CHECK_STR(getcwd(buf, sizeof buf), "/etc");
	OK(access("passwd", R_OK));
	int f = OK(open("/etc/passwd", O_RDONLY));
	ERR(fchdir(f), ENOTDIR);
	return 0;
}
