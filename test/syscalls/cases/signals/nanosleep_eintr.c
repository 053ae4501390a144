/* nanosleep interrupted by a handled signal returns EINTR and the time remaining. */
#include "../check.h"
#include <time.h>
#include <sys/time.h>
static void h(int s) { (void)s; }
int main(void) {
	struct sigaction sa = {.sa_handler = h, .sa_flags = SA_RESTART}; /* nanosleep never restarts */
	OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = {{0, 0}, {0, 20000}};
	OK(setitimer(ITIMER_REAL, &it, NULL));
	struct timespec req = {10, 0}, rem = {0, 0};
	ERR(nanosleep(&req, &rem), EINTR);
	CHECK(rem.tv_sec >= 8 && rem.tv_sec <= 9);
	return 0;
}
