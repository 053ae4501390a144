/* F_GETLK on an unlocked range returns F_UNLCK; a process's own locks never conflict. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "0123456789");
	int fd = OK(open(p, O_RDWR));
	struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	OK(fcntl(fd, F_GETLK, &q));
	CHECK_EQ(q.l_type, F_UNLCK);
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 4};
	OK(fcntl(fd, F_SETLK, &l));
	int fd2 = OK(open(p, O_RDWR));
	OK(fcntl(fd2, F_SETLK, &l)); /* same process: no conflict */
	struct flock bad = {.l_type = 77, .l_whence = SEEK_SET};
	ERR(fcntl(fd, F_SETLK, &bad), EINVAL);
	return 0;
}
