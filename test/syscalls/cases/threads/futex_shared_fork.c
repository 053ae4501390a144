/* a shared (non-private) futex in MAP_SHARED memory wakes a waiter in another process. */
#include "../check.h"
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
int main(void) {
	int *w = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	pid_t pid = OK(fork());
	if (pid == 0) {
		usleep(20000);
		__atomic_store_n(w, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
		_exit(0);
	}
	while (__atomic_load_n(w, __ATOMIC_SEQ_CST) == 0)
		syscall(SYS_futex, w, FUTEX_WAIT, 0, NULL, NULL, 0);
	WAIT_EXIT(pid, 0);
	return 0;
}
