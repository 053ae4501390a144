/* lowering RLIMIT_NOFILE makes open fail with EMFILE past the limit. */
#include "../check.h"
#include <sys/resource.h>
int main(void) {
	struct rlimit rl;
	OK(getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = 16;
	OK(setrlimit(RLIMIT_NOFILE, &rl));
	int last = -1;
	for (;;) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			CHECK_EQ(errno, EMFILE);
			break;
		}
		last = fd;
	}
	CHECK_EQ(last, 15);
	ERR(dup2(0, 16), EBADF);
	return 0;
}
