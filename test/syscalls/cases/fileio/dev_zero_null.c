/* /dev/zero reads zeros, /dev/null reads EOF and swallows writes. */
#include "../check.h"
int main(void) {
	char b[64];
	memset(b, 'x', sizeof b);
	int z = OK(open("/dev/zero", O_RDONLY));
	CHECK_EQ(read(z, b, sizeof b), sizeof b);
	for (size_t i = 0; i < sizeof b; i++)
		CHECK_EQ(b[i], 0);
	int n = OK(open("/dev/null", O_RDWR));
	CHECK_EQ(read(n, b, sizeof b), 0);
	CHECK_EQ(write(n, b, sizeof b), sizeof b);
	return 0;
}
