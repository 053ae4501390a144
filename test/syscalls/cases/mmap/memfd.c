/* memfd_create gives a file that can be sized, written, and mapped shared. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	int fd = OK(memfd_create("compat", MFD_CLOEXEC));
	OK(ftruncate(fd, 4096));
	char *m = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	m[0] = 'M';
	char c;
	CHECK_EQ(pread(fd, &c, 1, 0), 1);
	CHECK_EQ(c, 'M');
	char link[64];
	char proc[32];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t n = OK(readlink(proc, link, sizeof link - 1));
	link[n] = 0;
	CHECK_STR(link, "/memfd:compat (deleted)");
	return 0;
}
