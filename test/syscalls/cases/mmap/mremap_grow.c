/* mremap with MREMAP_MAYMOVE grows a mapping and keeps its contents. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	char *p = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	strcpy(p, "keep me");
	char *q = OKP(mremap(p, 4096, 5 * 4096, MREMAP_MAYMOVE));
	CHECK_STR(q, "keep me");
	q[5 * 4096 - 1] = 1;
	CHECK_EQ(q[4096], 0);
	char *s = OKP(mremap(q, 5 * 4096, 4096, 0));
	CHECK(s == q);
	CHECK_STR(s, "keep me");
	return 0;
}
