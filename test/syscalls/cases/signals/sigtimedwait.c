/* sigtimedwait takes a pending blocked signal without running a handler. */
#include "../check.h"
static volatile int ran;
static void h(int s) { (void)s; ran = 1; }
int main(void) {
	signal(SIGUSR1, h);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	raise(SIGUSR1);
	siginfo_t si;
	struct timespec ts = {1, 0};
	CHECK_EQ(sigtimedwait(&m, &si, &ts), SIGUSR1);
	CHECK_EQ(si.si_signo, SIGUSR1);
	CHECK_EQ(ran, 0);
	return 0;
}
