/* sigtimedwait with nothing pending times out with EAGAIN. */
#include "../check.h"
int main(void) {
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	struct timespec ts = {0, 20000000};
	ERR(sigtimedwait(&m, NULL, &ts), EAGAIN);
	struct timespec zero = {0, 0};
	ERR(sigtimedwait(&m, NULL, &zero), EAGAIN);
	return 0;
}
