/* O_DIRECT on a scratch file: either refused with EINVAL at open, or an
 * aligned write/read round trip works and F_GETFL reports O_DIRECT. */
#include "../check.h"
#include <stdlib.h>
int main(void) {
	errno = 0;
	int fd = open(scratch_file("f"), O_RDWR | O_CREAT | O_DIRECT, 0644);
	if (fd < 0) {
		if (errno != EINVAL)
			fail("open O_DIRECT: got %s want success or EINVAL", errname(errno));
		return 0;
	}
	CHECK(fcntl(fd, F_GETFL) & O_DIRECT);
	void *buf, *back;
	CHECK_EQ(posix_memalign(&buf, 4096, 4096), 0);
	CHECK_EQ(posix_memalign(&back, 4096, 4096), 0);
	memset(buf, 'q', 4096);
	CHECK_EQ(pwrite(fd, buf, 4096, 0), 4096);
	CHECK_EQ(pread(fd, back, 4096, 0), 4096);
	CHECK_MEM(back, buf, 4096);
	return 0;
}
