/* ppoll's mask unblocks a pending signal for the call: EINTR and the handler runs. */
#include "../check.h"
#include <poll.h>
static volatile int got;
static void h(int s) { (void)s; got = 1; }
int main(void) {
	signal(SIGUSR1, h);
	sigset_t block, empty;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	OK(sigprocmask(SIG_BLOCK, &block, NULL));
	raise(SIGUSR1);
	CHECK_EQ(got, 0);
	struct timespec ts = {5, 0};
	ERR(ppoll(NULL, 0, &ts, &empty), EINTR);
	CHECK_EQ(got, 1);
	return 0;
}
