/* a non-blocking connect is EINPROGRESS (or done), then writable with SO_ERROR 0; accept4 sets flags. */
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
int main(void) {
	int l = OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	OK(bind(l, (void *)&a, sizeof a));
	socklen_t al = sizeof a;
	OK(getsockname(l, (void *)&a, &al));
	OK(listen(l, 1));
	ERR(accept(l, NULL, NULL), EAGAIN);
	int c = OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	int r = connect(c, (void *)&a, sizeof a);
	if (r < 0)
		CHECK_EQ(errno, EINPROGRESS);
	struct pollfd pf = {c, POLLOUT, 0};
	CHECK_EQ(poll(&pf, 1, 2000), 1);
	int err = -1;
	socklen_t el = sizeof err;
	OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el));
	CHECK_EQ(err, 0);
	struct pollfd lp = {l, POLLIN, 0};
	CHECK_EQ(poll(&lp, 1, 2000), 1);
	int s = OK(accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK));
	CHECK_EQ(fcntl(s, F_GETFD), FD_CLOEXEC);
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK);
	return 0;
}
