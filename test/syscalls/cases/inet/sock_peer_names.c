/* getsockname/getpeername agree on both ends of a loopback TCP connection. */
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
	struct sockaddr_in cn, cp, sn, sp;
	socklen_t x = sizeof cn;
	OK(getsockname(c, (void *)&cn, &x)); x = sizeof cp;
	OK(getpeername(c, (void *)&cp, &x)); x = sizeof sn;
	OK(getsockname(s, (void *)&sn, &x)); x = sizeof sp;
	OK(getpeername(s, (void *)&sp, &x));
	CHECK_EQ(cp.sin_port, a.sin_port);
	CHECK_EQ(sn.sin_port, a.sin_port);
	CHECK_EQ(sp.sin_port, cn.sin_port);
	ERR(getpeername(l, (void *)&cp, &x), ENOTCONN);
	return 0;
}
