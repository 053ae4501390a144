/* a child execs /bin/sh -c 'exit 7' and its status reaches the parent. */
#include "../check.h"
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		char *argv[] = {"sh", "-c", "exit 7", NULL};
		char *envp[] = {"PATH=/bin:/usr/bin", NULL};
		execve("/bin/sh", argv, envp);
		_exit(99);
	}
	WAIT_EXIT(pid, 7);
	return 0;
}
