/* EPOLLET reports a readable pipe once until new data arrives; level-triggered every time. */
#include "../check.h"
#include <sys/epoll.h>
int main(void) {
	int ep = OK(epoll_create1(0));
	int p[2];
	OK(pipe(p));
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET};
	OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	struct epoll_event out;
	CHECK_EQ(write(p[1], "ab", 2), 2);
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1);
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
	CHECK_EQ(write(p[1], "c", 1), 1);
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1);
	ev.events = EPOLLIN;
	OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1);
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1);
	return 0;
}
