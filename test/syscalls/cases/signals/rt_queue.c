/* real-time signals queue: three blocked sends give three deliveries, lowest
 * signal first (the handler blocks everything, so deliveries cannot nest). */
#include "../check.h"
static volatile int order[8], n;
static void h(int s) { order[n++] = s; }
int main(void) {
	struct sigaction sa = {.sa_handler = h};
	sigfillset(&sa.sa_mask);
	OK(sigaction(SIGRTMIN, &sa, NULL));
	OK(sigaction(SIGRTMIN + 1, &sa, NULL));
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN);
	sigaddset(&m, SIGRTMIN + 1);
	OK(sigprocmask(SIG_BLOCK, &m, NULL));
	raise(SIGRTMIN + 1);
	raise(SIGRTMIN);
	raise(SIGRTMIN);
	OK(sigprocmask(SIG_UNBLOCK, &m, NULL));
	CHECK_EQ(n, 3);
	CHECK_EQ(order[0], SIGRTMIN);
	CHECK_EQ(order[1], SIGRTMIN);
	CHECK_EQ(order[2], SIGRTMIN + 1);
	return 0;
}
