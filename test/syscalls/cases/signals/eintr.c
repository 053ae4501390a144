/* without SA_RESTART a blocking pipe read interrupted by a handled signal fails with EINTR. */
#include "../check.h"
#include <sys/time.h>
static void h(int s) { (void)s; }
int main(void) {
	struct sigaction sa = {.sa_handler = h};
	OK(sigaction(SIGALRM, &sa, NULL));
	int p[2];
	OK(pipe(p));
	struct itimerval it = {{0, 0}, {0, 20000}};
	OK(setitimer(ITIMER_REAL, &it, NULL));
	char c;
	ERR(read(p[0], &c, 1), EINTR);
	return 0;
}
