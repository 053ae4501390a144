/* without forking: a handler sees SEGV_MAPERR for an unmapped page. */
#include "../check.h"
#include <setjmp.h>
#include <sys/mman.h>
static sigjmp_buf jb;
static volatile int code;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; code = si->si_code; siglongjmp(jb, 1); }
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGSEGV, &sa, NULL));
	char *p = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	OK(munmap(p, 4096));
	if (sigsetjmp(jb, 1) == 0) {
		(void)*(volatile char *)p;
		fail("read of unmapped page: got no signal want SIGSEGV");
	}
	CHECK_EQ(code, SEGV_MAPERR);
	return 0;
}
