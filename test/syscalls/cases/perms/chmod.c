/* chmod/fchmod/fchmodat change the mode bits; setuid/setgid/sticky are kept. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	struct stat st;
	OK(chmod(p, 0604));
	OK(stat(p, &st));
	CHECK_EQ(st.st_mode & 07777, 0604);
	int fd = OK(open(p, O_RDONLY));
	OK(fchmod(fd, 01750));
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode & 07777, 01750);
	OK(fchmodat(AT_FDCWD, p, 0600, 0));
	OK(stat(p, &st));
	CHECK_EQ(st.st_mode & 07777, 0600);
	ERR(chmod(scratch_file("missing"), 0600), ENOENT);
	return 0;
}
