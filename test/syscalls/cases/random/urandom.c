/* /dev/urandom and /dev/random read random bytes. */
#include "../check.h"
int main(void) {
	unsigned char a[32], b[32];
	int fd = OK(open("/dev/urandom", O_RDONLY));
	CHECK_EQ(read(fd, a, 32), 32);
	CHECK_EQ(read(fd, b, 32), 32);
	CHECK(memcmp(a, b, 32) != 0);
	int r = OK(open("/dev/random", O_RDONLY));
	CHECK_EQ(read(r, a, 16), 16);
	return 0;
}
