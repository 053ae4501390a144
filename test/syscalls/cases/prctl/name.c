/* PR_SET_NAME sets the thread name (truncated to 15 bytes), visible in /proc/self/comm. */
#include "../check.h"
#include <sys/prctl.h>
int main(void) {
	OK(prctl(PR_SET_NAME, "compat-test-name-too-long"));
	char buf[32] = {0};
	OK(prctl(PR_GET_NAME, buf));
	CHECK_STR(buf, "compat-test-nam");
	int fd = OK(open("/proc/self/comm", O_RDONLY));
	char c[32] = {0};
	CHECK(read(fd, c, sizeof c - 1) > 0);
	CHECK_STR(c, "compat-test-nam\n");
	return 0;
}
