/* a stack overflow's SIGSEGV can be handled on an alternate stack. */
#include "../check.h"
#include <sys/resource.h>
static char altstack[65536];
static void h(int s) { (void)s; _exit(0); }
static int recurse(volatile char *p, long depth) {
	volatile char buf[4096];
	buf[0] = *p;
	if (depth > (1L << 40))
		return 0;
	return recurse(buf, depth + 1) + buf[1];
}
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		struct rlimit rl = {1 << 20, 1 << 20};
		setrlimit(RLIMIT_STACK, &rl);
		stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
		OK(sigaltstack(&ss, NULL));
		struct sigaction sa = {.sa_handler = h, .sa_flags = SA_ONSTACK};
		OK(sigaction(SIGSEGV, &sa, NULL));
		char c = 0;
		recurse(&c, 0);
		_exit(2);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
