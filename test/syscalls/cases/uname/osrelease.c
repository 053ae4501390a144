/* uname's release equals /proc/sys/kernel/osrelease. */
#include "../check.h"
#include <sys/utsname.h>
int main(void) {
	struct utsname u;
	OK(uname(&u));
	int fd = OK(open("/proc/sys/kernel/osrelease", O_RDONLY));
	char p[128] = {0};
	ssize_t n = OK(read(fd, p, sizeof p - 1));
	CHECK(n > 0);
	p[strcspn(p, "\n")] = 0;
	CHECK_STR(p, u.release);
	return 0;
}
