/* getrandom fills the buffer; two calls differ; bad flags are EINVAL. */
#include "../check.h"
#include <sys/random.h>
int main(void) {
	unsigned char a[64], b[64];
	CHECK_EQ(getrandom(a, sizeof a, 0), 64);
	CHECK_EQ(getrandom(b, sizeof b, GRND_NONBLOCK), 64);
	CHECK(memcmp(a, b, 64) != 0);
	int zeros = 0;
	for (int i = 0; i < 64; i++)
		zeros += a[i] == 0;
	CHECK(zeros < 16);
	ERR(getrandom(a, 1, 0x1000), EINVAL);
	void *volatile bad = (void *)8;
	ERR(getrandom(bad, 16, 0), EFAULT);
	return 0;
}
