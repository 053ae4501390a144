/* /tmp is a sticky, world-writable directory; /etc/shadow is not world-readable. */
#include "../check.h"
int main(void) {
	struct stat st;
	OK(stat("/tmp", &st));
	CHECK_EQ(st.st_mode & 07777, 01777);
	OK(stat("/etc/shadow", &st));
	CHECK_EQ(st.st_mode & 04, 0);
	return 0;
}
