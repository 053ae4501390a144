/* soft above hard is EINVAL; raising the hard limit unprivileged is EPERM (checked as uid 65534 when root). */
#include "../check.h"
#include <sys/resource.h>
int main(void) {
	struct rlimit rl;
	OK(getrlimit(RLIMIT_NOFILE, &rl));
	struct rlimit bad = {rl.rlim_max, rl.rlim_max - 1};
	ERR(setrlimit(RLIMIT_NOFILE, &bad), EINVAL);
	pid_t pid = OK(fork());
	if (pid == 0) {
		if (geteuid() == 0)
			OK(setresuid(65534, 65534, 65534));
		struct rlimit low = {64, 64};
		OK(setrlimit(RLIMIT_NOFILE, &low));
		struct rlimit up = {64, 128};
		ERR(setrlimit(RLIMIT_NOFILE, &up), EPERM);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
