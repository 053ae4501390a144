/* anonymous private memory is zeroed, writable and page aligned. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	long pg = sysconf(_SC_PAGESIZE);
	CHECK_EQ(pg, 4096);
	char *p = OKP(mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK_EQ((uintptr_t)p % pg, 0);
	for (long i = 0; i < 3 * pg; i++)
		if (p[i] != 0)
			fail("byte %ld: got %d want 0", i, p[i]);
	memset(p, 7, 3 * pg);
	CHECK_EQ(p[3 * pg - 1], 7);
	OK(munmap(p, 3 * pg));
	return 0;
}
