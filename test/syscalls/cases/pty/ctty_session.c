/* a new session leader acquires the slave as controlling tty (TIOCSCTTY) and /dev/tty opens. */
#include "../check.h"
#include <sys/ioctl.h>
#include <termios.h>
int main(void) {
	int m = OK(posix_openpt(O_RDWR | O_NOCTTY));
	OK(unlockpt(m));
	char name[64];
	snprintf(name, sizeof name, "%s", ptsname(m));
	pid_t pid = OK(fork());
	if (pid == 0) {
		OK(setsid());
		int s = OK(open(name, O_RDWR));
		OK(ioctl(s, TIOCSCTTY, 0));
		int t = OK(open("/dev/tty", O_RDWR));
		pid_t pg = 0;
		OK(ioctl(t, TIOCGPGRP, &pg));
		CHECK_EQ(pg, getpid());
		CHECK_EQ(tcgetsid(s), getpid());
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
