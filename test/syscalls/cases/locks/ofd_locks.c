/* OFD locks conflict between two open file descriptions of one process. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "0123456789");
	int a = OK(open(p, O_RDWR)), b = OK(open(p, O_RDWR));
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	OK(fcntl(a, F_OFD_SETLK, &l));
	struct flock m = l;
	ERR(fcntl(b, F_OFD_SETLK, &m), EAGAIN);
	struct flock q = l;
	OK(fcntl(b, F_OFD_GETLK, &q));
	CHECK_EQ(q.l_type, F_WRLCK);
	CHECK_EQ(q.l_pid, -1);
	l.l_type = F_UNLCK;
	OK(fcntl(a, F_OFD_SETLK, &l));
	OK(fcntl(b, F_OFD_SETLK, &m));
	return 0;
}
