/* a regular file used as a directory component is ENOTDIR. */
#include "../check.h"
int main(void) {
	ERR(open("/etc/passwd/x", O_RDONLY), ENOTDIR);
	ERR(open("/etc/passwd", O_RDONLY | O_DIRECTORY), ENOTDIR);
	int fd = OK(open("/etc", O_RDONLY | O_DIRECTORY));
	OK(close(fd));
	return 0;
}
