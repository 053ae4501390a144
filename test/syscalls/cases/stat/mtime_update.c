/* a write updates mtime and ctime. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	struct timespec old[2] = {{1000, 0}, {1000, 0}};
	OK(utimensat(AT_FDCWD, p, old, 0));
	int fd = OK(open(p, O_WRONLY));
	CHECK_EQ(write(fd, "y", 1), 1);
	struct stat st;
	OK(fstat(fd, &st));
	CHECK(st.st_mtime > 1000);
	CHECK(st.st_ctime > 1000);
	return 0;
}
