/* PR_SET_PDEATHSIG/PR_GET_PDEATHSIG round-trip; fork clears it in the child; bad signal EINVAL. */
#include "../check.h"
#include <sys/prctl.h>
int main(void) {
	OK(prctl(PR_SET_PDEATHSIG, SIGUSR1));
	int s = 0;
	OK(prctl(PR_GET_PDEATHSIG, &s));
	CHECK_EQ(s, SIGUSR1);
	pid_t pid = OK(fork());
	if (pid == 0) {
		int c = -1;
		prctl(PR_GET_PDEATHSIG, &c);
		_exit(c == 0 ? 0 : 1);
	}
	WAIT_EXIT(pid, 0);
	ERR(prctl(PR_SET_PDEATHSIG, 999), EINVAL);
	return 0;
}
