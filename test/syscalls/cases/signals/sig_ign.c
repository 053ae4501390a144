/* an ignored unblocked signal is discarded; a blocked one stays pending until
 * SIG_IGN is set, which discards it; default SIGCHLD/SIGURG do nothing. */
#include "../check.h"
static void h(int s) { (void)s; }
int main(void) {
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	sigset_t m, pend;
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1));
	signal(SIGUSR1, h);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	raise(SIGUSR1);
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGUSR1));
	signal(SIGUSR1, SIG_IGN);
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1));
	signal(SIGURG, SIG_DFL);
	raise(SIGURG);
	raise(SIGCHLD);
	return 0;
}
