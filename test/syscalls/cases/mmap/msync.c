/* msync MS_SYNC writes a shared mapping back; bad flags are EINVAL. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	OK(ftruncate(fd, 4096));
	char *m = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	memcpy(m, "synced", 6);
	OK(msync(m, 4096, MS_SYNC));
	char buf[7] = {0};
	CHECK_EQ(pread(fd, buf, 6, 0), 6);
	CHECK_STR(buf, "synced");
	ERR(msync(m, 4096, MS_SYNC | MS_ASYNC), EINVAL);
	ERR(msync(m + 1, 4096, MS_SYNC), EINVAL);
	return 0;
}
