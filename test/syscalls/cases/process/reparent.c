/* an orphaned grandchild is reparented away from its dead parent. */
#include "../check.h"
int main(void) {
	int p[2];
	OK(pipe(p));
	pid_t pid = OK(fork());
	if (pid == 0) {
		pid_t mid = getpid();
		pid_t g = fork();
		if (g == 0) {
			while (getppid() == mid)
				usleep(1000);
			write(p[1], "r", 1);
			_exit(0);
		}
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	close(p[1]);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	return 0;
}
