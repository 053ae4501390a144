/* open returns the lowest free descriptor. */
#include "../check.h"
int main(void) {
	int a = OK(open("/dev/null", O_RDONLY));
	int b = OK(open("/dev/null", O_RDONLY));
	int c = OK(open("/dev/null", O_RDONLY));
	CHECK_EQ(b, a + 1);
	CHECK_EQ(c, a + 2);
	OK(close(b));
	CHECK_EQ(open("/dev/null", O_RDONLY), b);
	return 0;
}
