/* O_CREAT|O_EXCL fails with EEXIST on an existing file, even a host one. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	int fd = OK(open(p, O_CREAT | O_EXCL | O_WRONLY, 0600));
	OK(close(fd));
	ERR(open(p, O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	return 0;
}
