/* O_TMPFILE makes an unnamed file that linkat can give a name. */
#include "../check.h"
int main(void) {
	int fd = OK(open(scratch_dir(), O_TMPFILE | O_RDWR, 0600));
	CHECK_EQ(write(fd, "tmp", 3), 3);
	struct stat st;
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	OK(linkat(AT_FDCWD, proc, AT_FDCWD, scratch_file("named"), AT_SYMLINK_FOLLOW));
	OK(stat(scratch_file("named"), &st));
	CHECK_EQ(st.st_size, 3);
	return 0;
}
