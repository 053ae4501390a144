/* a pthread barrier releases 4 threads together, one of them as the serial thread. */
#include "../check.h"
#include <pthread.h>
static pthread_barrier_t b;
static int serial;
static void *fn(void *a) {
	(void)a;
	if (pthread_barrier_wait(&b) == PTHREAD_BARRIER_SERIAL_THREAD)
		__atomic_fetch_add(&serial, 1, __ATOMIC_SEQ_CST);
	return NULL;
}
int main(void) {
	pthread_barrier_init(&b, NULL, 4);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, fn, NULL), 0);
	fn(NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(serial, 1);
	return 0;
}
