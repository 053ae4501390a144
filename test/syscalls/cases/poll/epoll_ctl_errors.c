/* epoll_ctl: EEXIST on double add, ENOENT on mod/del of unknown fd, EPERM for regular files, EINVAL on self. */
#include "../check.h"
#include <sys/epoll.h>
int main(void) {
	int ep = OK(epoll_create1(0));
	int p[2];
	OK(pipe(p));
	struct epoll_event ev = {.events = EPOLLIN};
	OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
	ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev), ENOENT);
	int f = OK(open("/etc/passwd", O_RDONLY));
	ERR(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM);
	ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	ERR(epoll_create1(12345), EINVAL);
	return 0;
}
