/* openat2 RESOLVE_BENEATH refuses escapes with EXDEV; unknown flags are EINVAL. */
#include "../check.h"
#include <linux/openat2.h>
#include <sys/syscall.h>
int main(void) {
	int d = OK(open("/etc", O_RDONLY | O_DIRECTORY));
	struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_BENEATH};
	int fd = OK(syscall(SYS_openat2, d, "passwd", &how, sizeof how));
	OK(close(fd));
	ERR(syscall(SYS_openat2, d, "../etc/passwd", &how, sizeof how), EXDEV);
	ERR(syscall(SYS_openat2, d, "/etc/passwd", &how, sizeof how), EXDEV);
	struct open_how bad = {.flags = O_RDONLY, .resolve = 1ULL << 40};
	ERR(syscall(SYS_openat2, d, "passwd", &bad, sizeof bad), EINVAL);
	return 0;
}
