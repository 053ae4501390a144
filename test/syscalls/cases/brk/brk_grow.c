/* sbrk grows the heap; the new memory is zeroed and writable; shrinking works. */
#include "../check.h"
int main(void) {
	char *start = sbrk(0);
	CHECK(start != (void *)-1);
	char *old = OKP(sbrk(65536));
	CHECK(old == start);
	CHECK(sbrk(0) == start + 65536);
	for (int i = 0; i < 65536; i += 4096)
		CHECK_EQ(old[i], 0);
	memset(old, 5, 65536);
	OKP(sbrk(-32768));
	CHECK(sbrk(0) == start + 32768);
	CHECK_EQ(old[100], 5);
	return 0;
}
