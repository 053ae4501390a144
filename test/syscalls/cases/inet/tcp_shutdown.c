/* shutdown(SHUT_WR) on TCP sends FIN: the peer reads EOF but can still send back. */
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
	int l = OK(socket(AF_INET, SOCK_STREAM, 0));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	OK(bind(l, (void *)&a, sizeof a));
	socklen_t al = sizeof a;
	OK(getsockname(l, (void *)&a, &al));
	OK(listen(l, 1));
	int c = OK(socket(AF_INET, SOCK_STREAM, 0));
	OK(connect(c, (void *)&a, sizeof a));
	int s = OK(accept(l, NULL, NULL));
	OK(shutdown(c, SHUT_WR));
	char buf[4];
	CHECK_EQ(read(s, buf, 4), 0);
	CHECK_EQ(write(s, "ok", 2), 2);
	CHECK_EQ(full_read(c, buf, 2), 2);
	ERR(shutdown(c, 99), EINVAL);
	return 0;
}
