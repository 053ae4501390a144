/* write then read back through a second descriptor. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	int fd = OK(open(p, O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_EQ(write(fd, "hello world", 11), 11);
	int fd2 = OK(open(p, O_RDONLY));
	char buf[32] = {0};
	CHECK_EQ(read(fd2, buf, sizeof buf), 11);
	CHECK_STR(buf, "hello world");
	CHECK_EQ(read(fd2, buf, sizeof buf), 0); /* EOF */
	return 0;
}
