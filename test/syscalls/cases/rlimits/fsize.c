/* RLIMIT_FSIZE: writing past it raises SIGXFSZ, or EFBIG when ignored. */
#include "../check.h"
#include <sys/resource.h>
int main(void) {
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {10, RLIM_INFINITY};
	OK(getrlimit(RLIMIT_FSIZE, &rl));
	rl.rlim_cur = 10;
	OK(setrlimit(RLIMIT_FSIZE, &rl));
	int fd = OK(open(scratch_file("f"), O_WRONLY | O_CREAT, 0644));
	CHECK_EQ(write(fd, "0123456789abc", 13), 10);
	ERR(write(fd, "x", 1), EFBIG);
	return 0;
}
