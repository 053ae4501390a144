/* fsync/fdatasync/sync_file_range succeed on a file; fsync on a pipe is EINVAL. */
#include "../check.h"
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write(fd, "x", 1), 1);
	OK(fsync(fd));
	OK(fdatasync(fd));
	OK(sync_file_range(fd, 0, 1, SYNC_FILE_RANGE_WRITE));
	int p[2];
	OK(pipe(p));
	ERR(fsync(p[0]), EINVAL);
	return 0;
}
