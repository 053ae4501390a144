/* stat errors: ENOENT, ENOTDIR, EFAULT. */
#include "../check.h"
#include <sys/syscall.h>
int main(void) {
	struct stat st;
	ERR(stat("/nonexistent-stockade", &st), ENOENT);
	ERR(stat("/etc/passwd/", &st), ENOTDIR);
	ERR(syscall(SYS_stat, "/etc/passwd", (void *)8), EFAULT);
	ERR(syscall(SYS_stat, (void *)8, &st), EFAULT);
	return 0;
}
