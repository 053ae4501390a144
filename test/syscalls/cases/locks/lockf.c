/* lockf F_TLOCK held by the parent makes F_TEST in a child fail with EACCES/EAGAIN. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "0123456789");
	int fd = OK(open(p, O_RDWR));
	OK(lockf(fd, F_TLOCK, 0));
	pid_t pid = OK(fork());
	if (pid == 0) {
		errno = 0;
		CHECK_EQ(lockf(fd, F_TEST, 0), -1);
		CHECK(errno == EACCES || errno == EAGAIN);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	OK(lockf(fd, F_ULOCK, 0));
	return 0;
}
