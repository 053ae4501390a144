/* a directory cannot be opened for writing: EISDIR. */
#include "../check.h"
int main(void) {
	ERR(open("/", O_WRONLY), EISDIR);
	ERR(open("/etc", O_RDWR), EISDIR);
	char c;
	int fd = OK(open("/etc", O_RDONLY));
	ERR(read(fd, &c, 1), EISDIR);
	return 0;
}
