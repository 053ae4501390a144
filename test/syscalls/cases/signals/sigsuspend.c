/* sigsuspend atomically unblocks, waits for the handler, returns EINTR, restores the mask. */
#include "../check.h"
static volatile int got;
static void h(int s) { (void)s; got = 1; }
int main(void) {
	signal(SIGUSR1, h);
	sigset_t m, old, cur;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, &old);
	pid_t parent = getpid();
	pid_t pid = OK(fork());
	if (pid == 0) {
		usleep(20000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	ERR(sigsuspend(&old), EINTR);
	CHECK_EQ(got, 1);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	CHECK(sigismember(&cur, SIGUSR1));
	WAIT_EXIT(pid, 0);
	return 0;
}
