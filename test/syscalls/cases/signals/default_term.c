/* default actions: SIGTERM terminates, SIGABRT (abort) terminates, SIGQUIT too. */
#include "../check.h"
int main(void) {
	int sigs[] = {SIGTERM, SIGUSR1, SIGHUP};
	for (int i = 0; i < 3; i++) {
		pid_t pid = OK(fork());
		if (pid == 0) {
			raise(sigs[i]);
			_exit(0);
		}
		WAIT_SIGNAL(pid, sigs[i]);
	}
	pid_t pid = OK(fork());
	if (pid == 0)
		abort();
	WAIT_SIGNAL(pid, SIGABRT);
	return 0;
}
