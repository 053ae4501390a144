/* POSIX record locks: a child cannot lock a range the parent holds (EAGAIN),
 * but can lock a disjoint range; F_GETLK reports the holder. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "0123456789");
	int fd = OK(open(p, O_RDWR));
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 5};
	OK(fcntl(fd, F_SETLK, &fl));
	pid_t parent = getpid();
	pid_t pid = OK(fork());
	if (pid == 0) {
		int c = OK(open(p, O_RDWR));
		struct flock f2 = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 2};
		ERR(fcntl(c, F_SETLK, &f2), EAGAIN);
		struct flock q = f2;
		OK(fcntl(c, F_GETLK, &q));
		CHECK_EQ(q.l_type, F_WRLCK);
		CHECK_EQ(q.l_pid, parent);
		struct flock f3 = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 5};
		OK(fcntl(c, F_SETLK, &f3));
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
