/* mlock/munlock of a small anonymous region succeed. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	char *p = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	OK(mlock(p, 4096));
	p[0] = 1;
	OK(munlock(p, 4096));
	ERR(mlock2(p, 4096, 0x100), EINVAL);
	return 0;
}
