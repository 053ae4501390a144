/* tty ioctls on a non-tty are ENOTTY; isatty is false. */
#include "../check.h"
#include <termios.h>
int main(void) {
	int fd = OK(open("/dev/null", O_RDWR));
	struct termios t;
	ERR(tcgetattr(fd, &t), ENOTTY);
	CHECK(!isatty(fd));
	int p[2];
	OK(pipe(p));
	CHECK(!isatty(p[0]));
	return 0;
}
