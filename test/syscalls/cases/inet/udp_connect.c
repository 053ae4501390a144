/* a connected UDP socket uses send/recv and MSG_PEEK leaves data queued; MSG_TRUNC reports the real size. */
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
	int a = OK(socket(AF_INET, SOCK_DGRAM, 0)), b = OK(socket(AF_INET, SOCK_DGRAM, 0));
	struct sockaddr_in aa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	OK(bind(a, (void *)&aa, sizeof aa));
	socklen_t l = sizeof aa;
	OK(getsockname(a, (void *)&aa, &l));
	OK(connect(b, (void *)&aa, sizeof aa));
	CHECK_EQ(send(b, "peekaboo", 8, 0), 8);
	char buf[16] = {0};
	CHECK_EQ(recv(a, buf, 4, MSG_PEEK), 4);
	CHECK_EQ(recv(a, buf, 2, MSG_TRUNC), 8);
	ERR(recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	return 0;
}
