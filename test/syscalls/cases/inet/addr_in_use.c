/* binding a port another listening socket holds is EADDRINUSE. */
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
	int a = OK(socket(AF_INET, SOCK_STREAM, 0));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	OK(bind(a, (void *)&sa, sizeof sa));
	socklen_t l = sizeof sa;
	OK(getsockname(a, (void *)&sa, &l));
	OK(listen(a, 1));
	int b = OK(socket(AF_INET, SOCK_STREAM, 0));
	ERR(bind(b, (void *)&sa, sizeof sa), EADDRINUSE);
	ERR(bind(a, (void *)&sa, sizeof sa), EINVAL); /* already bound */
	return 0;
}
