/* reading an empty non-blocking pipe is EAGAIN. */
#include "../check.h"
int main(void) {
	int p[2];
	OK(pipe2(p, O_NONBLOCK));
	char c;
	ERR(read(p[0], &c, 1), EAGAIN);
	return 0;
}
