/* F_SETLKW blocks until the holder releases: the child gets the lock after the parent unlocks. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	int fd = OK(open(p, O_RDWR));
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	OK(fcntl(fd, F_SETLK, &l));
	int sync[2];
	OK(pipe(sync));
	pid_t pid = OK(fork());
	if (pid == 0) {
		int c = OK(open(p, O_RDWR));
		CHECK_EQ(write(sync[1], "r", 1), 1);
		struct flock w = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		OK(fcntl(c, F_SETLKW, &w));
		_exit(0);
	}
	char c;
	CHECK_EQ(read(sync[0], &c, 1), 1);
	usleep(50000);
	int st;
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0); /* still blocked */
	l.l_type = F_UNLCK;
	OK(fcntl(fd, F_SETLK, &l));
	WAIT_EXIT(pid, 0);
	return 0;
}
