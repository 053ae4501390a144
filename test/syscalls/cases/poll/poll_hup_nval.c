/* poll reports POLLHUP when the writer closes and POLLNVAL for a bad fd. */
#include "../check.h"
#include <poll.h>
int main(void) {
	int p[2];
	OK(pipe(p));
	OK(close(p[1]));
	struct pollfd f[3] = {{p[0], POLLIN, 0}, {999, POLLIN, 0}, {-1, POLLIN, 0}};
	CHECK_EQ(poll(f, 3, 0), 2);
	CHECK(f[0].revents & POLLHUP);
	CHECK_EQ(f[1].revents, POLLNVAL);
	CHECK_EQ(f[2].revents, 0);
	return 0;
}
