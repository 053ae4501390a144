/* getpid is stable and positive, getppid differs from it, gettid equals it in a single thread. */
#include "../check.h"
int main(void) {
	pid_t p = getpid();
	CHECK(p > 0);
	CHECK_EQ(getpid(), p);
	CHECK(getppid() != p);
	CHECK_EQ(gettid(), p);
	return 0;
}
