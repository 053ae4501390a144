/* UDP over loopback: sendto/recvfrom keep datagram boundaries and report the sender. */
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
	int a = OK(socket(AF_INET, SOCK_DGRAM, 0)), b = OK(socket(AF_INET, SOCK_DGRAM, 0));
	struct sockaddr_in aa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, ba = aa;
	OK(bind(a, (void *)&aa, sizeof aa));
	OK(bind(b, (void *)&ba, sizeof ba));
	socklen_t l = sizeof aa;
	OK(getsockname(a, (void *)&aa, &l));
	OK(getsockname(b, (void *)&ba, &l));
	CHECK_EQ(sendto(b, "first", 5, 0, (void *)&aa, sizeof aa), 5);
	CHECK_EQ(sendto(b, "2nd", 3, 0, (void *)&aa, sizeof aa), 3);
	char buf[16] = {0};
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	CHECK_EQ(recvfrom(a, buf, sizeof buf, 0, (void *)&from, &fl), 5);
	CHECK_STR(buf, "first");
	CHECK_EQ(from.sin_port, ba.sin_port);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(recv(a, buf, sizeof buf, 0), 3);
	CHECK_STR(buf, "2nd");
	return 0;
}
