/* socket options round-trip: SO_REUSEADDR, TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF (doubled). */
#include "../check.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
static int get(int fd, int lvl, int opt) { int v = -1; socklen_t l = sizeof v; OK(getsockopt(fd, lvl, opt, &v, &l)); return v; }
int main(void) {
	int s = OK(socket(AF_INET, SOCK_STREAM, 0));
	int one = 1;
	CHECK_EQ(get(s, SOL_SOCKET, SO_REUSEADDR), 0);
	OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	CHECK_EQ(get(s, SOL_SOCKET, SO_REUSEADDR), 1);
	OK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	CHECK_EQ(get(s, IPPROTO_TCP, TCP_NODELAY), 1);
	OK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one));
	CHECK_EQ(get(s, SOL_SOCKET, SO_KEEPALIVE), 1);
	int sz = 65536;
	OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz));
	CHECK_EQ(get(s, SOL_SOCKET, SO_RCVBUF), 131072);
	CHECK_EQ(get(s, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, 1), EINVAL);
	return 0;
}
