/* lseek on a pipe fails with ESPIPE. */
#include "../check.h"
int main(void) {
	int p[2];
	OK(pipe(p));
	ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
	char c;
	ERR(pread(p[0], &c, 1, 0), ESPIPE);
	return 0;
}
