/* a SIGCHLD handler runs when a child exits, with si_pid and CLD_EXITED. */
#include "../check.h"
static volatile pid_t who;
static volatile int code;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; who = si->si_pid; code = si->si_code; }
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGCHLD, &sa, NULL));
	sigset_t m, old;
	sigemptyset(&m);
	sigaddset(&m, SIGCHLD);
	sigprocmask(SIG_BLOCK, &m, &old);
	pid_t pid = OK(fork());
	if (pid == 0)
		_exit(0);
	sigsuspend(&old);
	CHECK_EQ(who, pid);
	CHECK_EQ(code, CLD_EXITED);
	WAIT_EXIT(pid, 0);
	return 0;
}
