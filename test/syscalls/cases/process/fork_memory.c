/* a forked child's memory is a copy: its writes don't reach the parent. */
#include "../check.h"
static int global = 1;
int main(void) {
	int *heap = malloc(sizeof *heap);
	*heap = 2;
	pid_t pid = OK(fork());
	if (pid == 0) {
		global = 100;
		*heap = 200;
		_exit(global == 100 && *heap == 200 ? 0 : 1);
	}
	WAIT_EXIT(pid, 0);
	CHECK_EQ(global, 1);
	CHECK_EQ(*heap, 2);
	return 0;
}
