/* flock: a second open file description cannot take LOCK_EX while one is held. */
#include "../check.h"
#include <sys/file.h>
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	int a = OK(open(p, O_RDWR)), b = OK(open(p, O_RDWR));
	OK(flock(a, LOCK_EX));
	ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	OK(flock(a, LOCK_UN));
	OK(flock(b, LOCK_SH | LOCK_NB));
	OK(flock(a, LOCK_SH | LOCK_NB));
	ERR(flock(a, 0), EINVAL);
	return 0;
}
