/* TCP over ::1 connects and exchanges data. */
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
	int l = OK(socket(AF_INET6, SOCK_STREAM, 0));
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	OK(bind(l, (void *)&a, sizeof a));
	socklen_t al = sizeof a;
	OK(getsockname(l, (void *)&a, &al));
	OK(listen(l, 1));
	int c = OK(socket(AF_INET6, SOCK_STREAM, 0));
	OK(connect(c, (void *)&a, sizeof a));
	int s = OK(accept(l, NULL, NULL));
	CHECK_EQ(write(c, "v6", 2), 2);
	char buf[3] = {0};
	CHECK_EQ(full_read(s, buf, 2), 2);
	CHECK_STR(buf, "v6");
	return 0;
}
