/* in canonical mode the slave reads a whole line written to the master, with echo back to the master. */
#include "../check.h"
#include <termios.h>
int main(void) {
	int m = OK(posix_openpt(O_RDWR | O_NOCTTY));
	OK(unlockpt(m));
	int s = OK(open(ptsname(m), O_RDWR | O_NOCTTY));
	CHECK_EQ(write(m, "hello\n", 6), 6);
	char buf[16] = {0};
	CHECK_EQ(read(s, buf, sizeof buf), 6);
	CHECK_STR(buf, "hello\n");
	memset(buf, 0, sizeof buf);
	CHECK(read(m, buf, sizeof buf) >= 5); /* echo: "hello\r\n" */
	CHECK(!strncmp(buf, "hello", 5));
	return 0;
}
