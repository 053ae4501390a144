/* by default, writing to a readerless pipe kills the writer with SIGPIPE. */
#include "../check.h"
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		int p[2];
		OK(pipe(p));
		close(p[0]);
		write(p[1], "x", 1);
		_exit(3);
	}
	WAIT_SIGNAL(pid, SIGPIPE);
	return 0;
}
