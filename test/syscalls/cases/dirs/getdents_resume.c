/* reading /etc in tiny chunks yields the same count as one big read. */
#include "../check.h"
#include <sys/syscall.h>
static int count(size_t bufsz) {
	int fd = OK(open("/etc", O_RDONLY | O_DIRECTORY));
	char buf[65536];
	int total = 0, n;
	while ((n = OK(syscall(SYS_getdents64, fd, buf, bufsz))) > 0)
		for (int off = 0; off < n; total++)
			off += *(unsigned short *)(buf + off + 16);
	close(fd);
	return total;
}
int main(void) {
	int big = count(65536);
	CHECK(big > 10);
	CHECK_EQ(count(64), big);
	return 0;
}
