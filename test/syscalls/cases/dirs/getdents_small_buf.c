/* getdents64 with a buffer too small for one entry is EINVAL; on a file ENOTDIR. */
#include "../check.h"
#include <sys/syscall.h>
int main(void) {
	int fd = OK(open("/etc", O_RDONLY | O_DIRECTORY));
	char buf[8];
	ERR(syscall(SYS_getdents64, fd, buf, sizeof buf), EINVAL);
	int f = OK(open("/etc/passwd", O_RDONLY));
	char big[1024];
	ERR(syscall(SYS_getdents64, f, big, sizeof big), ENOTDIR);
	return 0;
}
