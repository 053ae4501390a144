/* cfmakeraw: bytes pass through immediately, without echo; slave output arrives at the master with no CR added. */
#include "../check.h"
#include <poll.h>
#include <termios.h>
int main(void) {
	int m = OK(posix_openpt(O_RDWR | O_NOCTTY));
	OK(unlockpt(m));
	int s = OK(open(ptsname(m), O_RDWR | O_NOCTTY));
	struct termios t;
	OK(tcgetattr(s, &t));
	cfmakeraw(&t);
	OK(tcsetattr(s, TCSANOW, &t));
	CHECK_EQ(write(m, "ab", 2), 2);
	char buf[8] = {0};
	CHECK_EQ(read(s, buf, sizeof buf), 2);
	CHECK_STR(buf, "ab");
	struct pollfd pf = {m, POLLIN, 0};
	CHECK_EQ(poll(&pf, 1, 50), 0); /* no echo */
	CHECK_EQ(write(s, "x\n", 2), 2);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(m, buf, sizeof buf), 2);
	CHECK_STR(buf, "x\n");
	return 0;
}
