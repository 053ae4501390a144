/* a 1 MiB getrandom returns some bytes; GRND_RANDOM|GRND_NONBLOCK works. */
#include "../check.h"
#include <sys/random.h>
int main(void) {
	static unsigned char big[1 << 20];
	ssize_t n = OK(getrandom(big, sizeof big, 0));
	CHECK(n > 0);
	unsigned char s[16];
	CHECK(OK(getrandom(s, sizeof s, GRND_RANDOM | GRND_NONBLOCK)) > 0);
	return 0;
}
