/* EPOLLONESHOT disables the fd after one event until EPOLL_CTL_MOD re-arms it. */
#include "../check.h"
#include <sys/epoll.h>
int main(void) {
	int ep = OK(epoll_create1(0));
	int p[2];
	OK(pipe(p));
	CHECK_EQ(write(p[1], "x", 1), 1);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT};
	OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	struct epoll_event out;
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1);
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
	OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1);
	return 0;
}
