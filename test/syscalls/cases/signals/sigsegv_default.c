/* an unhandled NULL dereference kills the process with SIGSEGV. */
#include "../check.h"
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		*(volatile int *)0 = 1;
		_exit(0);
	}
	WAIT_SIGNAL(pid, SIGSEGV);
	return 0;
}
