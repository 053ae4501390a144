/* FUTEX_WAIT sleeps until another thread changes the word and calls FUTEX_WAKE. */
#include "../check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
static int word;
static void *waker(void *a) {
	(void)a;
	usleep(20000);
	__atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}
int main(void) {
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, waker, NULL), 0);
	while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0) {
		long r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		if (r == -1 && errno != EAGAIN && errno != EINTR)
			fail("FUTEX_WAIT: got %s want 0 or EAGAIN", errname(errno));
	}
	pthread_join(t, NULL);
	CHECK_EQ(word, 1);
	return 0;
}
