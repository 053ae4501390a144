/* a POSIX timer with SIGEV_SIGNAL delivers its signal with si_value and SI_TIMER. */
#include "../check.h"
#include <time.h>
static volatile int val, code;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; val = si->si_value.sival_int; code = si->si_code; }
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGRTMIN, &sa, NULL));
	struct sigevent se = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN, .sigev_value.sival_int = 77};
	timer_t t;
	OK(timer_create(CLOCK_MONOTONIC, &se, &t));
	/* Block the signal until sigsuspend, so the one-shot expiry cannot land
	   between the check and the wait. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGRTMIN);
	OK(sigprocmask(SIG_BLOCK, &block, &old));
	struct itimerspec its = {{0, 0}, {0, 10000000}};
	OK(timer_settime(t, 0, &its, NULL));
	while (!val)
		sigsuspend(&old);
	CHECK_EQ(val, 77);
	CHECK_EQ(code, SI_TIMER);
	struct itimerspec cur;
	OK(timer_gettime(t, &cur));
	CHECK_EQ(cur.it_value.tv_sec, 0);
	CHECK_EQ(cur.it_value.tv_nsec, 0);
	OK(timer_delete(t));
	return 0;
}
