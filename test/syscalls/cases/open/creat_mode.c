/* O_CREAT applies the mode argument minus the umask. */
#include "../check.h"
int main(void) {
	umask(022);
	const char *p = scratch_file("f");
	int fd = OK(open(p, O_CREAT | O_WRONLY, 0777));
	struct stat st;
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode & 07777, 0755);
	CHECK(S_ISREG(st.st_mode));
	return 0;
}
