/* a read-only private map of a host file matches read(); PROT_WRITE|MAP_SHARED on an O_RDONLY fd is EACCES. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	int fd = OK(open("/etc/passwd", O_RDONLY));
	char buf[64];
	CHECK_EQ(read(fd, buf, 64), 64);
	char *m = OKP(mmap(NULL, 64, PROT_READ, MAP_PRIVATE, fd, 0));
	CHECK_MEM(m, buf, 64);
	ERR(mmap(NULL, 64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	return 0;
}
