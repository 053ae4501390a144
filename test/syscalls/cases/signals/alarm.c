/* alarm delivers SIGALRM; a second alarm returns the seconds left on the first. */
#include "../check.h"
static volatile int got;
static void h(int s) { (void)s; got = 1; }
int main(void) {
	signal(SIGALRM, h);
	CHECK_EQ(alarm(5), 0);
	CHECK_EQ(alarm(0), 5);
	CHECK_EQ(alarm(1), 0);
	while (!got)
		pause();
	CHECK_EQ(got, 1);
	return 0;
}
