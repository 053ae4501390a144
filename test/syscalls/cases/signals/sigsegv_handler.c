/* a NULL dereference delivers SIGSEGV with si_addr 0 to a handler. */
#include "../check.h"
#include <setjmp.h>
static sigjmp_buf jb;
static volatile uintptr_t addr = 1;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; addr = (uintptr_t)si->si_addr; siglongjmp(jb, 1); }
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGSEGV, &sa, NULL));
	if (sigsetjmp(jb, 1) == 0) {
		*(volatile int *)0 = 1;
		fail("NULL store: got no signal want SIGSEGV");
	}
	CHECK_EQ(addr, 0);
	return 0;
}
