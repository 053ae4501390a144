/* waitid fills siginfo: CLD_EXITED, the pid and the status; WNOWAIT leaves the zombie. */
#include "../check.h"
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0)
		_exit(9);
	siginfo_t si = {0};
	OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_status, 9);
	CHECK_EQ(si.si_signo, SIGCHLD);
	memset(&si, 0, sizeof si);
	OK(waitid(P_ALL, 0, &si, WEXITED));
	CHECK_EQ(si.si_pid, pid);
	ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	ERR(waitid(P_ALL, 0, &si, 0), EINVAL);
	return 0;
}
