/* getcwd with a too-small buffer is ERANGE; the syscall returns the length. */
#include "../check.h"
#include <sys/syscall.h>
int main(void) {
	OK(chdir("/usr/bin"));
	char buf[64];
	ERR(syscall(SYS_getcwd, buf, 4), ERANGE);
	CHECK_EQ(syscall(SYS_getcwd, buf, sizeof buf), 9); /* "/usr/bin" + NUL */
	CHECK_STR(buf, "/usr/bin");
	return 0;
}
