/* SA_SIGINFO handlers see si_signo, si_code SI_USER (kill) or SI_TKILL (tgkill), and si_pid. */
#include "../check.h"
#include <sys/syscall.h>
static volatile siginfo_t last;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; last = *si; }
int main(void) {
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO};
	OK(sigaction(SIGUSR2, &sa, NULL));
	OK(kill(getpid(), SIGUSR2));
	CHECK_EQ(last.si_signo, SIGUSR2);
	CHECK_EQ(last.si_code, SI_USER);
	CHECK_EQ(last.si_pid, getpid());
	CHECK_EQ(last.si_uid, getuid());
	OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2));
	CHECK_EQ(last.si_code, SI_TKILL);
	return 0;
}
