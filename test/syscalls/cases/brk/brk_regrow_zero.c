/* memory released by shrinking brk reads back as zeros when the heap grows again. */
#include "../check.h"
#include <sys/syscall.h>
int main(void) {
	long cur = syscall(SYS_brk, 0);
	long top = cur + 16384;
	CHECK_EQ(syscall(SYS_brk, top), top);
	memset((char *)cur, 0x55, 16384);
	CHECK_EQ(syscall(SYS_brk, cur), cur);
	CHECK_EQ(syscall(SYS_brk, top), top);
	CHECK_EQ(*(volatile char *)(cur + 8192), 0);
	return 0;
}
