/* PROT_NONE memory faults on read; the child dies of SIGSEGV. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	char *p = OKP(mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	pid_t pid = OK(fork());
	if (pid == 0) {
		(void)*(volatile char *)p;
		_exit(0);
	}
	WAIT_SIGNAL(pid, SIGSEGV);
	ERR(mprotect(p, 4096, 0x80), EINVAL);
	return 0;
}
