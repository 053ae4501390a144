/* statfs identifies procfs and tmpfs by magic number. */
#include "../check.h"
#include <sys/vfs.h>
#include <linux/magic.h>
int main(void) {
	struct statfs sf;
	OK(statfs("/proc", &sf));
	CHECK_EQ(sf.f_type, PROC_SUPER_MAGIC);
	OK(statfs("/dev/shm", &sf));
	CHECK_EQ(sf.f_type, TMPFS_MAGIC);
	int fd = OK(open("/proc/self/status", O_RDONLY));
	OK(fstatfs(fd, &sf));
	CHECK_EQ(sf.f_type, PROC_SUPER_MAGIC);
	return 0;
}
