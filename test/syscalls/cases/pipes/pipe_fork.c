/* a parent and a forked child talk over two pipes. */
#include "../check.h"
int main(void) {
	int up[2], down[2];
	OK(pipe(up));
	OK(pipe(down));
	pid_t pid = OK(fork());
	if (pid == 0) {
		char b[5] = {0};
		CHECK_EQ(full_read(down[0], b, 4), 4);
		CHECK_STR(b, "ping");
		CHECK_EQ(write(up[1], "pong", 4), 4);
		_exit(0);
	}
	CHECK_EQ(write(down[1], "ping", 4), 4);
	char b[5] = {0};
	CHECK_EQ(full_read(up[0], b, 4), 4);
	CHECK_STR(b, "pong");
	WAIT_EXIT(pid, 0);
	return 0;
}
