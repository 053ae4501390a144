/* FUTEX_WAIT with a stale value is EAGAIN, with a timeout ETIMEDOUT; WAKE with no waiters returns 0. */
#include "../check.h"
#include <linux/futex.h>
#include <sys/syscall.h>
int main(void) {
	int word = 5;
	ERR(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0), EAGAIN);
	struct timespec ts = {0, 10000000};
	ERR(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &ts, NULL, 0), ETIMEDOUT);
	CHECK_EQ(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
	ERR(syscall(SYS_futex, (char *)&word + 1, FUTEX_WAIT_PRIVATE, 5, &ts, NULL, 0), EINVAL);
	ERR(syscall(SYS_futex, &word, 99, 5, NULL, NULL, 0), ENOSYS);
	return 0;
}
