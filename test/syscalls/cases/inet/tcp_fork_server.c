/* a forked child serves one TCP connection; the parent sends 256 KiB and reads it back. */
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
	int l = OK(socket(AF_INET, SOCK_STREAM, 0));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	OK(bind(l, (void *)&a, sizeof a));
	socklen_t al = sizeof a;
	OK(getsockname(l, (void *)&a, &al));
	OK(listen(l, 1));
	pid_t pid = OK(fork());
	if (pid == 0) {
		int s = accept(l, NULL, NULL);
		char b[8192];
		ssize_t n;
		while ((n = read(s, b, sizeof b)) > 0)
			if (write(s, b, n) != n)
				_exit(2);
		_exit(n == 0 ? 0 : 3);
	}
	close(l);
	int c = OK(socket(AF_INET, SOCK_STREAM, 0));
	OK(connect(c, (void *)&a, sizeof a));
	static char out[1 << 18], in[1 << 18];
	for (size_t i = 0; i < sizeof out; i++)
		out[i] = (char)(i * 7);
	size_t sent = 0, got = 0;
	while (got < sizeof in) {
		if (sent < sizeof out) {
			ssize_t n = OK(write(c, out + sent, sent + 16384 <= sizeof out ? 16384 : sizeof out - sent));
			sent += n;
		}
		while (got < sent) {
			ssize_t n = OK(read(c, in + got, sent - got));
			got += n;
			if (n == 0)
				fail("early EOF: got %zu bytes want %zu", got, sizeof in);
		}
	}
	CHECK_MEM(in, out, sizeof in);
	OK(shutdown(c, SHUT_WR));
	WAIT_EXIT(pid, 0);
	return 0;
}
