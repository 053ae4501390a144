/* a blocked signal stays pending and is delivered when unblocked. */
#include "../check.h"
static volatile int got;
static void h(int s) { (void)s; got++; }
int main(void) {
	signal(SIGUSR1, h);
	sigset_t m, old, pend;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	OK(sigprocmask(SIG_BLOCK, &m, &old));
	CHECK(!sigismember(&old, SIGUSR1));
	raise(SIGUSR1);
	raise(SIGUSR1); /* standard signals do not queue */
	CHECK_EQ(got, 0);
	OK(sigpending(&pend));
	CHECK(sigismember(&pend, SIGUSR1));
	OK(sigprocmask(SIG_UNBLOCK, &m, NULL));
	CHECK_EQ(got, 1);
	OK(sigpending(&pend));
	CHECK(!sigismember(&pend, SIGUSR1));
	return 0;
}
