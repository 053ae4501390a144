/* inside a handler its own signal and sa_mask are blocked; the old mask returns after. */
#include "../check.h"
static volatile int self_blocked, usr2_blocked;
static void h(int s) {
	(void)s;
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	self_blocked = sigismember(&cur, SIGUSR1);
	usr2_blocked = sigismember(&cur, SIGUSR2);
}
int main(void) {
	struct sigaction sa = {.sa_handler = h};
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	OK(sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	CHECK_EQ(self_blocked, 1);
	CHECK_EQ(usr2_blocked, 1);
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGUSR1));
	CHECK(!sigismember(&cur, SIGUSR2));
	return 0;
}
