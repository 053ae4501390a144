/* poll: a pipe's write end is writable; its read end readable only with data. */
#include "../check.h"
#include <poll.h>
int main(void) {
	int p[2];
	OK(pipe(p));
	struct pollfd f[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
	CHECK_EQ(poll(f, 2, 0), 1);
	CHECK_EQ(f[0].revents, 0);
	CHECK_EQ(f[1].revents, POLLOUT);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(poll(f, 2, 0), 2);
	CHECK_EQ(f[0].revents, POLLIN);
	return 0;
}
