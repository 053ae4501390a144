/* WNOHANG returns 0 while a child runs; wait with no children is ECHILD. */
#include "../check.h"
int main(void) {
	int p[2];
	OK(pipe(p));
	pid_t pid = OK(fork());
	if (pid == 0) {
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
	CHECK_EQ(write(p[1], "x", 1), 1);
	WAIT_EXIT(pid, 0);
	ERR(waitpid(-1, &st, 0), ECHILD);
	ERR(waitpid(pid, &st, WNOHANG), ECHILD);
	return 0;
}
