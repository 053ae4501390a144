/* integer division by zero raises SIGFPE with FPE_INTDIV. */
#include "../check.h"
#include <setjmp.h>
static sigjmp_buf jb;
static volatile int code;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; code = si->si_code; siglongjmp(jb, 1); }
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGFPE, &sa, NULL));
	volatile int zero = 0, x = 10;
	if (sigsetjmp(jb, 1) == 0) {
		x = x / zero;
		fail("divide by zero: got no signal want SIGFPE");
	}
	CHECK_EQ(code, FPE_INTDIV);
	return 0;
}
