/* SIGKILL and SIGSTOP cannot be blocked: sigprocmask silently drops them from the mask. */
#include "../check.h"
int main(void) {
	sigset_t m, cur;
	sigfillset(&m);
	OK(sigprocmask(SIG_SETMASK, &m, NULL));
	OK(sigprocmask(SIG_SETMASK, NULL, &cur));
	CHECK(!sigismember(&cur, SIGKILL));
	CHECK(!sigismember(&cur, SIGSTOP));
	CHECK(sigismember(&cur, SIGUSR1));
	ERR(sigprocmask(99, &m, NULL), EINVAL);
	return 0;
}
