/* umask returns the previous mask and applies to new files and directories. */
#include "../check.h"
int main(void) {
	umask(027);
	CHECK_EQ(umask(077), 027);
	CHECK_EQ(umask(027), 077);
	int fd = OK(open(scratch_file("f"), O_CREAT | O_WRONLY, 0666));
	struct stat st;
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode & 0777, 0640);
	OK(mkdir(scratch_file("d"), 0777));
	OK(stat(scratch_file("d"), &st));
	CHECK_EQ(st.st_mode & 0777, 0750);
	return 0;
}
