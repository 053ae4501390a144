/* raise runs the installed handler synchronously with the signal number. */
#include "../check.h"
static volatile int got;
static void h(int s) { got = s; }
int main(void) {
	struct sigaction sa = {.sa_handler = h};
	OK(sigaction(SIGUSR1, &sa, NULL));
	OK(raise(SIGUSR1));
	CHECK_EQ(got, SIGUSR1);
	struct sigaction old;
	OK(sigaction(SIGUSR1, NULL, &old));
	CHECK(old.sa_handler == h);
	ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	ERR(sigaction(65, &sa, NULL), EINVAL);
	return 0;
}
