/* TIOCSWINSZ on the master is read back by TIOCGWINSZ on the slave. */
#include "../check.h"
#include <sys/ioctl.h>
int main(void) {
	int m = OK(posix_openpt(O_RDWR | O_NOCTTY));
	OK(unlockpt(m));
	int s = OK(open(ptsname(m), O_RDWR | O_NOCTTY));
	struct winsize w = {.ws_row = 33, .ws_col = 101};
	OK(ioctl(m, TIOCSWINSZ, &w));
	struct winsize g = {0};
	OK(ioctl(s, TIOCGWINSZ, &g));
	CHECK_EQ(g.ws_row, 33);
	CHECK_EQ(g.ws_col, 101);
	return 0;
}
