/* epoll_wait with nothing ready returns 0 after the timeout; a child's write wakes it. */
#include "../check.h"
#include <sys/epoll.h>
int main(void) {
	int ep = OK(epoll_create1(0));
	int p[2];
	OK(pipe(p));
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = p[0]};
	OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	struct epoll_event out;
	CHECK_EQ(epoll_wait(ep, &out, 1, 20), 0);
	pid_t pid = OK(fork());
	if (pid == 0) {
		usleep(20000);
		write(p[1], "x", 1);
		_exit(0);
	}
	CHECK_EQ(epoll_wait(ep, &out, 1, 5000), 1);
	CHECK_EQ(out.data.fd, p[0]);
	WAIT_EXIT(pid, 0);
	return 0;
}
