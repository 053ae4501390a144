/* SOCK_DGRAM and SOCK_SEQPACKET pairs keep message boundaries; short reads truncate. */
#include "../check.h"
#include <sys/socket.h>
int main(void) {
	int types[] = {SOCK_DGRAM, SOCK_SEQPACKET};
	for (int i = 0; i < 2; i++) {
		int sv[2];
		OK(socketpair(AF_UNIX, types[i], 0, sv));
		CHECK_EQ(send(sv[0], "one", 3, 0), 3);
		CHECK_EQ(send(sv[0], "three", 5, 0), 5);
		char buf[16] = {0};
		CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 3);
		CHECK_STR(buf, "one");
		memset(buf, 0, sizeof buf);
		CHECK_EQ(recv(sv[1], buf, 2, 0), 2);
		CHECK_STR(buf, "th");
		ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	}
	return 0;
}
