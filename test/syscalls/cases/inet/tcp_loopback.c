/* TCP over 127.0.0.1: bind port 0, listen, connect, accept, exchange data both ways. */
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
	CHECK(ntohs(a.sin_port) != 0);
	OK(listen(l, 8));
	int c = OK(socket(AF_INET, SOCK_STREAM, 0));
	OK(connect(c, (void *)&a, sizeof a));
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	int s = OK(accept(l, (void *)&peer, &pl));
	CHECK_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	CHECK_EQ(send(c, "ping", 4, 0), 4);
	char buf[5] = {0};
	CHECK_EQ(full_read(s, buf, 4), 4);
	CHECK_STR(buf, "ping");
	CHECK_EQ(send(s, "pong", 4, 0), 4);
	CHECK_EQ(full_read(c, buf, 4), 4);
	CHECK_STR(buf, "pong");
	OK(close(s));
	CHECK_EQ(read(c, buf, 4), 0);
	return 0;
}
