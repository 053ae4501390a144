/* socket() with an unknown family is EAFNOSUPPORT; bad type EINVAL; bad protocol EPROTONOSUPPORT. */
#include "../check.h"
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
	ERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	ERR(socket(AF_INET, 77, 0), EINVAL);
	ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	int fd = OK(open("/dev/null", O_RDONLY));
	ERR(listen(fd, 1), ENOTSOCK);
	return 0;
}
