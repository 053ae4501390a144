/* clone(CLONE_VM) runs a function on a new stack sharing memory; the parent waits via SIGCHLD. */
#include "../check.h"
#include <sched.h>
static volatile int shared;
static int fn(void *arg) { shared = *(int *)arg; return 5; }
int main(void) {
	char *stack = malloc(65536);
	int v = 99;
	pid_t pid = OK(clone(fn, stack + 65536, CLONE_VM | SIGCHLD, &v));
	WAIT_EXIT(pid, 5);
	CHECK_EQ(shared, 99);
	return 0;
}
