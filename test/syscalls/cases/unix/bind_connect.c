/* a filesystem-path unix socket: bind, listen, connect, accept and exchange data. */
#include "../check.h"
#include <sys/socket.h>
#include <sys/un.h>
int main(void) {
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "%s", scratch_file("sock"));
	int l = OK(socket(AF_UNIX, SOCK_STREAM, 0));
	OK(bind(l, (void *)&a, sizeof a));
	struct stat st;
	OK(stat(a.sun_path, &st));
	CHECK(S_ISSOCK(st.st_mode));
	ERR(bind(OK(socket(AF_UNIX, SOCK_STREAM, 0)), (void *)&a, sizeof a), EADDRINUSE);
	OK(listen(l, 4));
	int c = OK(socket(AF_UNIX, SOCK_STREAM, 0));
	OK(connect(c, (void *)&a, sizeof a));
	int s = OK(accept(l, NULL, NULL));
	CHECK_EQ(write(c, "req", 3), 3);
	char buf[4] = {0};
	CHECK_EQ(read(s, buf, 3), 3);
	CHECK_STR(buf, "req");
	return 0;
}
