/* MADV_DONTNEED on private anonymous memory makes it read back as zeros. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	char *p = OKP(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(p, 9, 8192);
	OK(madvise(p, 4096, MADV_DONTNEED));
	CHECK_EQ(p[0], 0);
	CHECK_EQ(p[4095], 0);
	CHECK_EQ(p[4096], 9);
	ERR(madvise(p + 1, 4096, MADV_DONTNEED), EINVAL);
	ERR(madvise(p, 4096, 12345), EINVAL);
	OK(madvise(p, 8192, MADV_WILLNEED));
	return 0;
}
