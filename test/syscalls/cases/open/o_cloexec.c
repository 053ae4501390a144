/* O_CLOEXEC sets FD_CLOEXEC; without it the flag is clear. */
#include "../check.h"
int main(void) {
	int a = OK(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int b = OK(open("/dev/null", O_RDONLY));
	CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(b, F_GETFD), 0);
	return 0;
}
