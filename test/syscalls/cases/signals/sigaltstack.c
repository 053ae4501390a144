/* a handler with SA_ONSTACK runs on the alternate stack; SS_ONSTACK is reported inside it. */
#include "../check.h"
static char altstack[65536];
static volatile int on_alt, flags_inside;
static void h(int s) {
	(void)s;
	char here;
	on_alt = (&here >= altstack && &here < altstack + sizeof altstack);
	stack_t cur;
	sigaltstack(NULL, &cur);
	flags_inside = cur.ss_flags;
}
int main(void) {
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	OK(sigaltstack(&ss, NULL));
	struct sigaction sa = {.sa_handler = h, .sa_flags = SA_ONSTACK};
	OK(sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	CHECK_EQ(on_alt, 1);
	CHECK(flags_inside & SS_ONSTACK);
	stack_t small = {.ss_sp = altstack, .ss_size = 100};
	ERR(sigaltstack(&small, NULL), ENOMEM);
	return 0;
}
