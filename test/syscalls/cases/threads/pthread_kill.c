/* pthread_kill delivers a signal to the chosen thread. */
#include "../check.h"
#include <pthread.h>
static volatile pid_t handled_by;
static volatile int ready;
static void h(int s) { (void)s; handled_by = gettid(); }
static pid_t worker_tid;
static void *fn(void *a) {
	(void)a;
	worker_tid = gettid();
	__atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
	while (handled_by == 0)
		usleep(1000);
	return NULL;
}
int main(void) {
	signal(SIGUSR1, h);
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, fn, NULL), 0);
	while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
		usleep(1000);
	CHECK_EQ(pthread_kill(t, SIGUSR1), 0);
	pthread_join(t, NULL);
	CHECK_EQ(handled_by, worker_tid);
	return 0;
}
