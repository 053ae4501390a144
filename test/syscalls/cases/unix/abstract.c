/* abstract-namespace unix sockets need no file; getsockname returns the name. */
#include "../check.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
int main(void) {
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int n = snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "stockade-compat-%d", getpid());
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
	int l = OK(socket(AF_UNIX, SOCK_STREAM, 0));
	OK(bind(l, (void *)&a, len));
	OK(listen(l, 1));
	struct sockaddr_un got;
	socklen_t gl = sizeof got;
	OK(getsockname(l, (void *)&got, &gl));
	CHECK_EQ(gl, len);
	CHECK_MEM(got.sun_path, a.sun_path, n + 1);
	int c = OK(socket(AF_UNIX, SOCK_STREAM, 0));
	OK(connect(c, (void *)&a, len));
	OK(close(l));
	int c2 = OK(socket(AF_UNIX, SOCK_STREAM, 0));
	ERR(connect(c2, (void *)&a, len), ECONNREFUSED);
	return 0;
}
