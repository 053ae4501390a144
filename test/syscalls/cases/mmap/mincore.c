/* mincore: a touched anonymous page is resident; an unmapped range is ENOMEM. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	char *p = OKP(mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	p[0] = 1;
	unsigned char v[2];
	OK(mincore(p, 2 * 4096, v));
	CHECK_EQ(v[0] & 1, 1);
	OK(munmap(p, 2 * 4096));
	ERR(mincore(p, 4096, v), ENOMEM);
	ERR(mincore(p + 1, 4096, v), EINVAL);
	return 0;
}
