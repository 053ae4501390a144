/* a handler can change the interrupted context: skip a faulting ud2 by bumping RIP. */
#include "../check.h"
#include <ucontext.h>
static volatile int hits;
static void h(int s, siginfo_t *si, void *u) {
	(void)s; (void)si;
	ucontext_t *uc = u;
	uc->uc_mcontext.gregs[REG_RIP] += 2; /* ud2 is two bytes */
	hits++;
}
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGILL, &sa, NULL));
	__asm__ volatile("ud2");
	__asm__ volatile("ud2");
	CHECK_EQ(hits, 2);
	return 0;
}
