/* kill(0, sig) signals the whole process group, including the caller. */
#include "../check.h"
static volatile int got;
static void h(int s) { (void)s; got = 1; }
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		OK(setpgid(0, 0));
		pid_t k = OK(fork()); /* keeps the default action: dies of SIGUSR1 */
		if (k == 0) {
			for (;;) pause();
		}
		signal(SIGUSR1, h);
		OK(kill(0, SIGUSR1));
		CHECK_EQ(got, 1);
		WAIT_SIGNAL(k, SIGUSR1);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
