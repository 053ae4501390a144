/* splice moves pipe data into a file; tee duplicates between pipes. */
#include "../check.h"
int main(void) {
	int a[2], b[2];
	OK(pipe(a));
	OK(pipe(b));
	CHECK_EQ(write(a[1], "spliced", 7), 7);
	CHECK_EQ(tee(a[0], b[1], 7, 0), 7);
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	CHECK_EQ(splice(a[0], NULL, fd, NULL, 7, 0), 7);
	char buf[8] = {0};
	CHECK_EQ(pread(fd, buf, 7, 0), 7);
	CHECK_STR(buf, "spliced");
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(b[0], buf, 7), 7);
	CHECK_STR(buf, "spliced");
	return 0;
}
