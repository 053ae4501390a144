/* fallocate extends the file; FALLOC_FL_KEEP_SIZE does not. */
#include "../check.h"
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	OK(fallocate(fd, 0, 0, 4096));
	struct stat st;
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 4096);
	OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 4096, 4096));
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 4096);
	ERR(fallocate(fd, 0, 0, 0), EINVAL);
	return 0;
}
