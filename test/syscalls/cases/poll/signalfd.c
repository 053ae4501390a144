/* a blocked signal is read from a signalfd with its number and sender. */
#include "../check.h"
#include <sys/signalfd.h>
int main(void) {
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	OK(sigprocmask(SIG_BLOCK, &m, NULL));
	int fd = OK(signalfd(-1, &m, SFD_NONBLOCK));
	struct signalfd_siginfo si;
	ERR(read(fd, &si, sizeof si), EAGAIN);
	OK(kill(getpid(), SIGUSR2));
	CHECK_EQ(read(fd, &si, sizeof si), sizeof si);
	CHECK_EQ(si.ssi_signo, SIGUSR2);
	CHECK_EQ(si.ssi_pid, getpid());
	CHECK_EQ(si.ssi_code, SI_USER);
	sigset_t pend;
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR2));
	return 0;
}
