/* a blocking poll wakes when a child writes to the pipe. */
#include "../check.h"
#include <poll.h>
int main(void) {
	int p[2];
	OK(pipe(p));
	pid_t pid = OK(fork());
	if (pid == 0) {
		usleep(30000);
		write(p[1], "x", 1);
		_exit(0);
	}
	struct pollfd f = {p[0], POLLIN, 0};
	CHECK_EQ(poll(&f, 1, 5000), 1);
	CHECK_EQ(f.revents, POLLIN);
	WAIT_EXIT(pid, 0);
	return 0;
}
