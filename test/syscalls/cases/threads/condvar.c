/* a condition variable hands 1000 items from producer to consumer. */
#include "../check.h"
#include <pthread.h>
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int slot = -1;
static long sum;
static void *consumer(void *a) {
	(void)a;
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&mu);
		while (slot < 0)
			pthread_cond_wait(&cv, &mu);
		sum += slot;
		slot = -1;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}
int main(void) {
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, consumer, NULL), 0);
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&mu);
		while (slot >= 0)
			pthread_cond_wait(&cv, &mu);
		slot = i;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	pthread_join(t, NULL);
	CHECK_EQ(sum, 999 * 1000 / 2);
	return 0;
}
