/* MAP_FIXED replaces part of an existing mapping; MAP_FIXED_NOREPLACE refuses with EEXIST. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	char *p = OKP(mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(p, 1, 3 * 4096);
	char *q = OKP(mmap(p + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	CHECK(q == p + 4096);
	CHECK_EQ(p[0], 1);
	CHECK_EQ(p[4096], 0);
	CHECK_EQ(p[8192], 1);
	ERR(mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	ERR(mmap(p + 1, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
	return 0;
}
