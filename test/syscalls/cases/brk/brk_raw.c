/* the raw brk syscall returns the current break on a bad request, not an error. */
#include "../check.h"
#include <sys/syscall.h>
int main(void) {
	long cur = syscall(SYS_brk, 0);
	CHECK(cur > 0);
	CHECK_EQ(syscall(SYS_brk, 1), cur); /* below the start: refused, returns current */
	long want = cur + 8192;
	CHECK_EQ(syscall(SYS_brk, want), want);
	*(volatile char *)(want - 1) = 1;
	CHECK_EQ(syscall(SYS_brk, cur), cur);
	return 0;
}
