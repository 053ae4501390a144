/* writing to a pipe with no reader, SIGPIPE ignored, is EPIPE. */
#include "../check.h"
int main(void) {
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	OK(pipe(p));
	OK(close(p[0]));
	ERR(write(p[1], "x", 1), EPIPE);
	return 0;
}
