/* /proc/<pid> of ourselves is a directory; of a reaped child it is gone. */
#include "../check.h"
int main(void) {
	char p[64];
	struct stat st;
	snprintf(p, sizeof p, "/proc/%d/status", getpid());
	OK(stat(p, &st));
	pid_t pid = OK(fork());
	if (pid == 0)
		_exit(0);
	WAIT_EXIT(pid, 0);
	snprintf(p, sizeof p, "/proc/%d", pid);
	ERR(stat(p, &st), ENOENT);
	return 0;
}
