/* connecting to a closed loopback port is ECONNREFUSED. */
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
	int t = OK(socket(AF_INET, SOCK_STREAM, 0));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	OK(bind(t, (void *)&a, sizeof a));
	socklen_t al = sizeof a;
	OK(getsockname(t, (void *)&a, &al)); /* a port we hold but do not listen on */
	int c = OK(socket(AF_INET, SOCK_STREAM, 0));
	ERR(connect(c, (void *)&a, sizeof a), ECONNREFUSED);
	return 0;
}
