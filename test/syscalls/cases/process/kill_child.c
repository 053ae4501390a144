/* SIGKILL and SIGTERM sent to a child are reported by waitpid. */
#include "../check.h"
int main(void) {
	pid_t a = OK(fork());
	if (a == 0) { for (;;) pause(); }
	pid_t b = OK(fork());
	if (b == 0) { for (;;) pause(); }
	OK(kill(a, SIGKILL));
	OK(kill(b, SIGTERM));
	WAIT_SIGNAL(a, SIGKILL);
	WAIT_SIGNAL(b, SIGTERM);
	ERR(kill(a, SIGKILL), ESRCH);
	ERR(kill(getpid(), 1234), EINVAL);
	OK(kill(getpid(), 0));
	return 0;
}
