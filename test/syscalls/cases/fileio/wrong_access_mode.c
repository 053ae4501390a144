/* reading a write-only descriptor or writing a read-only one gives EBADF. */
#include "../check.h"
int main(void) {
	char c = 'x';
	int w = OK(open("/dev/null", O_WRONLY));
	ERR(read(w, &c, 1), EBADF);
	int r = OK(open("/etc/passwd", O_RDONLY));
	ERR(write(r, &c, 1), EBADF);
	return 0;
}
