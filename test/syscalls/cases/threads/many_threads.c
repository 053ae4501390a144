/* 16 threads each add to an atomic counter 10000 times. */
#include "../check.h"
#include <pthread.h>
static long counter;
static void *fn(void *a) {
	(void)a;
	for (int i = 0; i < 10000; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	return NULL;
}
int main(void) {
	pthread_t t[16];
	for (int i = 0; i < 16; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, fn, NULL), 0);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	CHECK_EQ(counter, 160000);
	return 0;
}
