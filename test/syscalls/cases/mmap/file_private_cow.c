/* stores through a MAP_PRIVATE file mapping do not reach the file. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "original");
	int fd = OK(open(p, O_RDWR));
	char *m = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	CHECK_MEM(m, "original", 8);
	memcpy(m, "CHANGED!", 8);
	char buf[9] = {0};
	CHECK_EQ(pread(fd, buf, 8, 0), 8);
	CHECK_STR(buf, "original");
	return 0;
}
