/* ARCH_GET_FS returns the thread pointer (what %fs:0 holds in glibc's TCB). */
#include "../check.h"
#include <asm/prctl.h>
#include <sys/syscall.h>
int main(void) {
	unsigned long fs = 0, self;
	OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	__asm__("mov %%fs:0, %0" : "=r"(self));
	CHECK(fs != 0);
	CHECK_EQ(fs, self);
	ERR(syscall(SYS_arch_prctl, 0x9999, &fs), EINVAL);
	return 0;
}
