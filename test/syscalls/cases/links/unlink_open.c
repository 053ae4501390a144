/* an unlinked file stays readable through an open fd (nlink 0). */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "still here");
	int fd = OK(open(p, O_RDONLY));
	OK(unlink(p));
	ERR(access(p, F_OK), ENOENT);
	struct stat st;
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	char buf[16] = {0};
	CHECK_EQ(read(fd, buf, sizeof buf), 10);
	CHECK_STR(buf, "still here");
	return 0;
}
