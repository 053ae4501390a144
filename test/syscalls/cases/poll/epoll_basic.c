/* epoll reports a readable pipe with the registered data. */
#include "../check.h"
#include <sys/epoll.h>
int main(void) {
	int ep = OK(epoll_create1(EPOLL_CLOEXEC));
	CHECK_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
	int p[2];
	OK(pipe(p));
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0xfeedbeef};
	OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	struct epoll_event out[4];
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);
	CHECK_EQ(out[0].events, EPOLLIN);
	CHECK_EQ(out[0].data.u64, 0xfeedbeef);
	return 0;
}
