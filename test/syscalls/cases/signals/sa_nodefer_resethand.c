/* SA_NODEFER leaves the signal unblocked in its handler; SA_RESETHAND restores SIG_DFL. */
#include "../check.h"
static volatile int blocked = -1;
static void h(int s) {
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	blocked = sigismember(&cur, s);
}
int main(void) {
	struct sigaction sa = {.sa_handler = h, .sa_flags = SA_NODEFER | SA_RESETHAND};
	OK(sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	CHECK_EQ(blocked, 0);
	struct sigaction now;
	OK(sigaction(SIGUSR1, NULL, &now));
	CHECK(now.sa_handler == SIG_DFL);
	return 0;
}
