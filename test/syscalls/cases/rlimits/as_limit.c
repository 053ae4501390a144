/* RLIMIT_AS makes a large mmap fail with ENOMEM. */
#include "../check.h"
#include <sys/mman.h>
#include <sys/resource.h>
int main(void) {
	struct rlimit rl = {1UL << 30, RLIM_INFINITY};
	OK(getrlimit(RLIMIT_AS, &rl));
	rl.rlim_cur = 1UL << 30;
	OK(setrlimit(RLIMIT_AS, &rl));
	ERR(mmap(NULL, 2UL << 30, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	void *p = OKP(mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	(void)p;
	return 0;
}
