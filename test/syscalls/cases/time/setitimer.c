/* ITIMER_REAL fires SIGALRM periodically; getitimer shows the interval. */
#include "../check.h"
#include <sys/time.h>
static volatile int ticks;
static void h(int s) { (void)s; ticks++; }
int main(void) {
	signal(SIGALRM, h);
	struct itimerval it = {{0, 10000}, {0, 10000}}, cur;
	OK(setitimer(ITIMER_REAL, &it, NULL));
	while (ticks < 3)
		pause();
	OK(getitimer(ITIMER_REAL, &cur));
	CHECK_EQ(cur.it_interval.tv_usec, 10000);
	struct itimerval off = {{0, 0}, {0, 0}}, old;
	OK(setitimer(ITIMER_REAL, &off, &old));
	CHECK_EQ(old.it_interval.tv_usec, 10000);
	ERR(setitimer(99, &it, NULL), EINVAL);
	return 0;
}
