/* /proc/self/exe names this binary (same inode as argv[0]). */
#include "../check.h"
int main(int argc, char **argv) {
	(void)argc;
	struct stat a, b;
	OK(stat("/proc/self/exe", &a));
	OK(stat(argv[0], &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	char link[PATH_MAX];
	ssize_t n = OK(readlink("/proc/self/exe", link, sizeof link - 1));
	link[n] = 0;
	char *real = realpath(argv[0], NULL);
	CHECK_STR(link, real);
	return 0;
}
