/* clone3 with only exit_signal=SIGCHLD behaves like fork. */
#include "../check.h"
#include <linux/sched.h>
#include <sys/syscall.h>
int main(void) {
	struct clone_args ca = {.exit_signal = SIGCHLD};
	long pid = OK(syscall(SYS_clone3, &ca, sizeof ca));
	if (pid == 0)
		_exit(3);
	WAIT_EXIT(pid, 3);
	ERR(syscall(SYS_clone3, &ca, 8), EINVAL);
	return 0;
}
