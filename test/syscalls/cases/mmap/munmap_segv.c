/* touching an unmapped page kills the process with SIGSEGV (SEGV_MAPERR). */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		char *p = OKP(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		OK(munmap(p + 4096, 4096));
		p[0] = 1;
		((volatile char *)p)[4096] = 1;
		_exit(0);
	}
	WAIT_SIGNAL(pid, SIGSEGV);
	return 0;
}
