/* pthread_create runs a function whose return value pthread_join collects. */
#include "../check.h"
#include <pthread.h>
static void *fn(void *arg) { return (void *)((intptr_t)arg * 2); }
int main(void) {
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, fn, (void *)21), 0);
	void *ret;
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK_EQ((intptr_t)ret, 42);
	return 0;
}
