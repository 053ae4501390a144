/* pipe2 O_CLOEXEC|O_NONBLOCK sets both flags on both ends; bad flags are EINVAL. */
#include "../check.h"
int main(void) {
	int p[2];
	OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(fcntl(p[i], F_GETFD), FD_CLOEXEC);
		CHECK(fcntl(p[i], F_GETFL) & O_NONBLOCK);
	}
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	ERR(pipe2(p, O_APPEND), EINVAL);
	return 0;
}
