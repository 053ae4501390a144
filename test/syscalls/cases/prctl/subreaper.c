/* with PR_SET_CHILD_SUBREAPER an orphaned grandchild is reparented to us and can be waited for. */
#include "../check.h"
#include <sys/prctl.h>
int main(void) {
	OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
	int v = 0;
	OK(prctl(PR_GET_CHILD_SUBREAPER, &v));
	CHECK_EQ(v, 1);
	int go[2], info[2];
	OK(pipe(go));
	OK(pipe(info));
	pid_t mid = OK(fork());
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0) {
			char c;
			read(go[0], &c, 1);
			_exit(23);
		}
		write(info[1], &g, sizeof g);
		_exit(0);
	}
	WAIT_EXIT(mid, 0);
	pid_t g;
	CHECK_EQ(read(info[0], &g, sizeof g), sizeof g);
	CHECK_EQ(write(go[1], "x", 1), 1);
	WAIT_EXIT(g, 23);
	return 0;
}
