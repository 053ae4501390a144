/* a child can setpgid into its own group and setsid; the leader cannot setsid again. */
#include "../check.h"
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		OK(setpgid(0, 0));
		CHECK_EQ(getpgid(0), getpid());
		ERR(setsid(), EPERM); /* already a group leader */
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	pid = OK(fork());
	if (pid == 0) {
		pid_t s = OK(setsid());
		CHECK_EQ(s, getpid());
		CHECK_EQ(getsid(0), getpid());
		CHECK_EQ(getpgrp(), getpid());
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
