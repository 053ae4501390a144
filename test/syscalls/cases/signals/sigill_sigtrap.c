/* ud2 raises SIGILL (ILL_ILLOPN) and int3 raises SIGTRAP. */
#include "../check.h"
#include <setjmp.h>
static sigjmp_buf jb;
static volatile int sig, code;
static void h(int s, siginfo_t *si, void *u) { (void)u; sig = s; code = si->si_code; siglongjmp(jb, 1); }
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGILL, &sa, NULL));
	OK(sigaction(SIGTRAP, &sa, NULL));
	if (sigsetjmp(jb, 1) == 0)
		__asm__ volatile("ud2");
	CHECK_EQ(sig, SIGILL);
	CHECK_EQ(code, ILL_ILLOPN);
	if (sigsetjmp(jb, 1) == 0)
		__asm__ volatile("int3");
	CHECK_EQ(sig, SIGTRAP);
	return 0;
}
