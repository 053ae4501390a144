/* mremap MREMAP_FIXED moves pages to a chosen address; the old range is unmapped. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	char *a = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	char *b = OKP(mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	strcpy(a, "moved");
	char *c = OKP(mremap(a, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, b));
	CHECK(c == b);
	CHECK_STR(c, "moved");
	unsigned char v;
	ERR(mincore(a, 4096, &v), ENOMEM);
	ERR(mremap(c, 4096, 8192, MREMAP_FIXED, a), EINVAL);
	return 0;
}
