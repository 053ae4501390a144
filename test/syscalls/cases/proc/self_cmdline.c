/* /proc/self/cmdline is argv joined by NULs. */
#include "../check.h"
int main(int argc, char **argv) {
	(void)argc;
	int fd = OK(open("/proc/self/cmdline", O_RDONLY));
	char buf[PATH_MAX + 8];
	ssize_t n = OK(read(fd, buf, sizeof buf));
	CHECK_EQ(n, strlen(argv[0]) + 1);
	CHECK_STR(buf, argv[0]);
	return 0;
}
