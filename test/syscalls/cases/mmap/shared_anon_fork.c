/* MAP_SHARED|MAP_ANONYMOUS memory is shared with a forked child; private memory is not. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	int *sh = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	int *pr = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	pid_t pid = OK(fork());
	if (pid == 0) {
		*sh = 42;
		*pr = 42;
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	CHECK_EQ(*sh, 42);
	CHECK_EQ(*pr, 0);
	return 0;
}
