/* /proc/self/auxv matches getauxval for AT_PAGESZ and AT_ENTRY. */
#include "../check.h"
#include <sys/auxv.h>
int main(void) {
	int fd = OK(open("/proc/self/auxv", O_RDONLY));
	unsigned long v[256];
	ssize_t n = OK(read(fd, v, sizeof v));
	int seen = 0;
	for (ssize_t i = 0; i + 1 < n / 8; i += 2) {
		if (v[i] == AT_PAGESZ) { CHECK_EQ(v[i + 1], 4096); seen |= 1; }
		if (v[i] == AT_ENTRY) { CHECK_EQ(v[i + 1], getauxval(AT_ENTRY)); seen |= 2; }
	}
	CHECK_EQ(seen, 3);
	return 0;
}
