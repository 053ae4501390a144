/* exit codes are truncated to 8 bits. */
#include "../check.h"
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0)
		_exit(256 + 3);
	WAIT_EXIT(pid, 3);
	return 0;
}
