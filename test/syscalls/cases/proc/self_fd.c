/* /proc/self/fd lists open descriptors whose links name the files. */
#include "../check.h"
#include <dirent.h>
int main(void) {
	int fd = OK(open("/etc/passwd", O_RDONLY));
	char p[64], link[PATH_MAX];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	ssize_t n = OK(readlink(p, link, sizeof link - 1));
	link[n] = 0;
	CHECK_STR(link, "/etc/passwd");
	DIR *d = OKP(opendir("/proc/self/fd"));
	struct dirent *e;
	int found = 0;
	while ((e = readdir(d)))
		if (atoi(e->d_name) == fd && e->d_name[0] != '.')
			found = 1;
	CHECK(found);
	OK(close(fd));
	ERR(readlink(p, link, sizeof link), ENOENT);
	return 0;
}
