/* by default (OPOST|ONLCR) a newline written to the slave reaches the master as CR LF. */
#include "../check.h"
int main(void) {
	int m = OK(posix_openpt(O_RDWR | O_NOCTTY));
	OK(unlockpt(m));
	int s = OK(open(ptsname(m), O_RDWR | O_NOCTTY));
	CHECK_EQ(write(s, "hi\n", 3), 3);
	char buf[8] = {0};
	CHECK_EQ(read(m, buf, sizeof buf), 4);
	CHECK_STR(buf, "hi\r\n");
	return 0;
}
