/* gethostname equals uname's nodename and /proc/sys/kernel/hostname. */
#include "../check.h"
#include <sys/utsname.h>
int main(void) {
	struct utsname u;
	OK(uname(&u));
	char h[HOST_NAME_MAX + 1];
	OK(gethostname(h, sizeof h));
	CHECK_STR(h, u.nodename);
	int fd = OK(open("/proc/sys/kernel/hostname", O_RDONLY));
	char p[128] = {0};
	ssize_t n = OK(read(fd, p, sizeof p - 1));
	CHECK(n > 0 && p[n - 1] == '\n');
	p[n - 1] = 0;
	CHECK_STR(p, u.nodename);
	return 0;
}
