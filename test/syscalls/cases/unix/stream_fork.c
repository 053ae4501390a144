/* a forked child echoes over a socketpair; closing gives the parent EOF. */
#include "../check.h"
#include <sys/socket.h>
int main(void) {
	int sv[2];
	OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid_t pid = OK(fork());
	if (pid == 0) {
		close(sv[0]);
		char b[64];
		ssize_t n;
		while ((n = read(sv[1], b, sizeof b)) > 0)
			write(sv[1], b, n);
		_exit(0);
	}
	close(sv[1]);
	CHECK_EQ(write(sv[0], "echo", 4), 4);
	char buf[5] = {0};
	CHECK_EQ(full_read(sv[0], buf, 4), 4);
	CHECK_STR(buf, "echo");
	OK(shutdown(sv[0], SHUT_WR));
	CHECK_EQ(read(sv[0], buf, 4), 0);
	WAIT_EXIT(pid, 0);
	return 0;
}
