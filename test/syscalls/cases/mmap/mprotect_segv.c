/* a write to a PROT_READ page raises SIGSEGV with si_code SEGV_ACCERR at that address. */
#include "../check.h"
#include <setjmp.h>
#include <sys/mman.h>
static sigjmp_buf jb;
static volatile void *addr;
static volatile int code;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; addr = si->si_addr; code = si->si_code; siglongjmp(jb, 1); }
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGSEGV, &sa, NULL));
	char *p = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	p[0] = 1;
	OK(mprotect(p, 4096, PROT_READ));
	CHECK_EQ(p[0], 1);
	if (sigsetjmp(jb, 1) == 0) {
		((volatile char *)p)[10] = 2;
		fail("write to PROT_READ page: got no signal want SIGSEGV");
	}
	CHECK(addr == p + 10);
	CHECK_EQ(code, SEGV_ACCERR);
	OK(mprotect(p, 4096, PROT_READ | PROT_WRITE));
	p[10] = 3;
	CHECK_EQ(p[10], 3);
	return 0;
}
