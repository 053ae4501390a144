/* a SOCK_STREAM socketpair is bidirectional; shutdown(SHUT_WR) gives EOF to the peer. */
#include "../check.h"
#include <sys/socket.h>
int main(void) {
	int sv[2];
	OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_EQ(write(sv[0], "ab", 2), 2);
	CHECK_EQ(write(sv[1], "cd", 2), 2);
	char buf[4] = {0};
	CHECK_EQ(read(sv[1], buf, 4), 2);
	CHECK_STR(buf, "ab");
	CHECK_EQ(read(sv[0], buf, 4), 2);
	CHECK_STR(buf, "cd");
	OK(shutdown(sv[0], SHUT_WR));
	CHECK_EQ(read(sv[1], buf, 4), 0);
	CHECK_EQ(write(sv[1], "e", 1), 1); /* other direction still open */
	CHECK_EQ(read(sv[0], buf, 4), 1);
	return 0;
}
