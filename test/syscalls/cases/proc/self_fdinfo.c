/* /proc/self/fdinfo/N shows the offset and flags of the descriptor. */
#include "../check.h"
int main(void) {
	int fd = OK(open("/etc/passwd", O_RDONLY | O_CLOEXEC));
	OK(lseek(fd, 7, SEEK_SET));
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fdinfo/%d", fd);
	FILE *f = OKP(fopen(p, "r"));
	long pos = -1;
	unsigned flags = 0;
	char line[128];
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "pos: %ld", &pos);
		sscanf(line, "flags: %o", &flags);
	}
	CHECK_EQ(pos, 7);
	CHECK(flags & O_CLOEXEC);
	return 0;
}
