/* creating files under /proc fails (ENOENT/EACCES), not crashing; /proc/self/x is not creatable. */
#include "../check.h"
int main(void) {
	errno = 0;
	int fd = open("/proc/stockade-compat", O_CREAT | O_WRONLY, 0644);
	CHECK_EQ(fd, -1);
	CHECK(errno == EACCES || errno == ENOENT);
	ERR(mkdir("/proc/self/stockade", 0755), ENOENT);
	return 0;
}
