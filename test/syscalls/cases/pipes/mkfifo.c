/* a FIFO opened O_RDWR passes data; stat says S_ISFIFO. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("fifo");
	OK(mkfifo(p, 0600));
	struct stat st;
	OK(stat(p, &st));
	CHECK(S_ISFIFO(st.st_mode));
	int fd = OK(open(p, O_RDWR));
	CHECK_EQ(write(fd, "fifo", 4), 4);
	char b[5] = {0};
	CHECK_EQ(read(fd, b, 4), 4);
	CHECK_STR(b, "fifo");
	return 0;
}
