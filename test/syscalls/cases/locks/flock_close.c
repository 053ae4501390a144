/* closing the last fd of an open file description releases its flock; a dup keeps it. */
#include "../check.h"
#include <sys/file.h>
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	int a = OK(open(p, O_RDWR)), b = OK(open(p, O_RDWR));
	OK(flock(a, LOCK_EX));
	int d = OK(dup(a));
	OK(close(a));
	ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	OK(close(d));
	OK(flock(b, LOCK_EX | LOCK_NB));
	return 0;
}
