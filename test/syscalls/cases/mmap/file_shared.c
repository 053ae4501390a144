/* stores through a MAP_SHARED file mapping are visible to read(), and vice versa. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	int fd = OK(open(scratch_file("f"), O_RDWR | O_CREAT, 0644));
	OK(ftruncate(fd, 4096));
	char *m = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	memcpy(m + 100, "shared", 6);
	char buf[7] = {0};
	CHECK_EQ(pread(fd, buf, 6, 100), 6);
	CHECK_STR(buf, "shared");
	CHECK_EQ(pwrite(fd, "W", 1, 0), 1);
	CHECK_EQ(m[0], 'W');
	return 0;
}
