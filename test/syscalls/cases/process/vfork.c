/* vfork suspends the parent until the child execs or exits. */
#include "../check.h"
int main(void) {
	volatile int marker = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		marker = 1; /* shared memory with the parent until _exit */
		_exit(7);
	}
	CHECK(pid > 0);
	CHECK_EQ(marker, 1);
	WAIT_EXIT(pid, 7);
	return 0;
}
