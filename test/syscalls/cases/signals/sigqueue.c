/* sigqueue carries a value (SI_QUEUE) to the handler. */
#include "../check.h"
static volatile int val, code;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; val = si->si_value.sival_int; code = si->si_code; }
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGRTMIN, &sa, NULL));
	union sigval v = {.sival_int = 1234};
	OK(sigqueue(getpid(), SIGRTMIN, v));
	CHECK_EQ(val, 1234);
	CHECK_EQ(code, SI_QUEUE);
	return 0;
}
