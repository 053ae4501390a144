/* fork returns the child's pid to the parent and 0 to the child; wait collects its status. */
#include "../check.h"
int main(void) {
	pid_t parent = getpid();
	pid_t pid = OK(fork());
	if (pid == 0) {
		if (getppid() != parent)
			_exit(10);
		if (getpid() == parent)
			_exit(11);
		_exit(42);
	}
	CHECK(pid != parent);
	int st;
	CHECK_EQ(wait(&st), pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 42);
	return 0;
}
