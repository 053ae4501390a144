/* with SA_RESTART a blocking read resumes after the handler and gets later data. */
#include "../check.h"
#include <sys/time.h>
static volatile int fired;
static void h(int s) { (void)s; fired = 1; }
int main(void) {
	struct sigaction sa = {.sa_handler = h, .sa_flags = SA_RESTART};
	OK(sigaction(SIGALRM, &sa, NULL));
	int p[2];
	OK(pipe(p));
	pid_t pid = OK(fork());
	if (pid == 0) {
		usleep(100000);
		write(p[1], "z", 1);
		_exit(0);
	}
	struct itimerval it = {{0, 0}, {0, 20000}};
	OK(setitimer(ITIMER_REAL, &it, NULL));
	char c = 0;
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'z');
	CHECK_EQ(fired, 1);
	WAIT_EXIT(pid, 0);
	return 0;
}
