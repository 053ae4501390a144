/* a blocking read waits for a writer that writes later. */
#include "../check.h"
int main(void) {
	int p[2];
	OK(pipe(p));
	pid_t pid = OK(fork());
	if (pid == 0) {
		usleep(50000);
		write(p[1], "late", 4);
		_exit(0);
	}
	close(p[1]);
	char b[5] = {0};
	CHECK_EQ(full_read(p[0], b, 4), 4);
	CHECK_STR(b, "late");
	WAIT_EXIT(pid, 0);
	return 0;
}
