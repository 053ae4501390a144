/* descriptors with FD_CLOEXEC are closed across exec; others survive. */
#include "../check.h"
int main(int argc, char **argv) {
	if (argc == 2) {
		CHECK_EQ(fcntl(20, F_GETFD), 0);
		ERR(fcntl(21, F_GETFD), EBADF);
		return 0;
	}
	int fd = OK(open("/dev/null", O_RDONLY));
	CHECK_EQ(dup2(fd, 20), 20);
	CHECK_EQ(dup3(fd, 21, O_CLOEXEC), 21);
	char *nargv[] = {argv[0], "child", NULL};
	execv("/proc/self/exe", nargv);
	fail("execv: got %s want no return", errname(errno));
}
