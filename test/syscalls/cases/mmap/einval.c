/* mmap argument errors: zero length, unaligned offset, no sharing type; bad fd EBADF. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	int fd = OK(open("/etc/passwd", O_RDONLY));
	ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
	ERR(mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
	ERR(munmap((void *)4097, 4096), EINVAL);
	return 0;
}
