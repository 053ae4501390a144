/* ITIMER_PROF fires SIGPROF after CPU time is consumed. */
#include "../check.h"
#include <sys/time.h>
static volatile int got;
static void h(int s) { (void)s; got = 1; }
int main(void) {
	signal(SIGPROF, h);
	struct itimerval it = {{0, 0}, {0, 10000}};
	OK(setitimer(ITIMER_PROF, &it, NULL));
	volatile unsigned long spin = 0;
	while (!got && spin < 4000000000UL)
		spin++;
	CHECK_EQ(got, 1);
	return 0;
}
