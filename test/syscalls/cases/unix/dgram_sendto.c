/* unconnected unix datagram sockets: sendto a bound path, recvfrom reports the sender. */
#include "../check.h"
#include <sys/socket.h>
#include <sys/un.h>
int main(void) {
	struct sockaddr_un a = {.sun_family = AF_UNIX}, b = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "%s", scratch_file("a"));
	snprintf(b.sun_path, sizeof b.sun_path, "%s", scratch_file("b"));
	int sa = OK(socket(AF_UNIX, SOCK_DGRAM, 0)), sb = OK(socket(AF_UNIX, SOCK_DGRAM, 0));
	OK(bind(sa, (void *)&a, sizeof a));
	OK(bind(sb, (void *)&b, sizeof b));
	CHECK_EQ(sendto(sb, "dg", 2, 0, (void *)&a, sizeof a), 2);
	struct sockaddr_un from;
	socklen_t fl = sizeof from;
	char buf[4] = {0};
	CHECK_EQ(recvfrom(sa, buf, sizeof buf, 0, (void *)&from, &fl), 2);
	CHECK_STR(buf, "dg");
	CHECK_STR(from.sun_path, b.sun_path);
	return 0;
}
